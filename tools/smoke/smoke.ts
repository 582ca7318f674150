/**
 * npm run smoke [-- <stack>] [--timeout <seconds>] [--image <ref>]: proves, from inside the cluster, that a
 * deployed stack's Services route. Reads the stack's outputs (namespace, DNS names), the live
 * Services and a Ready node, runs the smoke Job (smokeJob.ts) in the stack's namespace,
 * prints a table per Service type, deletes the Job, and exits 1 when a check failed, the Job
 * failed or it did not end in time. The Job's Pod is placed as the stack's Pods are (its
 * `nodeSelector` and `tolerateTaints` config), and the node port checks go to a node that matches;
 * `--image` replaces the curl image (the local cluster's real node has a stand-in, docs/real-node.md).
 */
import { execFileSync } from "child_process";
import { parseArgs } from "util";

import { liveServices, readyNodeAddress, smokeChecks, smokeJob, SmokeOutcome, smokeOutcome, SmokeStatus, smokeTable } from "./smokeJob";

const POLL_MS = 2_000;
/** How long the runner waits past the Job's own deadline for the Job controller to say it failed. */
const GRACE_SECONDS = 30;

function kubectl(args: string[], input?: string): string {
    return execFileSync("kubectl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const kubectlJson = (...args: string[]): any => JSON.parse(kubectl([...args, "-o", "json"]));

const log = (line: string) => process.stderr.write(`[smoke] ${line}\n`);

/** The Job's and its Pod's status, once it ended or the wait ran out. */
async function waitForJob(namespace: string, name: string, waitSeconds: number): Promise<SmokeStatus> {
    const deadline = Date.now() + waitSeconds * 1000;
    const read = (): SmokeStatus => {
        const job = kubectlJson("get", "job", name, "-n", namespace).status ?? {};
        const pod = kubectlJson("get", "pods", "-n", namespace, "-l", `batch.kubernetes.io/job-name=${name}`).items[0]?.status;
        return { job, pod };
    };
    let last = "";
    for (;;) {
        const status = read();
        const ended = status.job?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
        if (ended) {
            return status;
        }
        if (Date.now() > deadline) {
            return { ...status, timedOut: true };
        }
        const phase = status.pod?.phase ?? "no Pod yet";
        if (phase !== last) {
            log(`Job ${name}: ${phase}`);
            last = phase;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
}

/** The stack's placement config (nodeSelector, tolerateTaints), empty where unset. */
function placement(stack: string): { nodeSelector: Record<string, string>; tolerateTaints: string[] } {
    const config = JSON.parse(execFileSync("pulumi", ["config", "--json", "--stack", stack], { encoding: "utf8" })) as Record<string, { value?: string }>;
    const read = <T>(key: string, empty: T): T => (config[`go-demo-2:${key}`]?.value ? (JSON.parse(config[`go-demo-2:${key}`].value!) as T) : empty);
    return { nodeSelector: read("nodeSelector", {}), tolerateTaints: read("tolerateTaints", []) };
}

export async function runSmoke(stack: string, timeoutSeconds: number, image?: string): Promise<SmokeOutcome> {
    log(`stack ${stack}: reading its outputs`);
    const outputs = JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" }));
    const { nodeSelector, tolerateTaints } = placement(stack);
    const selector = Object.entries(nodeSelector).map(([k, v]) => `${k}=${v}`).join(",");
    const namespace: string | undefined = outputs.namespace;
    if (!namespace) {
        throw new Error(`stack ${stack} has no namespace output: is it deployed (npm run up -- ${stack})?`);
    }
    // The live objects, not Pulumi's record of them: the test is of what the cluster serves now.
    const services = liveServices(kubectlJson("get", "services", "-n", namespace, "-l", "app.kubernetes.io/part-of=go-demo-2"));
    const nodeAddress = readyNodeAddress(kubectlJson("get", "nodes", ...(selector ? ["-l", selector] : [])));
    const name = `go-demo-2-smoke-${Date.now().toString(36)}`;
    const checks = smokeChecks({ services, dnsNames: outputs.dnsNames ?? {}, nodeAddress, person: name });
    if (checks.length === 0) {
        throw new Error(`namespace ${namespace} has no Service of the stack to check`);
    }
    log(`namespace ${namespace}: ${services.length} Services, ${checks.length} checks, Job ${name} (deadline ${timeoutSeconds} s)`);
    kubectl(["create", "-f", "-"], JSON.stringify(smokeJob({ name, namespace, checks, deadlineSeconds: timeoutSeconds, image, nodeSelector, tolerateTaints })));
    let status: SmokeStatus;
    try {
        status = await waitForJob(namespace, name, timeoutSeconds + GRACE_SECONDS);
    } finally {
        kubectl(["delete", "job", name, "-n", namespace, "--cascade=background", "--wait=false", "--ignore-not-found"]);
        log(`Job ${name} deleted`);
    }
    return smokeOutcome(checks, status);
}

async function main(): Promise<void> {
    const { positionals, values } = parseArgs({
        allowPositionals: true,
        options: { timeout: { type: "string", default: "120" }, image: { type: "string" } },
    });
    const stack = positionals[0] ?? "dev";
    const timeoutSeconds = Number(values.timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
        throw new Error(`--timeout ${values.timeout}: a whole number of seconds, at least 1`);
    }
    const outcome = await runSmoke(stack, timeoutSeconds, values.image);
    process.stdout.write(`${smokeTable(outcome.rows)}\n${outcome.ok ? "PASSED" : "FAILED"}: ${outcome.summary}\n`);
    process.exitCode = outcome.ok ? 0 : 1;
}

if (require.main === module) {
    main().catch((e: unknown) => {
        log(`ERROR: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
    });
}
