/**
 * npm run bench: figures, side by side on one machine, printed and not asserted. Runs on the
 * local control plane (scripts/commands/with-local-cluster.sh) with the real engine; budgets are
 * in docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { render } from "../review/render";
import { copyProject, root, stackIn } from "../project/workspace";

const NAMESPACE = "bench-go-demo-2";
/** The image the release figures move the API to; dev runs `vfarcic/go-demo-2`. */
const RELEASE_IMAGE = "vfarcic/go-demo-2:2.0";
const rows: [string, string][] = [];

function report(label: string, value: string): void {
    rows.push([label, value]);
    process.stderr.write(`[bench] ${label}: ${value}\n`);
}

/** Wall seconds of a command run in `cwd` (output discarded); fails loudly if it fails, unless `ok` accepts the status. */
function timeCommand(
    cmd: string,
    args: string[],
    { ok = (status: number) => status === 0, cwd = root }: { ok?: (status: number) => boolean; cwd?: string } = {},
): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status === null || !ok(result.status)) {
        throw new Error(`${cmd} ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
/** Whether a figure is within its target, as the report says it. */
const verdict = (value: number, target: number) => (value <= target ? "met" : "NOT met");
/** A ratio beside its target, e.g. "2.4× (target ≤ 3×: met)". */
const against = (a: number, b: number, target: number) => `${ratio(a, b)} (target ≤ ${target}×: ${verdict(a / b, target)})`;

function unitSuite(): void {
    const jest = path.join(root, "node_modules", ".bin", "jest");
    const swc = timeCommand(jest, ["--silent"]);
    const tsJest = timeCommand(jest, ["--silent", "--config", "tools/jest.ts-jest.config.js"]);
    report("unit suite, @swc/jest (the project's runner)", `${s(swc)} (target ≤ 8 s: ${verdict(swc, 8)})`);
    report("unit suite, ts-jest (same tests and setup)", `${s(tsJest)} (${ratio(tsJest, swc)} the project's runner)`);
}

function programUnderMocks(): void {
    const run = (extra: number) => {
        const out = execFileSync(path.join(root, "node_modules", ".bin", "tsx"), ["tools/benchProgram.ts", String(extra)], {
            cwd: root,
            encoding: "utf8",
        });
        return JSON.parse(out.trim().split("\n").pop()!) as { ms: number; resources: number; maxRssMiB: number };
    };
    const dev = run(0);
    const hundred = run(100);
    report("program under mocks, dev stack", `${dev.ms.toFixed(0)} ms, ${dev.resources} resources, peak RSS ${dev.maxRssMiB.toFixed(0)} MiB`);
    report(
        "program under mocks, dev + 100 generated Services",
        `${hundred.ms.toFixed(0)} ms, ${hundred.resources} resources, peak RSS ${hundred.maxRssMiB.toFixed(0)} MiB; ` +
            `${((hundred.ms - dev.ms) / 100).toFixed(1)} ms per extra Service`,
    );
}

/** What probe.js reports of one Node.js process the engine started (times in wall-clock ms). */
interface ProcessReport {
    script?: string;
    startedAt: number;
    loadStartedAt?: number;
    loadEndedAt?: number;
    exitedAt: number;
    maxRssKiB: number;
}

/** One engine command, timed, with the report of the process that ran the program. */
interface ProbedRun {
    startedAt: number;
    endedAt: number;
    seconds: number;
    program: Required<ProcessReport>;
}

/**
 * Runs an engine command with probe.js preloaded into every Node.js process the engine
 * starts (and `env` added to the environment), and returns its wall time and the program
 * process's report (the language host starts the program through @pulumi/pulumi's cmd/run).
 */
function probed(work: () => unknown, env: Record<string, string> = {}): ProbedRun {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-probe-")), "processes.jsonl");
    const added: Record<string, string> = {
        ...env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "probe.js")}`.trim(),
        GO_DEMO_2_PROBE_FILE: file,
    };
    const saved = Object.fromEntries(Object.keys(added).map((k) => [k, process.env[k]]));
    Object.assign(process.env, added);
    const startedAt = Date.now();
    try {
        work();
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
    const endedAt = Date.now();
    const reports = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as ProcessReport);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const program = reports.find((r) => /cmd[/\\]run([/\\]index\.js)?$/.test(r.script ?? "") && r.loadStartedAt !== undefined);
    if (!program) {
        throw new Error(`no process reported loading the program; processes seen: ${reports.map((r) => r.script).join(", ")}`);
    }
    return { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000, program: program as Required<ProcessReport> };
}

/** The run with the median wall time of `runs` (an odd number of them). */
function median<T extends { seconds: number }>(runs: T[]): T {
    return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
}

/** Where a run's time went, from the engine's start to its end, split at the program process's reports. */
function phases(run: ProbedRun): string {
    const p = run.program;
    const part = (label: string, from: number, to: number) => `${label} ${((to - from) / 1000).toFixed(2)} s`;
    return [
        part("engine until the program's Node.js process starts", run.startedAt, p.startedAt),
        part("Node.js and the SDK's runner", p.startedAt, p.loadStartedAt),
        part("loading the program", p.loadStartedAt, p.loadEndedAt),
        part("running it (registrations, provider start, diffs)", p.loadEndedAt, p.exitedAt),
        part("engine after it", p.exitedAt, run.endedAt),
    ].join("; ");
}

/** How many times each preview (and kubectl diff) runs; the report gives the median. */
const PREVIEW_RUNS = 5;

/** One no-op preview of a stack in `cwd`, with `env` added. */
function previewOnce(cwd: string, stack: string, env: Record<string, string> = {}): ProbedRun {
    const args = ["preview", "--expect-no-changes", "--stack", stack, "--color", "never", "--non-interactive"];
    return probed(() => timeCommand("pulumi", args, { cwd }), env);
}

/** The median of PREVIEW_RUNS no-op previews of a stack in `cwd`, with `env` added. */
function medianPreview(cwd: string, stack: string, env: Record<string, string> = {}): ProbedRun {
    return median(Array.from({ length: PREVIEW_RUNS }, () => previewOnce(cwd, stack, env)));
}

/** Runs `work` with some of the files in `dir` rewritten, and puts them back afterwards. */
function withFiles<T>(dir: string, edits: Record<string, (text: string) => string>, work: () => T): T {
    const saved = Object.fromEntries(Object.keys(edits).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
    try {
        for (const [f, edit] of Object.entries(edits)) {
            fs.writeFileSync(path.join(dir, f), edit(saved[f]));
        }
        return work();
    } finally {
        for (const [f, text] of Object.entries(saved)) {
            fs.writeFileSync(path.join(dir, f), text);
        }
    }
}

/**
 * What each lever of the preview is worth, and its floor: the same no-op preview of the deployed
 * stack without Node's compile cache; with the SDK's runner in TypeScript mode (it loads
 * TypeScript's compiler and registers ts-node before main.js takes over); with the program loaded
 * by ts-node as well (package.json's main back to index.ts: the project before main.js); and a
 * preview of a program that registers nothing, through the same main.js, on a stack of its own.
 */
async function previewLevers(workDir: string, tmp: string): Promise<void> {
    const typescriptMode = { "Pulumi.yaml": (t: string) => t.replace(/^( +)typescript: false$/m, "$1typescript: true") };
    const tsNodeMain = { "package.json": (t: string) => JSON.stringify({ ...JSON.parse(t), main: "index.ts" }) };
    const noCompileCache = medianPreview(workDir, "bench", { NODE_DISABLE_COMPILE_CACHE: "1" });
    const runnerTypeScript = withFiles(workDir, typescriptMode, () => medianPreview(workDir, "bench"));
    const tsNode = withFiles(workDir, { ...typescriptMode, ...tsNodeMain }, () => medianPreview(workDir, "bench"));
    const emptyDir = copyProject([], root, tmp);
    fs.writeFileSync(path.join(emptyDir, "index.ts"), "export {};\n");
    const empty = await stackIn(emptyDir, "floor");
    try {
        // Its one resource, the stack itself, exists before the previews, as dev's objects do.
        timeCommand("pulumi", ["up", "--yes", "--skip-preview", "--stack", "floor", "--non-interactive"], { cwd: emptyDir });
        const floor = medianPreview(emptyDir, "floor");
        report("  the same, without Node's compile cache", `${s(noCompileCache.seconds)} (${phases(noCompileCache)})`);
        report("  the same, the runner in TypeScript mode", `${s(runnerTypeScript.seconds)} (${phases(runnerTypeScript)})`);
        report("  the same, the program through ts-node", `${s(tsNode.seconds)} (${phases(tsNode)})`);
        report("  the floor: a program that registers nothing", `${s(floor.seconds)} (${phases(floor)})`);
    } finally {
        await empty.workspace.removeStack("floor").catch(() => undefined);
    }
}

/**
 * What a user would run instead of this stack's ReplicaSet for the API: a Deployment with the same
 * Pods (the rendered ReplicaSet's template, without the template-hash label the Deployment adds
 * itself), surging a full set before any old Pod goes — what `up` does.
 */
function apiDeployment(files: string): string {
    const file = fs.readdirSync(files).find((f) => /^apps_v1-replicaset-.*-go-demo-2-api-[0-9a-f]{10}\.yaml$/.test(f));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rs = yaml.load(fs.readFileSync(path.join(files, file!), "utf8")) as any;
    const withoutHash = (labels: Record<string, string>) =>
        Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "pod-template-hash"));
    const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "go-demo-2-api", namespace: NAMESPACE, labels: withoutHash(rs.metadata.labels) },
        spec: {
            replicas: rs.spec.replicas,
            selector: { matchLabels: withoutHash(rs.spec.selector.matchLabels) },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "100%", maxUnavailable: 0 } },
            template: { ...rs.spec.template, metadata: { labels: withoutHash(rs.spec.template.metadata.labels) } },
        },
    };
    const out = path.join(path.dirname(files), "api-deployment.yaml");
    fs.writeFileSync(out, yaml.dump(deployment));
    return out;
}

async function engineAgainstKubectl(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-bench-"));
    const manifests = path.join(tmp, "rendered");
    const config = { "go-demo-2:namespace": NAMESPACE };
    const stack = await stackIn(copyProject(["dev"], root, tmp), "bench");
    try {
        // A stack named bench with dev's config: a copy of the dev stack file under that name.
        fs.copyFileSync(path.join(root, "Pulumi.dev.yaml"), path.join(stack.workspace.workDir, "Pulumi.bench.yaml"));
        await stack.setConfig("go-demo-2:namespace", { value: NAMESPACE });
        // up waits for the load balancer's address, as `kubectl wait` below does (dev does not by default).
        await stack.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "300" });
        await render("dev", manifests, root, config);
        const files = path.join(manifests, "1-manifest");

        // The CLI itself, as a user runs it (the Automation API adds a `stack output` call to each up).
        const pulumi = (...args: string[]) =>
            timeCommand("pulumi", [...args, "--stack", "bench", "--color", "never", "--non-interactive"], { cwd: stack.workspace.workDir });
        const up = probed(() => pulumi("up", "--yes", "--skip-preview"));
        // Each preview beside a kubectl diff, so that both meet the same load on a shared machine.
        // kubectl diff exits 1 when it finds differences (fields Pulumi manages that the rendered files leave out).
        const pairs = Array.from({ length: PREVIEW_RUNS }, () => ({
            preview: previewOnce(stack.workspace.workDir, "bench"),
            diff: { seconds: timeCommand("kubectl", ["diff", "-f", files], { ok: (st) => st === 0 || st === 1 }) },
        }));
        const preview = median(pairs.map((p) => p.preview));
        const diff = median(pairs.map((p) => p.diff)).seconds;
        const peak = Math.max(...pairs.map((p) => p.preview.program.maxRssKiB)) / 1024;
        report(`no-op pulumi preview, median of ${PREVIEW_RUNS}`, `${s(preview.seconds)} (${phases(preview)})`);
        await previewLevers(stack.workspace.workDir, tmp);
        report(
            `kubectl diff -f <rendered>, median of ${PREVIEW_RUNS}`,
            `${s(diff)} (preview is ${against(preview.seconds, diff, 2)} kubectl diff)`,
        );
        await stack.setConfig("go-demo-2:apiImage", { value: RELEASE_IMAGE });
        const release = probed(() => pulumi("up", "--yes", "--skip-preview"));
        const destroy = pulumi("destroy", "--yes", "--skip-preview");

        // kubectl applies a folder in file-name order; the Namespace must exist first.
        const namespaceFile = fs.readdirSync(files).find((f) => f.startsWith("v1-namespace-"))!;
        const apply =
            timeCommand("kubectl", ["apply", "-f", path.join(files, namespaceFile)]) + timeCommand("kubectl", ["apply", "-f", files]);
        const wait =
            timeCommand("kubectl", ["wait", "-n", NAMESPACE, "--for=jsonpath={.status.readyReplicas}=3", "replicaset", "-l", "app.kubernetes.io/instance=go-demo-2-api", "--timeout=300s"]) +
            timeCommand("kubectl", ["wait", "-n", NAMESPACE, "--for=jsonpath={.status.readyReplicas}=1", "replicaset", "-l", "app.kubernetes.io/instance=go-demo-2-db", "--timeout=300s"]) +
            timeCommand("kubectl", ["wait", "-n", NAMESPACE, "--for=jsonpath={.status.loadBalancer.ingress}", "service/go-demo-2-api", "--timeout=300s"]);
        // The same API Pods as a Deployment beside them, then the same release through it.
        timeCommand("kubectl", ["apply", "-f", apiDeployment(files)]);
        timeCommand("kubectl", ["rollout", "status", "-n", NAMESPACE, "deployment/go-demo-2-api", "--timeout=300s"]);
        const kubectlRelease =
            timeCommand("kubectl", ["set", "image", "-n", NAMESPACE, "deployment/go-demo-2-api", `api=${RELEASE_IMAGE}`, `wait-for-db=${RELEASE_IMAGE}`]) +
            timeCommand("kubectl", ["rollout", "status", "-n", NAMESPACE, "deployment/go-demo-2-api", "--timeout=300s"]);
        timeCommand("kubectl", ["delete", "namespace", NAMESPACE, "--wait=true"]);

        report("pulumi up --skip-preview, empty → all Ready", `${s(up.seconds)} (${phases(up)})`);
        report("kubectl apply -f <rendered> + kubectl wait", `${s(apply + wait)} (up is ${against(up.seconds, apply + wait, 3)} apply + wait)`);
        report("pulumi up --skip-preview, release of a new API image", `${s(release.seconds)} (${phases(release)})`);
        report(
            "kubectl set image + rollout status (a Deployment, same Pods)",
            `${s(kubectlRelease)} (the release is ${ratio(release.seconds, kubectlRelease)} kubectl's)`,
        );
        report("pulumi destroy --skip-preview", s(destroy));
        report("peak memory of the program in a real preview", `${peak.toFixed(0)} MiB RSS`);
    } finally {
        await stack.destroy({ color: "never" }).catch(() => undefined);
        await stack.workspace.removeStack("bench").catch(() => undefined);
        spawnSync("kubectl", ["delete", "namespace", NAMESPACE, "--ignore-not-found"], { stdio: "ignore" });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    process.stderr.write(`[bench] ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
    unitSuite();
    programUnderMocks();
    await engineAgainstKubectl();
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write("\n" + rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n") + "\n");
}

main().catch((e: Error) => {
    process.stderr.write(`[bench] ${e.stack}\n`);
    process.exit(1);
});
