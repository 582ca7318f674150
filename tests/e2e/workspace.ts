import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..", "..");
const PROGRAM_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "config.ts", "stack.ts", "components"];

/**
 * A copy of the project in a temporary folder, so that the run's config changes (namespace,
 * replicas, a bad value) never touch the repository's stack files. node_modules is linked.
 */
export function copyProject(stacks: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-e2e-"));
    for (const file of [...PROGRAM_FILES, ...stacks.map((s) => `Pulumi.${s}.yaml`)]) {
        const from = path.join(root, file);
        if (fs.existsSync(from)) {
            fs.cpSync(from, path.join(dir, file), { recursive: true });
        }
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** A stack of the copied project on the backend, CLI and cluster the environment names. */
export async function stackIn(workDir: string, stackName: string): Promise<Stack> {
    for (const name of ["PULUMI_BACKEND_URL", "PULUMI_HOME", "KUBECONFIG"]) {
        if (!process.env[name]) {
            throw new Error(`${name} is not set: run the end-to-end tests with npm run test:e2e`);
        }
    }
    return LocalWorkspace.createOrSelectStack({ stackName, workDir });
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
