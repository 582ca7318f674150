/**
 * The stack on a real control plane with the real Pulumi engine: `npm run test:e2e` provides
 * both (scripts/commands/with-local-cluster.sh). Each `it` is one step of a deployment's life and
 * builds on the one before, so the steps run in order.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as ipaddr from "ipaddr.js";
import * as path from "path";

import { DB_RELEASE_ANNOTATION } from "../../components/api";
import { PROTECTED_ANNOTATION } from "../../stack/destroyGuard";
import { selectors } from "../../components/labels";
import { names } from "../../stack";
import { expectedObjects, withoutTemplateHash } from "../support/expected";
import { CHANGES, previewSummary, steps } from "../../tools/review/review";
import { copyProject, stackIn } from "../../tools/project/workspace";
import { root } from "../../tools/project/root";
import { endpointIPs, eventually, exists, kubectl, kubectlJson, labelSelector, pods, serviceCIDRs } from "./kube";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed, timings } from "./timings";
import { expectApiStartedAfterDb, watchPodCount, watchReadyEndpoints, watchReadyPods, watchStartOrder } from "./watch";

jest.setTimeout(15 * 60_000);

afterAll(printTimings);

interface Case {
    stack: "dev" | "lab";
    /**
     * The ReplicaSet running the API, and the one running MongoDB (the same one in the lab), by
     * their names without the template hash (their `app.kubernetes.io/instance` label).
     */
    apiReplicaSet: string;
    dbReplicaSet: string;
    replicas: number;
}

const cases: Case[] = [
    { stack: "dev", apiReplicaSet: names.api, dbReplicaSet: names.db, replicas: 3 },
    { stack: "lab", apiReplicaSet: names.combined, dbReplicaSet: names.combined, replicas: 2 },
];

