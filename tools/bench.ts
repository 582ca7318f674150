/**
 * npm run bench: figures, side by side on one machine, printed and not asserted. Runs on the
 * local control plane (scripts/with-local-cluster.sh) with the real engine; budgets are in README.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { render } from "./render";
import { copyProject, root, stackIn } from "./workspace";

const NAMESPACE = "bench-go-demo-2";
/** The image the release figures move the API to; dev runs `vfarcic/go-demo-2`. */
const RELEASE_IMAGE = "vfarcic/go-demo-2:2.0";
const rows: [string, string][] = [];

function report(label: string, value: string): void {
    rows.push([label, value]);
    process.stderr.write(`[bench] ${label}: ${value}\n`);
}

/** Wall seconds of a command (output discarded); fails loudly if it fails, unless `ok` accepts the status. */
function timeCommand(cmd: string, args: string[], ok: (status: number) => boolean = (s) => s === 0): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status === null || !ok(result.status)) {
        throw new Error(`${cmd} ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timeAsync(work: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - start) / 1e9;
}

const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

function unitSuite(): void {
    const jest = path.join(root, "node_modules", ".bin", "jest");
    const swc = timeCommand(jest, ["--silent"]);
    const tsJest = timeCommand(jest, ["--silent", "--config", "tools/jest.ts-jest.config.js"]);
    report("unit suite, @swc/jest (the project's runner)", s(swc));
    report("unit suite, ts-jest preset (same tests)", `${s(tsJest)} (${ratio(tsJest, swc)} the project's runner)`);
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

/**
 * Peak RSS (MiB) of the program's own Node.js process while `work` runs the engine: every Node.js
 * process the engine starts preloads tools/peakMemory.js, which reports on exit.
 */
async function programPeakMemory(work: () => Promise<unknown>): Promise<number> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-peak-")), "peaks.jsonl");
    const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, FILE: process.env.GO_DEMO_2_PEAK_MEMORY_FILE };
    process.env.NODE_OPTIONS = `${saved.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "peakMemory.js")}`.trim();
    process.env.GO_DEMO_2_PEAK_MEMORY_FILE = file;
    try {
        await work();
    } finally {
        process.env.NODE_OPTIONS = saved.NODE_OPTIONS;
        process.env.GO_DEMO_2_PEAK_MEMORY_FILE = saved.FILE;
        if (saved.NODE_OPTIONS === undefined) delete process.env.NODE_OPTIONS;
        if (saved.FILE === undefined) delete process.env.GO_DEMO_2_PEAK_MEMORY_FILE;
    }
    const runs = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { script: string; maxRssKiB: number })
        // The language host starts the program through @pulumi/pulumi's cmd/run.
        .filter((r) => /cmd[/\\]run$|cmd[/\\]run[/\\]/.test(r.script ?? ""));
    if (runs.length === 0) {
        throw new Error(`no program process reported its memory in ${file}`);
    }
    return Math.max(...runs.map((r) => r.maxRssKiB)) / 1024;
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
        await render("dev", manifests, root, config);
        const files = path.join(manifests, "1-manifest");

        const up = await timeAsync(() => stack.up({ color: "never" }));
        const preview = await timeAsync(() => stack.preview({ expectNoChanges: true, color: "never" }));
        const peak = await programPeakMemory(() => stack.preview({ color: "never" }));
        // kubectl diff exits 1 when it finds differences (fields Pulumi manages that the rendered files leave out).
        const diff = timeCommand("kubectl", ["diff", "-f", files], (st) => st === 0 || st === 1);
        await stack.setConfig("go-demo-2:apiImage", { value: RELEASE_IMAGE });
        const release = await timeAsync(() => stack.up({ color: "never" }));
        const destroy = await timeAsync(() => stack.destroy({ color: "never" }));

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
            timeCommand("kubectl", ["set", "image", "-n", NAMESPACE, "deployment/go-demo-2-api", `api=${RELEASE_IMAGE}`]) +
            timeCommand("kubectl", ["rollout", "status", "-n", NAMESPACE, "deployment/go-demo-2-api", "--timeout=300s"]);
        timeCommand("kubectl", ["delete", "namespace", NAMESPACE, "--wait=true"]);

        report("no-op pulumi preview", s(preview));
        report("kubectl diff -f <rendered>", `${s(diff)} (preview is ${ratio(preview, diff)} kubectl diff)`);
        report("pulumi up, empty → all Ready", s(up));
        report("kubectl apply -f <rendered> + kubectl wait", `${s(apply + wait)} (up is ${ratio(up, apply + wait)} apply + wait)`);
        report("pulumi up, release of a new API image", s(release));
        report(
            "kubectl set image + rollout status (a Deployment, same Pods)",
            `${s(kubectlRelease)} (the release is ${ratio(release, kubectlRelease)} kubectl's)`,
        );
        report("pulumi destroy", s(destroy));
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
