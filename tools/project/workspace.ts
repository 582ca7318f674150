import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { root } from "./root";

/**
 * What the program is made of (tests/tools/project/workspace.test.ts keeps it complete). The review renders a
 * base ref with today's list, so the files of the layout before runtime/ and config/ (`loader.js`,
 * `config.ts`) stay listed; what a tree lacks is skipped.
 */
export const PROGRAM_FILES = [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    "main.js",
    "runtime",
    "index.ts",
    "config",
    "stack",
    "guards",
    "components",
    // The layout before stack/ and guards/, for a review of an older base ref.
    "cluster.ts",
    "stack.ts",
    "addresses.ts",
    "transitions.ts",
    "certManager.ts",
    "crds.ts",
    "monitoring.ts",
    "destroyGuard.ts",
    "loader.js",
    "config.ts",
];

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
