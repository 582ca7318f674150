/**
 * What the dev stack survives, on a real control plane with three fake nodes (the real scheduler
 * places Pods, the real controller-manager runs node lifecycle and taint-based eviction; kwok
 * only plays the kubelets): its API Pods spread over the nodes, two node drains, and a node that
 * stops reporting. Each `it` builds on the one before, so the steps run in order. Run through
 * `npm run test:e2e`, whose wrapper starts the three nodes.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { selectors } from "../../components/labels";
import { parseConfig } from "../../config";
import { names } from "../../stack";
import { copyProject, stackIn } from "../../tools/project/workspace";
import { root } from "../../tools/project/root";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { eventually, kubectl, kubectlAsync, kubectlJson, pods } from "./kube";
import { timed, timings } from "./timings";
import { watchReadyEndpoints } from "./watch";

jest.setTimeout(15 * 60_000);

const STACK = "dev";
/** A stack name of its own in the test backend, so this file never shares state with stack.e2e. */
const STACK_NAME = "dev-disruption";
const namespace = "e2e-go-demo-2-disruption";
const config = parseConfig(stackFileConfig(STACK), STACK);
const replicas = config.replicas;
const toleration = config.nodeLossTolerationSeconds;
/** MongoDB's own, Kubernetes' 300 s by default: its ReadWriteOnce claim cannot follow it off a lost node sooner. */
const dbToleration = config.dbNodeLossTolerationSeconds;
/**
 * What replacing a lost node's Pods may take beyond their toleration: the taint manager acting,
 * the ReplicaSet controller, the scheduler and the (simulated) kubelet, on a busy 2-core machine.
 */
const NODE_LOSS_MARGIN_S = 20;
/** Generous: the drains wait for PodDisruptionBudgets, which on this cluster frees within seconds. */
const DRAIN_TIMEOUT = "180s";

const figures: string[] = [];
const report = (line: string) => {
    figures.push(line);
    process.stdout.write(`${line}\n`);
};

afterAll(() => {
    process.stdout.write(
        "\nwhat the dev stack survived:\n" +
            figures.map((f) => `  ${f}`).join("\n") +
            "\n" +
            timings.map(([label, s]) => `  ${label}: ${s.toFixed(1)} s`).join("\n") +
            "\n",
    );
});

