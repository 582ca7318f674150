/**
 * The stack on a real control plane with the real Pulumi engine: `npm run test:e2e` provides
 * both (scripts/e2e.sh). Each `it` is one step of a deployment's life and builds on the one
 * before, so the steps run in order.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as ipaddr from "ipaddr.js";

import { names } from "../../stack";
import { expectedObjects } from "../expected";
import { endpointIPs, eventually, exists, kubectl, kubectlJson, pods, serviceCIDRs } from "./kube";
import { CHANGES, previewSummary, steps } from "../../tools/review";
import { copyProject, destroyTestStack, printTimings, stackIn, testStack, timed } from "../../tools/workspace";

jest.setTimeout(15 * 60_000);

afterAll(printTimings);

interface Case {
    stack: "dev" | "lab";
    /** The ReplicaSet running the API, and the one running MongoDB (the same one in the lab). */
    apiReplicaSet: string;
    dbReplicaSet: string;
    replicas: number;
}

const cases: Case[] = [
    { stack: "dev", apiReplicaSet: names.api, dbReplicaSet: names.db, replicas: 3 },
    { stack: "lab", apiReplicaSet: names.combined, dbReplicaSet: names.combined, replicas: 2 },
];

describe.each(cases)("the $stack stack on a real cluster", ({ stack: stackName, apiReplicaSet, dbReplicaSet, replicas }) => {
    const namespace = `e2e-go-demo-2-${stackName}`;
    let stack: Stack;
    let outputs: Record<string, Record<string, unknown>>;

    /** The live Services of the stack, by name. */
    const liveServices = () =>
        Object.fromEntries(
            kubectlJson("get", "services", "-n", namespace).items.map(
                (s: { metadata: { name: string } }) => [s.metadata.name, s] as const,
            ),
        );

    const readOutputs = async () => {
        const raw = await stack.outputs();
        outputs = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
    };

    const readyReplicas = (rs: string) => kubectlJson("get", "replicaset", rs, "-n", namespace).status.readyReplicas ?? 0;

    /** Every selecting Service's ready endpoints are exactly the ready Pods its selector matches. */
    const expectEndpointsMatchPods = () => {
        for (const [name, svc] of Object.entries(liveServices())) {
            if (svc.spec.type === "ExternalName") {
                expect(endpointIPs(namespace, name)).toEqual([]);
                continue;
            }
            const podIPs = pods(namespace, svc.spec.selector)
                .filter((p) => p.ready)
                .map((p) => p.ip)
                .sort();
            expect([name, endpointIPs(namespace, name)]).toEqual([name, podIPs]);
        }
    };

    beforeAll(async () => {
        stack = await testStack(stackName, namespace);
    });

    afterAll(() => destroyTestStack(stack));

    it("previews the creation of exactly the stack's objects", async () => {
        const events: EngineEvent[] = [];
        await timed(`${stackName}: preview (empty)`, () => stack.preview({ onEvent: (e) => events.push(e), color: "never" }));
        expect(steps(events, CHANGES)).toEqual(expectedObjects(stackName, namespace).map((o) => `create ${o}`));
    });

    it("up: every Service gets a cluster IP, node ports and endpoints from the real control plane", async () => {
        await timed(`${stackName}: up (empty → all Ready)`, () => stack.up({ color: "never" }));
        await readOutputs();

        const live = liveServices();
        expect(Object.keys(live).sort()).toEqual(
            expectedObjects(stackName, namespace)
                .filter((o) => o.startsWith("Service/"))
                .map((o) => o.split("/")[1]),
        );

        const cidrs = serviceCIDRs().map((c) => ipaddr.parseCIDR(c));
        const clusterIPs = outputs.clusterIPs as Record<string, string>;
        expect(Object.keys(clusterIPs).sort()).toEqual(
            Object.keys(live)
                .filter((n) => live[n].spec.type !== "ExternalName")
                .sort(),
        );
        for (const [name, ip] of Object.entries(clusterIPs)) {
            expect([name, ip]).toEqual([name, live[name].spec.clusterIP]);
            const addr = ipaddr.parse(ip);
            expect([name, cidrs.some((c) => addr.kind() === c[0].kind() && addr.match(c))]).toEqual([name, true]);
        }

        const nodePorts = outputs.nodePorts as Record<string, number>;
        expect(Object.keys(nodePorts).sort()).toEqual(["go-demo-2-api", "go-demo-2-svc"]);
        for (const [name, port] of Object.entries(nodePorts)) {
            expect([name, port]).toEqual([name, live[name].spec.ports[0].nodePort]);
            expect(port).toBeGreaterThanOrEqual(30000);
            expect(port).toBeLessThanOrEqual(32767);
        }

        const ingress = live[names.api].status.loadBalancer.ingress?.[0];
        expect(ingress?.ip ?? ingress?.hostname).toBeTruthy();
        expect(outputs.loadBalancerIngress).toBe(ingress.ip ?? ingress.hostname);
        expect(outputs.externalName).toBe("kubernetes.io");
        expect(live[names.external].spec.externalName).toBe("kubernetes.io");

        expect(readyReplicas(apiReplicaSet)).toBe(replicas);
        if (dbReplicaSet !== apiReplicaSet) {
            expect(readyReplicas(dbReplicaSet)).toBe(1);
        }
        expectEndpointsMatchPods();
    });

    it("the lab's promise: Pods die and come back with new addresses, Services keep theirs", async () => {
        const before = liveServices();
        const victims = [...new Set([dbReplicaSet, apiReplicaSet])].map((rs) => {
            const selector = kubectlJson("get", "replicaset", rs, "-n", namespace).spec.selector.matchLabels;
            const all = pods(namespace, selector);
            return { rs, selector, oldNames: all.map((p) => p.name), killed: all[0] };
        });
        for (const v of victims) {
            kubectl("delete", "pod", v.killed.name, "-n", namespace, "--wait=false");
        }

        await timed(`${stackName}: Pods replaced`, () =>
            eventually(() => {
                for (const v of victims) {
                    const now = pods(namespace, v.selector);
                    const fresh = now.filter((p) => !v.oldNames.includes(p.name));
                    expect(now.map((p) => p.name)).not.toContain(v.killed.name);
                    expect(fresh).toHaveLength(1);
                    expect(fresh[0].ready).toBe(true);
                    expect(fresh[0].ip).not.toBe(v.killed.ip);
                    expect(readyReplicas(v.rs)).toBe(v.rs === dbReplicaSet && v.rs !== apiReplicaSet ? 1 : replicas);
                }
                expectEndpointsMatchPods();
            }),
        );

        const after = liveServices();
        for (const name of Object.keys(before)) {
            expect([name, after[name].spec.clusterIP]).toEqual([name, before[name].spec.clusterIP]);
            expect([name, after[name].metadata.uid]).toEqual([name, before[name].metadata.uid]);
        }
        for (const v of victims) {
            const fresh = pods(namespace, v.selector).find((p) => !v.oldNames.includes(p.name))!;
            for (const [name, svc] of Object.entries(after)) {
                if (svc.spec.type !== "ExternalName" && Object.entries(svc.spec.selector).every(([k, val]) => v.selector[k] === val)) {
                    expect([name, endpointIPs(namespace, name)]).toEqual([name, expect.arrayContaining([fresh.ip])]);
                    expect([name, endpointIPs(namespace, name)]).toEqual([name, expect.not.arrayContaining([v.killed.ip])]);
                }
            }
        }
    });

    it("is idempotent: a preview right after up expects no changes", async () => {
        await timed(`${stackName}: preview (no-op)`, () => stack.preview({ expectNoChanges: true, color: "never" }));
    });

    it("raising replicas updates the API ReplicaSet in place, and only it", async () => {
        await stack.setConfig("go-demo-2:replicas", { value: String(replicas + 1) });
        // Through the review tool's preview, as a pull request would see it.
        const review = await previewSummary(stack.workspace.workDir, stackName);
        expect(review?.summary.changes).toEqual([`update ReplicaSet/${apiReplicaSet}`]);
        expect(review?.summary.counts.update).toBe(1);
        await timed(`${stackName}: up (scale +1)`, () => stack.up({ color: "never" }));
        expect(readyReplicas(apiReplicaSet)).toBe(replicas + 1);
        expectEndpointsMatchPods();
    });

    it("drift: a Service deleted behind Pulumi's back is noticed by refresh and restored by up", async () => {
        const oldIP = liveServices()[names.db].spec.clusterIP;
        kubectl("delete", "service", names.db, "-n", namespace);

        const refresh = await timed(`${stackName}: refresh (drift)`, () => stack.refresh({ color: "never" }));
        expect(refresh.summary.resourceChanges?.delete).toBe(1);

        const up = await stack.up({ color: "never" });
        expect(up.summary.resourceChanges?.create).toBe(1);
        await readOutputs();
        const restored = liveServices()[names.db];
        expect((outputs.clusterIPs as Record<string, string>)[names.db]).toBe(restored.spec.clusterIP);
        process.stdout.write(`${stackName}: ${names.db} cluster IP ${oldIP} → ${restored.spec.clusterIP} after re-creation\n`);
        expectEndpointsMatchPods();
    });

    it("destroy leaves no object of the stack behind", async () => {
        await timed(`${stackName}: destroy`, () => stack.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
        const leftovers = kubectlJson("get", "replicasets,services,pods,networkpolicies", "-A", "-l", "app.kubernetes.io/part-of=go-demo-2");
        expect(leftovers.items.filter((o: { metadata: { namespace: string } }) => o.metadata.namespace === namespace)).toEqual([]);
    });
});

describe("bad config on a real engine", () => {
    it("fails the preview naming the key, and creates nothing", async () => {
        const namespace = "e2e-go-demo-2-bad";
        const stack = await stackIn(copyProject([]), "bad");
        try {
            await stack.setConfig("go-demo-2:namespace", { value: namespace });
            await stack.setConfig("go-demo-2:nodePort", { value: "29999" });
            await expect(stack.preview({ color: "never" })).rejects.toThrow(
                /go-demo-2:nodePort = "29999": expected an integer from 30000 to 32767/,
            );
            const state = await stack.exportStack();
            const resources = (state.deployment.resources ?? []) as { type: string }[];
            expect(resources.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
            expect(exists("namespace", namespace)).toBe(false);
        } finally {
            await stack.workspace.removeStack("bad", { force: true }).catch(() => undefined);
            fs.rmSync(stack.workspace.workDir, { recursive: true, force: true });
        }
    });
});
