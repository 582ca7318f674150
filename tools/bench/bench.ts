/**
 * npm run bench [-- --quick]: the figures of docs/benchmarks.md, side by side on one machine, each
 * ratio beside its target and printed, never asserted. Runs on the local control plane
 * (scripts/commands/with-local-cluster.sh) with the real engine. `--quick` runs each measurement
 * once (what CI runs: it proves every figure is still produced) and exits 1 when one is missing.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { root } from "../project/root";
import { copyProject, stackIn } from "../project/workspace";
import { render } from "../review/render";
import { median, medianRun, phases, probed, ProbedRun, Report, seconds, timeCommand } from "./measure";

const quick = process.argv.includes("--quick");
/** How many times each paired measurement runs; the report gives medians. */
const RUNS = quick ? 1 : 5;
const NAMESPACE = "bench-go-demo-2";
/** The image the release figures move the API to; dev runs `vfarcic/go-demo-2`. */
const RELEASE_IMAGE = "vfarcic/go-demo-2:2.0";
const report = new Report();

/** The figures every run must produce (the quick run in CI fails without one). */
const FIGURES = [
    "wrapper: npm run pulumi -- version over pulumi version",
    "program under mocks, dev stack",
    "no-op preview, the floor: a program that registers nothing",
    "no-op preview: pulumi preview over kubectl diff",
    "no-op preview: npm run pulumi -- preview over kubectl diff",
    "up: empty → all Ready over kubectl apply + wait",
    "release: a new API image over kubectl set image + rollout status",
    "pulumi destroy",
    "peak memory of the program in a real preview",
];

/** What the project's wrapper adds before the tool starts: the documented command against the bare CLI, paired. */
function wrapperOverhead(): void {
    const pairs = Array.from({ length: RUNS * 2 + 1 }, () => ({
        wrapped: timeCommand("npm", ["run", "--silent", "pulumi", "--", "version"]),
        bare: timeCommand("pulumi", ["version"]),
    }));
    const wrapped = median(pairs.map((p) => p.wrapped));
    const bare = median(pairs.map((p) => p.bare));
    report.overhead(FIGURES[0], wrapped, bare, 0.2, `${seconds(wrapped)} against ${seconds(bare)}, medians of ${pairs.length}`);
}

function programUnderMocks(): void {
    const run = (extra: number) => {
        const out = execFileSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join(__dirname, "benchProgram.ts"), String(extra)], {
            cwd: root,
            encoding: "utf8",
        });
        return JSON.parse(out.trim().split("\n").pop()!) as { ms: number; resources: number; maxRssMiB: number };
    };
    const dev = run(0);
    report.figure(FIGURES[1], `${dev.ms.toFixed(0)} ms, ${dev.resources} resources, peak RSS ${dev.maxRssMiB.toFixed(0)} MiB`);
    if (!quick) {
        const hundred = run(100);
        report.figure(
            "program under mocks, dev + 100 generated Services",
            `${hundred.ms.toFixed(0)} ms, ${hundred.resources} resources, peak RSS ${hundred.maxRssMiB.toFixed(0)} MiB; ` +
                `${((hundred.ms - dev.ms) / 100).toFixed(1)} ms per extra Service`,
        );
    }
}

const PREVIEW = ["preview", "--expect-no-changes", "--color", "never", "--non-interactive"];

/** A no-op preview of a stack in `cwd` by the bare CLI, probed. */
function previewOnce(cwd: string, stack: string): ProbedRun {
    return probed(() => timeCommand("pulumi", [...PREVIEW, "--stack", stack], { cwd }));
}

/** The engine's own floor: a no-op preview of a program that registers nothing, through the same main.js. */
async function previewFloor(tmp: string): Promise<void> {
    const dir = copyProject([], root, tmp);
    fs.writeFileSync(path.join(dir, "index.ts"), "export default async function main() {\n    return {};\n}\n");
    const stack = await stackIn(dir, "floor");
    try {
        // Its one resource, the stack itself, exists before the previews, as dev's objects do.
        timeCommand("pulumi", ["up", "--yes", "--skip-preview", "--stack", "floor", "--non-interactive"], { cwd: dir });
        const floor = medianRun(Array.from({ length: RUNS }, () => previewOnce(dir, "floor")));
        report.figure(FIGURES[2], `${seconds(floor.seconds)} (${phases(floor)})`);
    } finally {
        await stack.workspace.removeStack("floor", { force: true }).catch(() => undefined);
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
    const withoutHash = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "pod-template-hash"));
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

/** kubectl's way to the same objects, Ready: apply the rendered files, then wait for what up waits for. */
function kubectlApplyAndWait(files: string): number {
    // kubectl applies a folder in file-name order; the Namespace must exist first.
    const namespaceFile = fs.readdirSync(files).find((f) => f.startsWith("v1-namespace-"))!;
    const wait = (what: string, condition: string) =>
        timeCommand("kubectl", ["wait", "-n", NAMESPACE, `--for=jsonpath=${condition}`, ...what.split(" "), "--timeout=300s"]);
    return (
        timeCommand("kubectl", ["apply", "-f", path.join(files, namespaceFile)]) +
        timeCommand("kubectl", ["apply", "-f", files]) +
        wait("replicaset -l app.kubernetes.io/instance=go-demo-2-api", "{.status.readyReplicas}=3") +
        wait("replicaset -l app.kubernetes.io/instance=go-demo-2-db", "{.status.readyReplicas}=1") +
        wait("service/go-demo-2-api", "{.status.loadBalancer.ingress}")
    );
}

