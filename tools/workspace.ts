import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The project root. */
export const root = path.join(__dirname, "..");
const PROGRAM_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "main.js", "loader.js", "index.ts", "config.ts", "cluster.ts", "stack.ts", "addresses.ts", "transitions.ts", "certManager.ts", "destroyGuard.ts", "components"];

/**
 * A copy of the program (of `from`, the project root by default) in a new folder under `parent`,
 * so that config changes made through the Automation API (a namespace, replicas, a render
 * directory, a bad value) never touch the repository's stack files. node_modules is linked.
 * The caller removes the folder.
 */
export function copyProject(stacks: string[], from = root, parent = os.tmpdir()): string {
    const dir = fs.mkdtempSync(path.join(parent, "go-demo-2-"));
    for (const file of [...PROGRAM_FILES, ...stacks.map((s) => `Pulumi.${s}.yaml`)]) {
        const source = path.join(from, file);
        if (fs.existsSync(source)) {
            fs.cpSync(source, path.join(dir, file), { recursive: true });
        }
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/**
 * A stack of a copied project, on the CLI and backend the environment names (scripts/env/pulumi-env.sh
 * sets them; `envVars` may override them, e.g. a throwaway backend).
 */
export async function stackIn(workDir: string, stackName: string, envVars: Record<string, string> = {}): Promise<Stack> {
    for (const name of ["PULUMI_BACKEND_URL", "PULUMI_HOME"]) {
        if (!process.env[name] && !envVars[name]) {
            throw new Error(`${name} is not set: run this through its npm script, which sources scripts/env/pulumi-env.sh`);
        }
    }
    return LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars });
}

/** The current context of the kubeconfig the run uses: the local cluster's under `npm run test:e2e`. */
export function currentContext(): string {
    return execFileSync("kubectl", ["config", "current-context"], { encoding: "utf8" }).trim();
}

/**
 * A stack of a fresh copy of the program for an end-to-end test, in its own namespace, so that it
 * never meets a deployment made with `npm run up`, and bound to the cluster the run uses, whatever
 * context its stack file names (prod's). Pair it with destroyTestStack.
 */
export async function testStack(stackName: string, namespace: string): Promise<Stack> {
    const workDir = copyProject([stackName]);
    // A run that was killed leaves its stack's state behind; the cluster it described is gone.
    await (await stackIn(workDir, stackName)).workspace.removeStack(stackName, { force: true, preserveConfig: true });
    const stack = await stackIn(workDir, stackName);
    await stack.setAllConfig({
        "go-demo-2:namespace": { value: namespace },
        "kubernetes:context": { value: currentContext() },
    });
    return stack;
}

/** Destroys a test stack (a failed step must not leave objects behind), then removes it and its copy. */
export async function destroyTestStack(stack: Stack | undefined): Promise<void> {
    if (!stack) {
        return;
    }
    await stack.destroy({ color: "never" }).catch(() => undefined);
    await stack.workspace.removeStack(stack.name).catch(() => undefined);
    fs.rmSync(stack.workspace.workDir, { recursive: true, force: true });
}

/** Wall-clock seconds of each step, printed at the end of the run. */
export const timings: [string, number][] = [];

export async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
        return await work();
    } finally {
        timings.push([label, (Date.now() - start) / 1000]);
    }
}

/** Prints every timed step, for a test file's afterAll. */
export function printTimings(): void {
    const width = Math.max(...timings.map(([label]) => label.length));
    process.stdout.write(
        "\nend-to-end timings (s):\n" +
            timings.map(([label, s]) => `  ${label.padEnd(width)}  ${s.toFixed(1)}`).join("\n") +
            "\n",
    );
}