/** The API image each release step moves to; the stack files run `vfarcic/go-demo-2`. */
const NEW_API_IMAGE = "vfarcic/go-demo-2:2.0";
/** An image tag that never becomes Ready: no such image exists, and the local cluster reports it so. */
const BROKEN_API_IMAGE = "vfarcic/go-demo-2:never-ready";
const BROKEN_ROLLOUT_TIMEOUT_S = 20;

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

    /** The live ReplicaSets of a workload, every release of it. */
    const replicaSetsOf = (base: string) =>
        kubectlJson("get", "replicasets", "-n", namespace, "-l", `app.kubernetes.io/instance=${base}`).items;
    /** The one live ReplicaSet of a workload; fails if a release left another beside it. */
    const currentReplicaSet = (base: string) => {
        const all = replicaSetsOf(base);
        expect([base, all.map((rs: { metadata: { name: string } }) => rs.metadata.name)]).toEqual([base, [expect.any(String)]]);
        return all[0];
    };
    const readyReplicasOf = (name: string) => kubectlJson("get", "replicaset", name, "-n", namespace).status.readyReplicas ?? 0;
    const readyReplicas = (base: string) => readyReplicasOf(currentReplicaSet(base).metadata.name);
    /** The Pods the API Service selects (every release's), with their images. */
    const apiPods = () =>
        kubectlJson("get", "pods", "-n", namespace, "-l", labelSelector(liveServices()[names.api].spec.selector))
            .items as { metadata: { name: string; deletionTimestamp?: string }; spec: { containers: { name: string; image: string }[] } }[];
    /** Cluster IP, node ports and load-balancer address of every Service: what a release must not move. */
    const addresses = () =>
        Object.fromEntries(
            Object.entries(liveServices()).map(([name, svc]) => [
                name,
                {
                    clusterIP: svc.spec.clusterIP,
                    nodePorts: (svc.spec.ports ?? []).map((p: { nodePort?: number }) => p.nodePort),
                    ingress: svc.status?.loadBalancer?.ingress,
                    uid: svc.metadata.uid,
                },
            ]),
        );
    /** Services that select the API's Pods (in the lab, every selecting Service). */
    const apiServices = () =>
        Object.entries(liveServices())
            .filter(([, svc]) => svc.spec.type !== "ExternalName")
            .filter(([, svc]) => {
                const selector = currentReplicaSet(apiReplicaSet).spec.template.metadata.labels;
                return Object.entries(svc.spec.selector).every(([k, v]) => selector[k] === v);
            })
            .map(([name]) => name);

    /**
     * Every selecting Service's ready endpoints are exactly the ready Pods its selector matches.
     * Right after an `up`, once the EndpointSlice controller has caught up (it runs asynchronously;
     * `up` returns when the Pods are Ready, see serviceWaitFor).
     */
    const endpointsSettle = () => eventually(() => expectEndpointsMatchPods(), 10_000, 200);
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
        // The local cluster has a load balancer: up waits for its address, as on a cloud, so the
        // output can be checked against it (cluster.e2e.test.ts covers a cluster without one).
        await stack.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "60" });
    });

    afterAll(() => destroyTestStack(stack));

    it("previews the creation of exactly the stack's objects", async () => {
        const events: EngineEvent[] = [];
        await timed(`${stackName}: preview (empty)`, () => stack.preview({ onEvent: (e) => events.push(e), color: "never" }));
        const objects = steps(events, CHANGES).map((step) => step.replace(/^create /, ""));
        expect(objects.map(withoutTemplateHash).map((o) => `create ${o}`)).toEqual(expectedObjects(stackName, namespace).map((o) => `create ${o}`));
    });

    it("up: every Service gets a cluster IP, node ports and endpoints from the real control plane", async () => {
        const order = dbReplicaSet !== apiReplicaSet ? watchStartOrder(namespace, selectors, names.db) : undefined;
        const events: EngineEvent[] = [];
        await timed(`${stackName}: up (empty → all Ready)`, () => stack.up({ color: "never", onEvent: (e) => events.push(e) }));
        // A newcomer's first up is clean: the load balancer's address may come a moment later, and
        // an output still without one is null, not an undefined the SDK warns about.
        expect(events.flatMap((e) => (e.diagnosticEvent && ["warning", "error"].includes(e.diagnosticEvent.severity) ? [e.diagnosticEvent.message] : []))).toEqual([]);
        if (order) {
            expectApiStartedAfterDb(stackName, await order.stop(), replicas);
        }
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
        await endpointsSettle();
    });

    it("the lab's promise: Pods die and come back with new addresses, Services keep theirs", async () => {
        const before = liveServices();
        const victims = [...new Set([dbReplicaSet, apiReplicaSet])].map((rs) => {
            const selector = currentReplicaSet(rs).spec.selector.matchLabels;
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
        const current = currentReplicaSet(apiReplicaSet).metadata.name;
        expect(review?.summary.changes).toEqual([`update ReplicaSet/${current}`]);
        expect(review?.summary.counts.update).toBe(1);
        await timed(`${stackName}: up (scale +1)`, () => stack.up({ color: "never" }));
        expect(currentReplicaSet(apiReplicaSet).metadata.name).toBe(current);
        expect(readyReplicas(apiReplicaSet)).toBe(replicas + 1);
        await endpointsSettle();
        await stack.setConfig("go-demo-2:replicas", { value: String(replicas) });
        await stack.up({ color: "never" });
        expect(readyReplicas(apiReplicaSet)).toBe(replicas);
    });

    it("a new API image reaches every Pod with no downtime: new Pods Ready before the old go, addresses kept", async () => {
        const before = addresses();
        const old = currentReplicaSet(apiReplicaSet).metadata.name;
        await stack.setConfig("go-demo-2:apiImage", { value: NEW_API_IMAGE });

        const review = await previewSummary(stack.workspace.workDir, stackName);
        const created = review?.summary.changes.filter((c) => c.startsWith("create ")) ?? [];
        expect(created).toEqual([expect.stringMatching(new RegExp(`^create ReplicaSet/${apiReplicaSet}-[0-9a-f]{10}$`))]);
        expect(review?.summary.changes.sort()).toEqual([...created, `delete ReplicaSet/${old}`].sort());

        const watched = apiServices().map((name) => ({ name, watching: watchReadyEndpoints(namespace, name) }));
        const apiSelector = liveServices()[names.api].spec.selector;
        const readyPods = watchReadyPods(namespace, apiSelector);
        await timed(`${stackName}: release (new API image)`, () => stack.up({ color: "never" }));
        // Pods: a full new set was Ready beside the old one before any old Pod went.
        const ready = await readyPods.stop();
        process.stdout.write(`${stackName}: Ready API Pods during the release: ${ready.join(" ")}\n`);
        expect([Math.min(...ready), Math.max(...ready)]).toEqual([replicas, 2 * replicas]);
        // Endpoints, as every change reached the EndpointSlices: never fewer than a full set. (The
        // controller may fold several Pod changes into one update, so the peak is not asserted.)
        for (const { name, watching } of watched) {
            const endpoints = await watching.stop();
            process.stdout.write(`${stackName}: ${name} ready endpoints during the release: ${endpoints.join(" ")}\n`);
            expect([name, Math.min(...endpoints)]).toEqual([name, replicas]);
        }

        const now = currentReplicaSet(apiReplicaSet);
        expect(created).toEqual([`create ReplicaSet/${now.metadata.name}`]);
        const running = apiPods();
        expect(running).toHaveLength(replicas);
        for (const pod of running) {
            expect([pod.metadata.name, pod.spec.containers.find((c) => c.name === "api")?.image]).toEqual([pod.metadata.name, NEW_API_IMAGE]);
        }
        expect(addresses()).toEqual(before);
        await endpointsSettle();
    });

    it("a release that never becomes Ready fails within its timeout naming the workload; the old Pods keep serving", async () => {
        const before = addresses();
        const good = currentReplicaSet(apiReplicaSet).metadata.name;
        const serving = endpointIPs(namespace, names.api);
        await stack.setConfig("go-demo-2:apiImage", { value: BROKEN_API_IMAGE });
        await stack.setConfig("go-demo-2:rolloutTimeoutSeconds", { value: String(BROKEN_ROLLOUT_TIMEOUT_S) });

        const watched = apiServices().map((name) => ({ name, watching: watchReadyEndpoints(namespace, name) }));
        const started = Date.now();
        const failure = await stack.up({ color: "never" }).then(
            () => undefined,
            (e: Error) => e,
        );
        const seconds = (Date.now() - started) / 1000;
        timings.push([`${stackName}: broken release fails`, seconds]);
        expect(failure).toBeDefined();
        const broken = replicaSetsOf(apiReplicaSet).map((rs: { metadata: { name: string } }) => rs.metadata.name).filter((n: string) => n !== good);
        expect(broken).toHaveLength(1);
        // The engine names the failed resource by its logical name, `<workload>-replicaset-<hash>`
        // (components/workload.ts), not by the Kubernetes name `<workload>-<hash>`.
        expect(String(failure)).toContain(`${apiReplicaSet}-replicaset-${broken[0].slice(-10)}`);
        expect(String(failure)).toMatch(/timed out|failed to become|not ready|readyReplicas/i);
        // The up is bounded by the timeout, plus the engine's own start and the rest of the program.
        expect(seconds).toBeLessThan(BROKEN_ROLLOUT_TIMEOUT_S + 60);

        const brokenPods = kubectlJson("get", "pods", "-n", namespace, "-l", `pod-template-hash=${broken[0].slice(-10)}`).items;
        expect(brokenPods).toHaveLength(replicas);
        for (const pod of brokenPods) {
            const waiting = pod.status.containerStatuses.find((c: { name: string }) => c.name === "api").state.waiting;
            expect(waiting?.reason).toBe("ImagePullBackOff");
        }
        // What `npm run up` and the deploy workflow print after such a failure: each Pod and why.
        const diagnosis = execFileSync("bash", [path.join(root, "scripts", "commands", "not-ready.sh")], { encoding: "utf8" });
        for (const pod of brokenPods) {
            expect(diagnosis).toContain(`${namespace}/${pod.metadata.name} (release ${broken[0].slice(-10)}): api ImagePullBackOff`);
        }
        for (const { name, watching } of watched) {
            const ready = await watching.stop();
            expect([name, Math.min(...ready)]).toEqual([name, replicas]);
        }
        expect(endpointIPs(namespace, names.api)).toEqual(serving);
        expect(readyReplicasOf(good)).toBe(replicas);
        expect(addresses()).toEqual(before);

        // Correcting the config converges with nothing to clean up by hand.
        await stack.setConfig("go-demo-2:apiImage", { value: NEW_API_IMAGE });
        await stack.removeConfig("go-demo-2:rolloutTimeoutSeconds");
        await timed(`${stackName}: up after reverting the broken release`, () => stack.up({ color: "never" }));
        expect(currentReplicaSet(apiReplicaSet).metadata.name).toBe(good);
        expect(endpointIPs(namespace, names.api)).toEqual(serving);
        await stack.preview({ expectNoChanges: true, color: "never" });
        await endpointsSettle();
    });

    if (dbReplicaSet !== apiReplicaSet) {
        it("a MongoDB release recreates its Pod on the same claim, then rolls the API onto it: old MongoDB gone first, new API Pods only once the new one is Ready", async () => {
            const claimBefore = kubectlJson("get", "persistentvolumeclaim", `${names.db}-data`, "-n", namespace);
            expect(claimBefore.status.phase).toBe("Bound");
            const before = addresses();
            const oldApi = currentReplicaSet(apiReplicaSet).metadata.name;
            await stack.setConfig("go-demo-2:dbImage", { value: "mongo:3.4" });

            // MongoDB replaced delete-first; the API, whose Pods carry the MongoDB release, surges.
            const review = await previewSummary(stack.workspace.workDir, stackName);
            const changes = review?.summary.changes ?? [];
            for (const change of changes.filter((c) => c.includes(`ReplicaSet/${dbReplicaSet}-`))) {
                expect(change).toMatch(new RegExp(`^(replace|create-replacement|delete-replaced) ReplicaSet/${dbReplicaSet}-[0-9a-f]{10}$`));
            }
            expect(review?.summary.counts.replace).toBe(1);
            const apiChanges = changes.filter((c) => c.includes(`ReplicaSet/${apiReplicaSet}-`)).sort();
            expect(apiChanges).toEqual([expect.stringMatching(new RegExp(`^create ReplicaSet/${apiReplicaSet}-[0-9a-f]{10}$`)), `delete ReplicaSet/${oldApi}`]);

            const dbSelector = currentReplicaSet(dbReplicaSet).spec.template.metadata.labels;
            const watching = watchPodCount(namespace, { type: dbSelector.type, service: dbSelector.service });
            const order = watchStartOrder(namespace, selectors, names.db);
            const endpoints = watchReadyEndpoints(namespace, names.api);
            await timed(`${stackName}: release (new MongoDB image, then the API)`, () => stack.up({ color: "never" }));
            const counts = await watching.stop();
            process.stdout.write(`${stackName}: MongoDB Pods during its release: max ${Math.max(...counts)}, ${counts.length} changes\n`);
            // Never two mongods on one claim, not even a terminating one beside its successor.
            expect(Math.max(...counts)).toBe(1);
            // A full set of new API Pods, each created after the new MongoDB was Ready.
            expectApiStartedAfterDb(stackName, await order.stop(), replicas);
            // The old API Pods kept serving /demo/hello until the new ones were Ready.
            const ready = await endpoints.stop();
            expect(Math.min(...ready)).toBe(replicas);

            const db = currentReplicaSet(dbReplicaSet);
            const [pod] = kubectlJson("get", "pods", "-n", namespace, "-l", `pod-template-hash=${db.metadata.labels["pod-template-hash"]}`).items;
            expect(pod.spec.containers[0].image).toBe("mongo:3.4");
            expect(pod.spec.volumes).toContainEqual({ name: "db-data", persistentVolumeClaim: { claimName: `${names.db}-data` } });
            const api = currentReplicaSet(apiReplicaSet);
            expect(api.metadata.name).not.toBe(oldApi);
            expect(apiChanges[0]).toBe(`create ReplicaSet/${api.metadata.name}`);
            expect(api.spec.template.metadata.annotations[DB_RELEASE_ANNOTATION]).toBe(db.metadata.labels["pod-template-hash"]);
            const claimAfter = kubectlJson("get", "persistentvolumeclaim", `${names.db}-data`, "-n", namespace);
            expect([claimAfter.metadata.uid, claimAfter.spec.volumeName, claimAfter.status.phase]).toEqual([
                claimBefore.metadata.uid,
                claimBefore.spec.volumeName,
                "Bound",
            ]);
            expect(addresses()).toEqual(before);
            await endpointsSettle();
        });

        it("a protected claim makes destroy refuse before it deletes anything", async () => {
            const live = () =>
                kubectlJson("get", "replicasets,services,persistentvolumeclaims,configmaps,networkpolicies,poddisruptionbudgets", "-n", namespace, "-l", "app.kubernetes.io/part-of=go-demo-2")
                    .items.map((o: { kind: string; metadata: { uid: string } }) => `${o.kind}/${o.metadata.uid}`)
                    .sort();
            const unprotected = live();
            await stack.setConfig("go-demo-2:dbStorageProtected", { value: "true" });
            await stack.up({ color: "never" });
            // Turning protection on touches no object but the guard, which now says so.
            expect(live()).toEqual(unprotected);
            expect(kubectlJson("get", "configmap", names.destroyGuard, "-n", namespace).metadata.annotations[PROTECTED_ANNOTATION]).toBe("true");
            const before = live();
            await expect(stack.destroy({ color: "never" })).rejects.toThrow(/protected/);
            // Refused before anything was deleted: every object, and the namespace, still there.
            expect(before).toHaveLength(expectedObjects(stackName, namespace).length - 1 /* the Namespace */);
            expect(live()).toEqual(before);
            expect(exists("namespace", namespace)).toBe(true);
            await stack.setConfig("go-demo-2:dbStorageProtected", { value: "false" });
            await stack.up({ color: "never" });
        });
    }

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
        await endpointsSettle();
    });

    it("destroy leaves no object of the stack behind", async () => {
        await timed(`${stackName}: destroy`, () => stack.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
        const leftovers = kubectlJson("get", "replicasets,services,pods,networkpolicies,persistentvolumeclaims,poddisruptionbudgets", "-A", "-l", "app.kubernetes.io/part-of=go-demo-2");
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
