/**
 * `npm run smoke` on a deployed dev stack, on the local control plane: the runner (tools/smoke/smoke.ts)
 * reads the stack's outputs and live Services, creates the Job, follows it to its end through the
 * real Job controller, prints the table and deletes the Job. Nothing runs inside a Pod here: the
 * simulated kubelet completes a Job's Pod without running it, which the runner must report as a
 * failure. For the other outcomes the nodes are cordoned, so the Pod stays unscheduled, and the
 * test reports its end the way a kubelet would (its status, with the script's rows as the
 * termination message); the Job controller and the runner take it from there.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

import { root } from "../../tools/project/root";
import { eventually, kubectl, kubectlJson } from "./kube";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(10 * 60_000);
afterAll(printTimings);

const namespace = "e2e-go-demo-2-smoke";
let stack: Stack | undefined;

beforeAll(async () => {
    stack = await testStack("dev", namespace);
    await stack.setConfig("go-demo-2:replicas", { value: "1" });
    await timed("smoke: dev up", () => stack!.up({ color: "never" }));
});

afterAll(async () => {
    await timed("smoke: destroy", () => destroyTestStack(stack));
});

interface Ran {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** `npm run smoke -- dev [args]`'s program, in the test stack's project. */
function smoke(...args: string[]): { child: ChildProcess; done: Promise<Ran> } {
    const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), [path.join(root, "tools", "smoke", "smoke.ts"), "dev", ...args], {
        cwd: stack!.workspace.workDir,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const done = new Promise<Ran>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
    return { child, done };
}

const jobs = () => kubectlJson("get", "jobs", "-n", namespace).items as { metadata: { name: string; deletionTimestamp?: string } }[];
const nodes = () => kubectlJson("get", "nodes").items.map((n: { metadata: { name: string } }) => n.metadata.name) as string[];

/** The smoke Job's Pod, once it exists, and the number of checks its Job carries. */
async function smokePod(): Promise<{ pod: string; checks: number }> {
    return eventually(() => {
        const pod = kubectlJson("get", "pods", "-n", namespace, "-l", "app.kubernetes.io/name=go-demo-2-smoke").items[0];
        if (!pod) {
            throw new Error("no smoke Pod yet");
        }
        const env = pod.spec.containers[0].env.find((e: { name: string }) => e.name === "CHECKS").value as string;
        return { pod: pod.metadata.name as string, checks: env.split("\n").length };
    }, 60_000);
}

/** Ends the Pod as a kubelet reports a container that exited: its phase, exit code and termination message. */
function endPod(pod: string, exitCode: number, message: string): void {
    const now = new Date().toISOString();
    const status = {
        phase: exitCode === 0 ? "Succeeded" : "Failed",
        containerStatuses: [
            {
                name: "smoke",
                image: kubectlJson("get", "pod", pod, "-n", namespace).spec.containers[0].image,
                imageID: "",
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", message, startedAt: now, finishedAt: now } },
            },
        ],
    };
    kubectl("patch", "pod", pod, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status }));
}

function expectNoJobLeft(): Promise<unknown> {
    // Deleted in the background: gone once the garbage collector has removed its Pod.
    return eventually(() => expect(jobs().filter((j) => !j.metadata.deletionTimestamp)).toEqual([]), 30_000);
}

it("on the local cluster, whose kubelets run nothing, fails: the Job completed without results", async () => {
    const ran = await timed("smoke: run (simulated kubelet)", () => smoke("--timeout", "60").done);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^ClusterIP\n/);
    for (const type of ["NodePort", "LoadBalancer", "ExternalName"]) {
        expect(ran.stdout).toContain(`\n${type}\n`);
    }
    expect(ran.stdout).toContain("FAIL  no result");
    expect(ran.stdout).toMatch(/FAILED: the Job completed, but its Pod left no results: .*: 0 of \d+ checks passed\n$/);
    await expectNoJobLeft();
});

describe("with a kubelet's report of the script's end (nodes cordoned, the test reports it)", () => {
    beforeAll(() => nodes().forEach((n) => kubectl("cordon", n)));
    afterAll(() => nodes().forEach((n) => kubectl("uncordon", n)));

    it("passes when every check reported ok, and deletes the Job", async () => {
        const run = smoke("--timeout", "120");
        const { pod, checks } = await smokePod();
        endPod(pod, 0, Array.from({ length: checks }, (_, i) => `${i + 1} ok`).join("\n"));
        const ran = await timed("smoke: run (passes)", () => run.done);
        expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("deleted") });
        expect(ran.stdout).not.toContain("FAIL");
        expect(ran.stdout).toContain(`PASSED: the Job completed: ${checks} of ${checks} checks passed`);
        expect(ran.stdout).toMatch(/go-demo-2-api +\/demo\/hello through the load balancer +http:\/\/[0-9.]+:8080\/demo\/hello +ok/);
        await expectNoJobLeft();
    });

    it("fails with the failed check's row when the script exited 1", async () => {
        const run = smoke("--timeout", "120");
        const { pod, checks } = await smokePod();
        const rows = Array.from({ length: checks }, (_, i) => `${i + 1} ok`);
        rows[1] = "2 FAIL curl: (7) Failed to connect to 10.96.0.20 port 28017";
        endPod(pod, 1, rows.join("\n"));
        const ran = await timed("smoke: run (a check fails)", () => run.done);
        expect(ran.code).toBe(1);
        expect(ran.stdout.split("\n").filter((l) => l.includes("FAIL  "))).toEqual([expect.stringMatching(/ FAIL {2}curl: \(7\) Failed to connect to 10\.96\.0\.20 port 28017$/)]);
        expect(ran.stdout).toMatch(/FAILED: the Job failed: BackoffLimitExceeded .*: \d+ of \d+ checks passed\n$/);
        await expectNoJobLeft();
    });

    it("fails at the Job's deadline when its Pod never runs, and still deletes the Job", async () => {
        const ran = await timed("smoke: run (deadline)", () => smoke("--timeout", "5").done);
        expect(ran.code).toBe(1);
        expect(ran.stdout).toMatch(/FAILED: the Job failed: DeadlineExceeded .*: 0 of \d+ checks passed\n$/);
        await expectNoJobLeft();
    });
});