/** kubectl's release of the same API Pods: a Deployment beside them, moved to the new image. */
function kubectlRelease(files: string): number {
    timeCommand("kubectl", ["apply", "-f", apiDeployment(files)]);
    timeCommand("kubectl", ["rollout", "status", "-n", NAMESPACE, "deployment/go-demo-2-api", "--timeout=300s"]);
    return (
        timeCommand("kubectl", ["set", "image", "-n", NAMESPACE, "deployment/go-demo-2-api", `api=${RELEASE_IMAGE}`, `wait-for-db=${RELEASE_IMAGE}`]) +
        timeCommand("kubectl", ["rollout", "status", "-n", NAMESPACE, "deployment/go-demo-2-api", "--timeout=300s"])
    );
}

async function engineAgainstKubectl(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-bench-"));
    const manifests = path.join(tmp, "rendered");
    const stack = await stackIn(copyProject(["dev"], root, tmp), "bench");
    const dir = stack.workspace.workDir;
    try {
        // A stack named bench with dev's config: a copy of the dev stack file under that name.
        fs.copyFileSync(path.join(root, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.bench.yaml"));
        await stack.setConfig("go-demo-2:namespace", { value: NAMESPACE });
        // up waits for the load balancer's address, as `kubectl wait` below does (dev does not by default).
        await stack.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "300" });
        await render("dev", manifests, root, { "go-demo-2:namespace": NAMESPACE });
        const files = path.join(manifests, "1-manifest");

        // The CLI itself, as a user runs it (the Automation API adds a `stack output` call to each up).
        const pulumi = (...args: string[]) =>
            timeCommand("pulumi", [...args, "--stack", "bench", "--color", "never", "--non-interactive"], { cwd: dir });
        const up = probed(() => pulumi("up", "--yes", "--skip-preview"));
        report.figure("pulumi up --skip-preview, empty → all Ready", `${seconds(up.seconds)} (${phases(up)})`);

        await previewFloor(tmp);
        // Each preview beside a kubectl diff, so that all three meet the same load on a shared machine.
        // kubectl diff exits 1 when it finds differences (fields Pulumi manages that the rendered files leave out).
        const runs = Array.from({ length: RUNS }, () => ({
            direct: previewOnce(dir, "bench"),
            documented: timeCommand("npm", ["run", "--silent", "pulumi", "--", ...PREVIEW, "--stack", "bench", "--cwd", dir]),
            diff: timeCommand("kubectl", ["diff", "-f", files], { ok: (st) => st === 0 || st === 1 }),
        }));
        const direct = medianRun(runs.map((r) => r.direct));
        const documented = median(runs.map((r) => r.documented));
        const diff = median(runs.map((r) => r.diff));
        const of = `medians of ${RUNS}`;
        report.figure("no-op pulumi preview", `${seconds(direct.seconds)} (${phases(direct)})`);
        report.ratio(FIGURES[3], direct.seconds, diff, 2, `${seconds(direct.seconds)} against ${seconds(diff)}, ${of}`);
        report.ratio(FIGURES[4], documented, diff, 2, `${seconds(documented)} against ${seconds(diff)}, ${of}`);
        report.figure(FIGURES[8], `${(Math.max(...runs.map((r) => r.direct.program.maxRssKiB)) / 1024).toFixed(0)} MiB RSS`);

        await stack.setConfig("go-demo-2:apiImage", { value: RELEASE_IMAGE });
        const release = probed(() => pulumi("up", "--yes", "--skip-preview"));
        report.figure("pulumi up --skip-preview, release of a new API image", `${seconds(release.seconds)} (${phases(release)})`);
        report.figure(FIGURES[7], seconds(pulumi("destroy", "--yes", "--skip-preview")));

        const applyWait = kubectlApplyAndWait(files);
        report.ratio(FIGURES[5], up.seconds, applyWait, 2, `${seconds(up.seconds)} against ${seconds(applyWait)}`);
        const rollout = kubectlRelease(files);
        report.ratio(FIGURES[6], release.seconds, rollout, 3, `${seconds(release.seconds)} against ${seconds(rollout)}`);
        timeCommand("kubectl", ["delete", "namespace", NAMESPACE, "--wait=true"]);
    } finally {
        await stack.destroy({ color: "never" }).catch(() => undefined);
        await stack.workspace.removeStack("bench", { force: true }).catch(() => undefined);
        spawnSync("kubectl", ["delete", "namespace", NAMESPACE, "--ignore-not-found"], { stdio: "ignore" });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    process.stderr.write(
        `[bench] ${quick ? "quick: each measurement once; " : ""}${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`,
    );
    wrapperOverhead();
    programUnderMocks();
    await engineAgainstKubectl();
    process.stdout.write(`\n${report.table()}\n`);
    const missing = FIGURES.filter((f) => !report.labels().includes(f));
    if (missing.length > 0) {
        throw new Error(`figures not produced: ${missing.join("; ")}`);
    }
}

main().catch((e: Error) => {
    process.stderr.write(`[bench] ${e.stack}\n`);
    process.exit(1);
});
