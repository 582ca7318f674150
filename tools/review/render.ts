/**
 * npm run render -- <stack> [--out <dir>]
 *
 * Renders a stack's manifests with the real engine: the default Kubernetes provider's
 * `renderYamlToDirectory` writes every object as YAML instead of applying it, so no cluster
 * is needed. Runs on a copy of the program with a throwaway state backend, so neither the
 * repository's stack files nor any deployed stack are touched. The output is deterministic
 * (the provider names files by kind, namespace and name), so two renders diff cleanly.
 */
import * as fs from "fs";
import * as path from "path";

import { copyProject, stackIn } from "../project/workspace";
import { root } from "../project/root";

/** The provider's keys that choose a cluster (a stack file may bind one: see config/kubeconfig.ts). */
const CLUSTER_BINDING_KEYS = ["kubernetes:kubeconfig", "kubernetes:context", "kubernetes:cluster"];

/** Every file under `dir`, relative to it, sorted. */
export function listFiles(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
}

/**
 * Renders `stack` of the project at `from` into `outDir` (replaced); returns its files.
 * `config` overrides keys of the stack file (full keys, e.g. `go-demo-2:namespace`).
 */
export async function render(
    stack: string,
    outDir: string,
    from = root,
    config: Record<string, string> = {},
): Promise<string[]> {
    const work = copyProject([stack], from);
    try {
        const stateDir = path.join(work, ".state");
        fs.mkdirSync(stateDir);
        const s = await stackIn(work, stack, {
            PULUMI_BACKEND_URL: `file://${stateDir}`,
            PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
        });
        const rendered = path.join(work, "rendered");
        for (const [key, value] of Object.entries(config)) {
            await s.setConfig(key, { value });
        }
        // Rendering talks to no cluster, and the provider refuses a cluster binding beside it.
        const binding = Object.keys(await s.getAllConfig()).filter((key) => CLUSTER_BINDING_KEYS.includes(key));
        if (binding.length > 0) {
            await s.removeAllConfig(binding);
        }
        await s.setConfig("kubernetes:renderYamlToDirectory", { value: rendered });
        await s.up({ color: "never" });
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(path.dirname(path.resolve(outDir)), { recursive: true });
        fs.cpSync(rendered, outDir, { recursive: true });
        return listFiles(outDir);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

async function main(argv: string[]): Promise<void> {
    const [stack, ...rest] = argv;
    if (!stack || stack.startsWith("-")) {
        throw new Error("usage: npm run render -- <stack> [--out <dir>]");
    }
    const outIndex = rest.indexOf("--out");
    const outDir = outIndex >= 0 ? rest[outIndex + 1] : path.join(root, "rendered", stack);
    process.stderr.write(`[render] rendering stack ${stack} into ${outDir}\n`);
    const files = await render(stack, outDir);
    process.stdout.write(files.map((f) => path.join(outDir, f)).join("\n") + "\n");
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        process.stderr.write(`[render] ${e.message}\n`);
        process.exit(1);
    });
}