const cluster = (...args: string[]) =>
    execFileSync("bash", [path.join(root, "scripts", "cluster", "cluster.sh"), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

interface NodeInfo {
    name: string;
    ready: string;
    unschedulable: boolean;
    taints: { key: string; effect: string; timeAdded?: string }[];
}
const nodes = (): NodeInfo[] =>
    kubectlJson("get", "nodes").items.map(
        (n: { metadata: { name: string }; spec: { unschedulable?: boolean; taints?: NodeInfo["taints"] }; status: { conditions: { type: string; status: string }[] } }) => ({
            name: n.metadata.name,
            ready: n.status.conditions.find((c) => c.type === "Ready")?.status ?? "",
            unschedulable: n.spec.unschedulable ?? false,
            taints: n.spec.taints ?? [],
        }),
    );

const apiPods = () => pods(namespace, selectors.api);
const dbPods = () => pods(namespace, selectors.db);
/** API Pods per node, e.g. { "kwok-node-0": 2, "kwok-node-2": 1 }. */
const apiPodsPerNode = () =>
    apiPods().reduce<Record<string, number>>((n, p) => ({ ...n, [p.node]: (n[p.node] ?? 0) + 1 }), {});
/** Cluster IP of every Service of the stack: what no disruption may move. */
const clusterIPs = () =>
    Object.fromEntries(
        kubectlJson("get", "services", "-n", namespace).items.map((s: { metadata: { name: string }; spec: { clusterIP?: string } }) => [
            s.metadata.name,
            s.spec.clusterIP,
        ]),
    );

/**
 * Puts MongoDB's Pod on `node` (the other nodes cordoned while its ReplicaSet replaces it), so
 * that a node loss there shows what MongoDB's own toleration does; returns the Pod.
 */
async function mongoDbOn(node: string) {
    const [current] = dbPods();
    if (current.node === node) {
        return current;
    }
    const others = nodes()
        .map((n) => n.name)
        .filter((n) => n !== node && !lostNodes.includes(n));
    others.forEach((n) => kubectl("cordon", n));
    try {
        kubectl("delete", "pod", current.name, "-n", namespace, "--wait=false");
        return await eventually(() => {
            const [moved] = dbPods();
            expect([moved?.name === current.name, moved?.node, moved?.ready]).toEqual([false, node, true]);
            return moved;
        }, 60_000);
    } finally {
        others.forEach((n) => kubectl("uncordon", n));
    }
}

/** Every API Pod Ready and off `node`, and as many as the stack asks for. */
const apiBackOffNode = (node: string) => {
    const all = apiPods();
    expect([all.length, all.every((p) => p.ready), all.filter((p) => p.node === node)]).toEqual([replicas, true, []]);
    return all;
};

/**
 * Drains a node while following the API's ready endpoints, running `meanwhile` beside the drain;
 * returns the endpoints' minimum and the drain's output.
 */
async function drainWatched(
    node: string,
    meanwhile: () => Promise<void> = async () => undefined,
): Promise<{ minimum: number; output: string; seconds: number }> {
    const endpoints = watchReadyEndpoints(namespace, names.api);
    const start = Date.now();
    let drained: { stdout: string; stderr: string };
    try {
        const drain = kubectlAsync(
            "drain",
            node,
            "--ignore-daemonsets",
            // MongoDB's /tmp (and, in the lab, its data) is an emptyDir: a drain must be told it may go.
            "--delete-emptydir-data",
            `--timeout=${DRAIN_TIMEOUT}`,
        );
        const [result] = await Promise.all([drain, meanwhile()]);
        drained = result;
    } catch (e) {
        await endpoints.stop().catch(() => undefined);
        throw e;
    }
    const minimum = Math.min(...(await endpoints.stop()));
    const output = drained.stdout + drained.stderr;
    // The Pods a drain evicts come back on the other nodes once their ReplicaSets replace them.
    await eventually(() => apiBackOffNode(node), 60_000);
    return { minimum, output, seconds: (Date.now() - start) / 1000 };
}

let stack: Stack;
const lostNodes: string[] = [];
let ipsBefore: Record<string, string>;

beforeAll(async () => {
    const ready = nodes().filter((n) => n.ready === "True" && !n.unschedulable);
    if (ready.length < 3) {
        throw new Error(
            `these tests need 3 schedulable Ready nodes, the cluster has ${ready.length}: ` +
                `run them through npm run test:e2e, or start the local cluster with npm run cluster -- start --nodes 3`,
        );
    }
    const dir = copyProject([STACK]);
    fs.renameSync(path.join(dir, `Pulumi.${STACK}.yaml`), path.join(dir, `Pulumi.${STACK_NAME}.yaml`));
    stack = await stackIn(dir, STACK_NAME);
    await stack.setConfig("go-demo-2:namespace", { value: namespace });
});

afterAll(async () => {
    // Whatever failed, leave every node schedulable and reporting, and nothing of the stack behind.
    for (const node of lostNodes) {
        cluster("node-back", node);
    }
    for (const node of nodes().filter((n) => n.unschedulable)) {
        kubectl("uncordon", node.name);
    }
    await stack?.destroy({ color: "never" }).catch(() => undefined);
    await stack?.workspace.removeStack(STACK_NAME).catch(() => undefined);
    if (stack) {
        fs.rmSync(stack.workspace.workDir, { recursive: true, force: true });
    }
});

it("up: the API's Pods land on three different nodes", async () => {
    await timed("up (empty → all Ready)", () => stack.up({ color: "never" }));
    ipsBefore = clusterIPs();
    const perNode = apiPodsPerNode();
    report(`spread: API Pods per node ${JSON.stringify(perNode)}`);
    expect(Object.values(perNode)).toEqual([1, 1, 1]);
    expect(kubectlJson("get", "poddisruptionbudget", names.api, "-n", namespace).status).toMatchObject({
        currentHealthy: replicas,
        desiredHealthy: replicas - 1,
        disruptionsAllowed: 1,
    });
});

it("a drain of MongoDB's node completes; the API never drops below replicas - 1, MongoDB moves", async () => {
    const [db] = dbPods();
    const claim = kubectlJson("get", "pod", db.name, "-n", namespace).spec.volumes.find(
        (v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim,
    );
    const { minimum, seconds } = await timed("drain of MongoDB's node", () => drainWatched(db.node));
    // No budget holds the single MongoDB: it is evicted and recreated elsewhere, on the same claim.
    const moved = await eventually(() => {
        const now = dbPods();
        expect([now.length, now[0].ready, now[0].node === db.node]).toEqual([1, true, false]);
        return now[0];
    }, 60_000);
    expect(kubectlJson("get", "pod", moved.name, "-n", namespace).spec.volumes).toContainEqual(claim);
    report(
        `drain of ${db.node} (MongoDB + 1 API Pod): completed in ${seconds.toFixed(1)} s, ready API endpoints never below ` +
            `${minimum}; MongoDB evicted and Ready again on ${moved.node} with the same claim`,
    );
    expect(minimum).toBeGreaterThanOrEqual(replicas - 1);
    kubectl("uncordon", db.node);
});

it("a drain of a node holding two API Pods evicts the second only once a replacement is Ready (the PodDisruptionBudget)", async () => {
    const [crowded, count] = Object.entries(apiPodsPerNode()).sort(([, a], [, b]) => b - a)[0];
    expect(count).toBe(2);
    // Replacements that cannot start yet, as when the other nodes are being upgraded too (or an
    // image is slow to pull): the budget must hold the second Pod until one can.
    const others = nodes()
        .map((n) => n.name)
        .filter((n) => n !== crowded);
    others.forEach((n) => kubectl("cordon", n));
    let held = 0;
    const { minimum, output, seconds } = await timed("drain of a node with 2 API Pods", () =>
        drainWatched(crowded, async () => {
            await eventually(() => {
                expect(apiPods().filter((p) => p.node === crowded)).toHaveLength(1);
                expect(kubectlJson("get", "poddisruptionbudget", names.api, "-n", namespace).status.disruptionsAllowed).toBe(0);
            }, 60_000);
            // Longer than kubectl drain's 5 s between retries: the budget refuses the second Pod.
            const since = Date.now();
            await new Promise((resolve) => setTimeout(resolve, 8_000));
            expect(apiPods().filter((p) => p.node === crowded)).toHaveLength(1);
            held = (Date.now() - since) / 1000;
            others.forEach((n) => kubectl("uncordon", n));
        }),
    );
    report(
        `drain of ${crowded} (2 API Pods, replacements held back ${held.toFixed(0)} s): completed in ${seconds.toFixed(1)} s, ` +
            `ready API endpoints never below ${minimum}`,
    );
    expect(minimum).toBeGreaterThanOrEqual(replicas - 1);
    expect(output).toMatch(/violate the pod's disruption budget/);
    kubectl("uncordon", crowded);
    expect(clusterIPs()).toEqual(ipsBefore);
});

it(`a node that stops reporting: its Pods are replaced on the others ${toleration} s after it is found unreachable`, async () => {
    const [victim, count] = Object.entries(apiPodsPerNode()).sort(([, a], [, b]) => b - a)[0];
    const before = apiPods().filter((p) => p.node === victim).map((p) => p.name);
    const db = await mongoDbOn(victim);
    const endpoints = watchReadyEndpoints(namespace, names.api);
    const silent = Date.now();
    cluster("node-lost", victim);
    lostNodes.push(victim);

    // The real node lifecycle controller notices the silence and taints the node.
    const taint = await eventually(() => {
        const t = nodes()
            .find((n) => n.name === victim)!
            .taints.find((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute");
        expect(t?.timeAdded).toBeDefined();
        return t!;
    }, 180_000);
    const tainted = Date.parse(taint.timeAdded!);
    // ... and once the Pods' toleration runs out, they are evicted and replaced elsewhere.
    await eventually(() => {
        const now = apiPods();
        expect(now.filter((p) => before.includes(p.name))).toEqual([]);
        apiBackOffNode(victim);
    }, (toleration + NODE_LOSS_MARGIN_S + 30) * 1000, 500);
    const replaced = Date.now();
    const minimum = Math.min(...(await endpoints.stop()));

    const detection = (tainted - silent) / 1000;
    const replacement = (replaced - tainted) / 1000;
    report(
        `node loss of ${victim} (${count} API Pods): tainted unreachable ${detection.toFixed(1)} s after it went silent, ` +
            `Pods replaced ${replacement.toFixed(1)} s after that (toleration ${toleration} s); ready API endpoints meanwhile never below ${minimum}`,
    );
    // Not before the toleration (they would not be waiting out a short outage), and not the
    // default 300 s: within the configured toleration plus a small margin. Taint times have
    // whole-second precision.
    expect(replacement).toBeGreaterThanOrEqual(toleration - 1);
    expect(replacement).toBeLessThanOrEqual(toleration + NODE_LOSS_MARGIN_S);
    expect(minimum).toBeGreaterThanOrEqual(replicas - count);
    expect(clusterIPs()).toEqual(ipsBefore);
    // MongoDB waits out its own, longer toleration: evicting it would not free its claim sooner.
    const dbNow = dbPods();
    expect(dbToleration).toBeGreaterThan(toleration + NODE_LOSS_MARGIN_S);
    expect(dbNow.map((p) => [p.name, p.node])).toEqual([[db.name, victim]]);
    report(`MongoDB, on ${victim} too: still there when the API Pods had been replaced (its toleration ${dbToleration} s)`);

    cluster("node-back", victim);
    lostNodes.splice(lostNodes.indexOf(victim), 1);
    await eventually(() => {
        const back = nodes().find((n) => n.name === victim)!;
        expect([back.ready, back.taints.filter((t) => t.key.startsWith("node.kubernetes.io/"))]).toEqual(["True", []]);
    }, 120_000);
});
