/**
 * npm run review -- <stack> [--base <git-ref>]
 *
 * A Markdown summary of what a change does to a stack, for a pull-request comment: the preview
 * against the deployed stack (with the policy pack), what it does to the addresses of the Services
 * it touches (guards/addresses.ts), the outputs that would change, and the rendered manifests' diff
 * against the base ref (default: HEAD, i.e. uncommitted changes).
 */
import { EngineEvent, LocalWorkspace } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { AddressChange, addressChanges, previewServiceSteps } from "../../guards/addresses";
import { render } from "./render";
import { outputChanges, PreviewSummary, reviewMarkdown } from "./reviewMarkdown";
import { root } from "../project/root";

/** The policy pack, launched as an analyzer plugin (policy/analyzer says why). */
export const POLICY_PACK = path.join(root, "policy", "analyzer");

/** `op Kind/name` of every Kubernetes object the events say an operation will `op`, sorted. */
export function steps(events: EngineEvent[], ops: string[]): string[] {
    return events
        .flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []))
        .filter((m) => ops.includes(m.op) && m.type.startsWith("kubernetes:"))
        .map((m) => {
            const state = m.new ?? m.old;
            return `${m.op} ${m.type.split(":")[2]}/${state?.inputs?.metadata?.name}`;
        })
        .sort();
}

/** Operations that change something. */
export const CHANGES = ["create", "update", "replace", "create-replacement", "delete", "delete-replaced"];

/** The stack outputs a preview's events say the program would export. */
function previewedOutputs(events: EngineEvent[]): Record<string, unknown> {
    const stackEvent = events
        .flatMap((e) => (e.resOutputsEvent ? [e.resOutputsEvent.metadata] : []))
        .find((m) => m.type === "pulumi:pulumi:Stack");
    return (stackEvent?.new?.outputs ?? {}) as Record<string, unknown>;
}

/** The policy enforcement file for a stack, if it has one. */
export function enforcementFor(stack: string): string[] {
    const file = path.join(root, "policy", "enforcement", `${stack}.json`);
    return fs.existsSync(file) ? [file] : [];
}

/** Previews the program in `workDir` against the deployed `stack`; undefined if it was never deployed. */
export async function previewSummary(
    workDir: string,
    stack: string,
): Promise<{ summary: PreviewSummary; outputs: ReturnType<typeof outputChanges>; addresses: AddressChange[] } | undefined> {
    const ws = await LocalWorkspace.create({ workDir });
    if (!(await ws.listStacks()).some((s) => s.name === stack)) {
        return undefined;
    }
    const s = await LocalWorkspace.selectStack({ stackName: stack, workDir });
    const events: EngineEvent[] = [];
    const result = await s.preview({
        onEvent: (e) => events.push(e),
        policyPacks: [POLICY_PACK],
        policyPackConfigs: enforcementFor(stack),
        color: "never",
    });
    const current = Object.fromEntries(Object.entries(await s.outputs()).map(([k, v]) => [k, v.value]));
    const violations = events.flatMap((e) =>
        // The message is the policy's description, then the finding on its last line.
        e.policyEvent
            ? [`${e.policyEvent.enforcementLevel} ${e.policyEvent.policyName}: ${e.policyEvent.message.trim().split("\n").pop()}`]
            : [],
    );
    return {
        summary: { changes: steps(events, CHANGES), counts: result.changeSummary as Record<string, number>, violations },
        outputs: outputChanges(current, previewedOutputs(events)),
        addresses: addressChanges(previewServiceSteps(events)),
    };
}

/** The unified diff between the stack's manifests rendered at `base` and in the work tree. */
export async function manifestDiff(stack: string, base: string): Promise<string> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-review-"));
    const baseTree = path.join(tmp, "tree");
    try {
        execFileSync("git", ["-C", root, "worktree", "add", "--detach", "--quiet", baseTree, base]);
        await render(stack, path.join(tmp, "base"), baseTree);
        await render(stack, path.join(tmp, "head"));
        return diffDirs(tmp, "base", "head");
    } finally {
        execFileSync("git", ["-C", root, "worktree", "remove", "--force", baseTree], { stdio: "ignore" });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** `git diff --no-index` of two folders under `cwd`; empty when they are identical. */
export function diffDirs(cwd: string, a: string, b: string): string {
    try {
        execFileSync("git", ["diff", "--no-index", "--no-color", a, b], { cwd, encoding: "utf8" });
        return "";
    } catch (e) {
        // git diff exits 1 when the folders differ; the diff is on stdout.
        const err = e as { status?: number; stdout?: string };
        if (err.status === 1 && err.stdout !== undefined) {
            return err.stdout;
        }
        throw e;
    }
}

async function main(argv: string[]): Promise<void> {
    const [stack, ...rest] = argv;
    if (!stack || stack.startsWith("-")) {
        throw new Error("usage: npm run review -- <stack> [--base <git-ref>]");
    }
    const baseIndex = rest.indexOf("--base");
    const base = baseIndex >= 0 ? rest[baseIndex + 1] : "HEAD";

    process.stderr.write(`[review] previewing ${stack} against its deployed state\n`);
    const preview = await previewSummary(root, stack);
    process.stderr.write(`[review] rendering ${stack} at ${base} and in the work tree\n`);
    const diff = await manifestDiff(stack, base);
    process.stdout.write(
        reviewMarkdown({
            stack,
            preview: preview?.summary,
            outputChanges: preview?.outputs ?? [],
            addresses: preview?.addresses,
            manifests: { base, diff },
        }),
    );
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        process.stderr.write(`[review] ${e.message}\n`);
        process.exit(1);
    });
}
