/**
 * The lab's promise, measured with packets on the local cluster's real node: the dev stack with
 * the STAND-IN images built here (images/build.sh; not vfarcic/go-demo-2 nor mongo:3.3), placed on
 * the real node by its nodeSelector and tolerateTaints keys. Every Service answers where the
 * stack's outputs say; steady traffic to the API's cluster IP (bounded: rate, count and time)
 * crosses the deletion of API Pods and a release to a new image; the kubelet runs the probes and
 * the init container for real; a person written through the API survives MongoDB's Pod being
 * recreated on the same claim. All traffic stays on this machine, and the leak guard counts none
 * leaving it.
 */
import * as net from "net";

import { Stack } from "@pulumi/pulumi/automation";

import { apiContainer } from "../../components/api";
import { eventually, kubectl, kubectlJson, pods } from "./kube";
import {
    apply,
    assertRealNodeReady,
    canConnect,
    createNamespace,
    eventuallyAsync,
    execIn,
    guardDropped,
    httpGet,
    podOnRealNode,
    REAL_NODE,
    REAL_NODE_IP,
    placeOnRealNode,
    realNodeWanted,
    smokeOnRealNode,
    STAND_IN,
    waitRunning,
} from "./realNode";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

const namespace = "e2e-dataplane";
const probeNs = "e2e-dataplane-probe";
const API_LABELS = { type: "api", service: "go-demo-2" };
const DB_LABELS = { type: "db", service: "go-demo-2" };
const d = realNodeWanted() ? describe : describe.skip;
const PEER_PORT = 9999;
let nodeListener: net.Server | undefined;

let stack: Stack | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let outputs: Record<string, any> = {};

async function deploy(apiImage: string): Promise<void> {
    await stack!.setAllConfig({
        "go-demo-2:apiImage": { value: apiImage },
        "go-demo-2:dbImage": { value: STAND_IN.mongo },
    });
    await placeOnRealNode(stack!);
    await stack!.up({ color: "never" });
    outputs = Object.fromEntries(Object.entries(await stack!.outputs()).map(([k, v]) => [k, v.value]));
}

/**
 * Steady traffic from this host to a URL: one GET every `intervalMs`, each on a connection of its
 * own (so kube-proxy picks a Pod for each) and bounded by `timeoutMs`, at most `maxRequests`,
 * stopped by `stop()` or after `maxSeconds`. Counts answers and failures.
 */
function steadyTraffic(url: string, opts = { intervalMs: 50, timeoutMs: 2_000, maxRequests: 6_000, maxSeconds: 300 }) {
    let ok = 0;
    const failures: string[] = [];
    let stopped = false;
    const started = Date.now();
    const done = (async () => {
        let sent = 0;
        const inflight: Promise<void>[] = [];
        while (!stopped && sent < opts.maxRequests && Date.now() - started < opts.maxSeconds * 1000) {
            sent++;
            inflight.push(
                httpGet(url, opts.timeoutMs).then(
                    () => void ok++,
                    (e: Error) => void failures.push(`${new Date().toISOString()} ${e.message}`),
                ),
            );
            await new Promise((r) => setTimeout(r, opts.intervalMs));
        }
        await Promise.all(inflight);
    })();
    return {
        stop: async () => {
            stopped = true;
            await done;
            return { ok, failed: failures.length, failures, seconds: (Date.now() - started) / 1000 };
        },
    };
}

function apiPods() {
    return pods(namespace, API_LABELS);
}

async function allApiReady(n: number): Promise<void> {
    await eventually(() => {
        const ready = apiPods().filter((p) => p.ready);
        if (ready.length !== n) {
            throw new Error(`${ready.length}/${n} API Pods Ready`);
        }
    }, 180_000);
}

d("the dev stack on the real node, with stand-in images", () => {
    beforeAll(async () => {
        assertRealNodeReady();
        createNamespace(probeNs);
        apply(podOnRealNode(probeNs, "client", ["sleep", "3600"]));
        // Egress targets outside the stack: a Pod of another namespace and a port on the node.
        apply(podOnRealNode(probeNs, "peer", ["httpd", "-f", "-p", String(PEER_PORT)]));
        nodeListener = net.createServer((c) => c.end()).listen(0, REAL_NODE_IP);
        stack = await testStack("dev", namespace);
        await timed("dataplane: dev up with the stand-in images on the real node", () => deploy(STAND_IN.api));
        await waitRunning(probeNs, "client");
    }, 15 * 60_000);

    afterAll(async () => {
        await timed("dataplane: destroy", () => destroyTestStack(stack));
        kubectl("delete", "namespace", probeNs, "--ignore-not-found", "--wait=false");
        nodeListener?.close();
    }, 10 * 60_000);

    it("runs every Pod of the stack on the real node", () => {
        const all = kubectlJson("get", "pods", "-n", namespace).items;
        expect(all.length).toBeGreaterThanOrEqual(4);
        for (const p of all) {
            expect([p.metadata.name, p.spec.nodeName]).toEqual([p.metadata.name, REAL_NODE]);
        }
    });

    it("answers where its outputs say: cluster IP, node port and load-balancer address, from this host and from a Pod", async () => {
        const apiIP = outputs.clusterIPs["go-demo-2-api"];
        const apiNodePort = outputs.nodePorts["go-demo-2-api"];
        expect(await httpGet(`http://${apiIP}:8080/demo/hello`)).toBe("hello, world!\n");
        expect(await httpGet(`http://${REAL_NODE_IP}:${apiNodePort}/demo/hello`)).toBe("hello, world!\n");
        // dev does not wait for the address (loadBalancerWaitSeconds 0): the output may still be
        // null; the live Service's status is the address the output reports once it has one.
        const lbIP = await eventually(() => {
            const ip = kubectl("get", "service", "-n", namespace, "go-demo-2-api", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
            if (!ip) throw new Error("no load-balancer address yet");
            return ip;
        }, 60_000);
        const lb = outputs.loadBalancerIngress;
        if (lb) {
            expect(JSON.stringify(lb)).toContain(lbIP);
        }
        expect(lbIP).toMatch(/^172\.31\./);
        expect(await eventuallyAsync(() => httpGet(`http://${lbIP}:8080/demo/hello`), 30_000)).toBe("hello, world!\n");
        // go-demo-2-svc: the DB's HTTP interface (28017's page) at its node port.
        const svcPort = outputs.nodePorts["go-demo-2-svc"];
        expect(await httpGet(`http://${REAL_NODE_IP}:${svcPort}/`)).toContain("mongod");
        // From a Pod, by the Service's DNS name.
        const inPod = execIn(probeNs, "client", "wget", "-q", "-T", "5", "-O", "-", `http://go-demo-2-api.${namespace}.svc.cluster.local:8080/demo/hello`);
        expect(inPod).toBe("hello, world!\n");
    });

    it("resolves every dnsNames entry from a Pod to its cluster IP, and the ExternalName to its CNAME", () => {
        for (const [service, name] of Object.entries(outputs.dnsNames as Record<string, string>)) {
            const ip = outputs.clusterIPs[service];
            if (!ip) {
                continue;
            }
            const answer = execIn(probeNs, "client", "nslookup", name);
            expect([name, answer]).toEqual([name, expect.stringMatching(new RegExp(`Address:\\s+${ip.replace(/\./g, "\\.")}\\b`))]);
        }
        let cname = "";
        try {
            cname = execIn(probeNs, "client", "nslookup", "-type=CNAME", `go-demo-2-external.${namespace}.svc.cluster.local`);
        } catch (e) {
            cname = String((e as { stdout?: string }).stdout ?? "");
        }
        expect(cname).toContain(`canonical name = ${outputs.externalName}`);
    });

    it("passes npm run smoke for real: its Job runs on the real node (the curl stand-in) and every check answers", async () => {
        const { code, stdout } = await smokeOnRealNode("dev", stack!.workspace.workDir);
        expect(stdout).toContain("PASSED");
        expect(code).toBe(0);
    });

    it("stores a person through the API Service and the DB Service's name, and reads it back", async () => {
        const apiIP = outputs.clusterIPs["go-demo-2-api"];
        await fetch(`http://${apiIP}:8080/demo/person?name=Viktor`, { method: "PUT", signal: AbortSignal.timeout(5_000) }).then((r) => {
            if (!r.ok) throw new Error(`PUT: ${r.status}`);
        });
        expect(JSON.parse(await httpGet(`http://${apiIP}:8080/demo/person`))).toContainEqual({ name: "Viktor" });
    });

    it("enforces its NetworkPolicies with real packets (kube-router): MongoDB's port is closed to a Pod of another namespace, every allowed path works", async () => {
        const db = pods(namespace, DB_LABELS)[0];
        const reach = (host: string, port: number) => canConnect(probeNs, "client", host, port);
        // Forbidden: only the API's Pods may reach 27017 (go-demo-2-db's policy).
        expect([db.ip, 27017, reach(db.ip, 27017)]).toEqual([db.ip, 27017, false]);
        expect(reach(`go-demo-2-db.${namespace}.svc.cluster.local`, 27017)).toBe(false);
        // Allowed: the API's port to everyone, the DB's published HTTP interface, and API → DB.
        expect(reach(`go-demo-2-api.${namespace}.svc.cluster.local`, 8080)).toBe(true);
        expect(reach(db.ip, 28017)).toBe(true);
        expect(JSON.parse(await httpGet(`http://${outputs.clusterIPs["go-demo-2-api"]}:8080/demo/person`))).toContainEqual({ name: "Viktor" });
    });

    it("lets the API reach only DNS and MongoDB's 27017, and MongoDB reach nothing, with real packets (kube-router)", async () => {
        const api = apiPods()[0];
        const db = pods(namespace, DB_LABELS)[0];
        const peer = await waitRunning(probeNs, "peer");
        const onNode = nodeListener!.address() as net.AddressInfo;
        // Every target answers a Pod no policy governs: a refusal below is the policies' doing.
        for (const [host, port] of [[peer.ip, PEER_PORT], [REAL_NODE_IP, onNode.port], [api.ip, 8080], [db.ip, 28017]] as const) {
            expect([host, port, canConnect(probeNs, "client", host, port)]).toEqual([host, port, true]);
        }
        const from = (pod: string, host: string, port: number) => [pod, host, port, canConnect(namespace, pod, host, port)];
        // The API: MongoDB's 27017 and the cluster's DNS (CoreDNS on the node, clusterDnsAddresses).
        expect(from(api.name, db.ip, 27017)).toEqual([api.name, db.ip, 27017, true]);
        expect(execIn(namespace, api.name, "nslookup", `go-demo-2-db.${namespace}.svc.cluster.local`)).toContain(outputs.clusterIPs["go-demo-2-db"]);
        // ... and nothing else: a Pod of another namespace, a port of the node beside its DNS, and
        // MongoDB's 28017, which its ingress opens to everyone but the API's egress does not list.
        for (const [host, port] of [[peer.ip, PEER_PORT], [REAL_NODE_IP, onNode.port], [db.ip, 28017]] as const) {
            expect(from(api.name, host, port)).toEqual([api.name, host, port, false]);
        }
        // MongoDB: nothing at all, not even the API's port that is open to every Pod.
        for (const [host, port] of [[peer.ip, PEER_PORT], [REAL_NODE_IP, onNode.port], [api.ip, 8080]] as const) {
            expect(from(db.name, host, port)).toEqual([db.name, host, port, false]);
        }
    });

    it("loses no request at the API's cluster IP while its Pods are deleted, one and then all one by one", async () => {
        const url = `http://${outputs.clusterIPs["go-demo-2-api"]}:8080/demo/hello`;
        const replicas = apiPods().length;
        const traffic = steadyTraffic(url);
        const victim = apiPods()[0].name;
        kubectl("delete", "pod", "-n", namespace, victim, "--wait=false");
        await allApiReady(replicas);
        for (const p of apiPods().map((x) => x.name)) {
            kubectl("delete", "pod", "-n", namespace, p, "--wait=false");
            await eventually(() => {
                if (apiPods().some((x) => x.name === p)) throw new Error(`${p} still there`);
            }, 120_000);
            await allApiReady(replicas);
        }
        const r = await traffic.stop();
        console.log(`API Pods deleted one, then all ${replicas} one by one: ${r.ok} answered, ${r.failed} failed in ${r.seconds.toFixed(0)} s\n${r.failures.slice(0, 5).join("\n")}`);
        expect(r.ok).toBeGreaterThan(100);
        expect(r.failed).toBe(0);
    });

    it("loses no request at the API's cluster IP during a release to a new image", async () => {
        const url = `http://${outputs.clusterIPs["go-demo-2-api"]}:8080/demo/hello`;
        const traffic = steadyTraffic(url);
        await timed("dataplane: release to a new API image", () => deploy(STAND_IN.api2));
        const r = await traffic.stop();
        console.log(`release to ${STAND_IN.api2}: ${r.ok} answered, ${r.failed} failed in ${r.seconds.toFixed(0)} s\n${r.failures.slice(0, 5).join("\n")}`);
        expect(apiPods().every((p) => kubectlJson("get", "pod", "-n", namespace, p.name).spec.containers[0].image === STAND_IN.api2)).toBe(true);
        expect(r.ok).toBeGreaterThan(50);
        expect(r.failed).toBe(0);
    });

    it("takes a Pod whose readiness fails out of the endpoints, and its liveness restarts it while the others serve", async () => {
        const victim = apiPods()[0];
        const restartsBefore = kubectlJson("get", "pod", "-n", namespace, victim.name).status.containerStatuses[0].restartCount as number;
        const t0 = Date.now();
        execIn(namespace, victim.name, "kill", "-USR2", "1");
        const left = await eventually(() => {
            const ips = kubectlJson("get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=go-demo-2-api")
                .items.flatMap((s: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }) => s.endpoints ?? [])
                .filter((e: { conditions?: { ready?: boolean } }) => e.conditions?.ready)
                .flatMap((e: { addresses: string[] }) => e.addresses);
            if (ips.includes(victim.ip)) throw new Error("still a ready endpoint");
            return (Date.now() - t0) / 1000;
        }, 30_000, 200);
        // Once kube-proxy has synced the change, every request goes to the others.
        const url = `http://${outputs.clusterIPs["go-demo-2-api"]}:8080/demo/hello`;
        const routedAround = await eventuallyAsync(async () => {
            for (let i = 0; i < 20; i++) {
                await httpGet(url);
            }
            return (Date.now() - t0) / 1000;
        }, 20_000, 200);
        const restarted = await eventually(() => {
            const c = kubectlJson("get", "pod", "-n", namespace, victim.name).status.containerStatuses[0];
            if (c.restartCount <= restartsBefore) throw new Error("not restarted yet");
            return (Date.now() - t0) / 1000;
        }, 120_000);
        await allApiReady(apiPods().length);
        const back = (Date.now() - t0) / 1000;
        console.log(`readiness fault: out of the endpoints after ${left.toFixed(1)} s, 20 requests in a row answered by the others after ${routedAround.toFixed(1)} s, restarted by its liveness after ${restarted.toFixed(1)} s, Ready again after ${back.toFixed(1)} s`);
        expect(left).toBeLessThan(10);
    });

    it("restarts a stand-in whose /demo/person fails (its liveness), while the others keep serving", async () => {
        const victim = apiPods()[0];
        const others = apiPods().filter((p) => p.name !== victim.name);
        const before = kubectlJson("get", "pod", "-n", namespace, victim.name).status.containerStatuses[0].restartCount as number;
        const t0 = Date.now();
        const opts = { intervalMs: 100, timeoutMs: 2_000, maxRequests: 2_000, maxSeconds: 150 };
        const toService = steadyTraffic(`http://${outputs.clusterIPs["go-demo-2-api"]}:8080/demo/hello`, opts);
        const toOthers = others.map((p) => steadyTraffic(`http://${p.ip}:8080/demo/hello`, opts));
        execIn(namespace, victim.name, "kill", "-USR1", "1");
        const restarted = await eventually(() => {
            const c = kubectlJson("get", "pod", "-n", namespace, victim.name).status.containerStatuses[0];
            if (c.restartCount <= before) throw new Error("not restarted yet");
            return (Date.now() - t0) / 1000;
        }, 120_000);
        await allApiReady(apiPods().length);
        const service = await toService.stop();
        const direct = await Promise.all(toOthers.map((t) => t.stop()));
        const othersOk = direct.reduce((n, r) => n + r.ok, 0);
        const othersFailed = direct.reduce((n, r) => n + r.failed, 0);
        // Through the Service, the restarting Pod stays an endpoint from its container's stop until
        // its readiness has failed (failureThreshold probes, periodSeconds apart) and kube-proxy has
        // synced (its minSyncPeriod, 1 s): kube-proxy sends it its share of the new connections in
        // that window, and they are refused. A liveness restart is not a deletion: nothing withdraws
        // the endpoint first (docs/real-node.md).
        const readiness = apiContainer({ image: "i", dbHost: "db" }).readinessProbe as { periodSeconds: number; failureThreshold?: number };
        const windowSeconds = (readiness.failureThreshold ?? 3) * readiness.periodSeconds + 1;
        const bound = Math.ceil((windowSeconds * (1000 / opts.intervalMs)) / (others.length + 1));
        console.log(
            `/demo/person failing: restarted by its liveness after ${restarted.toFixed(1)} s; /demo/hello meanwhile: ` +
                `the other Pods directly ${othersOk} answered, ${othersFailed} failed; through the Service ${service.ok} answered, ` +
                `${service.failed} failed (bound ${bound}: the restarting Pod's share of ${windowSeconds} s)\n${service.failures.slice(0, 5).join("\n")}`,
        );
        expect(restarted).toBeGreaterThan(15); // three failed probes, 10 s apart
        expect([othersFailed, othersOk > 100]).toEqual([0, true]);
        expect(service.failed).toBeLessThanOrEqual(bound);
        expect(service.ok).toBeGreaterThan(100);
    });

    it("keeps a person written through the API when MongoDB's Pod is recreated on the same claim", async () => {
        const apiIP = outputs.clusterIPs["go-demo-2-api"];
        await fetch(`http://${apiIP}:8080/demo/person?name=Survivor`, { method: "PUT", signal: AbortSignal.timeout(5_000) }).then((r) => {
            if (!r.ok) throw new Error(`PUT: ${r.status}`);
        });
        const db = pods(namespace, DB_LABELS)[0];
        const claimOf = (pod: string): string | undefined =>
            kubectlJson("get", "pod", "-n", namespace, pod).spec.volumes.find((v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim)
                ?.persistentVolumeClaim.claimName;
        const claim = claimOf(db.name);
        const t0 = Date.now();
        kubectl("delete", "pod", "-n", namespace, db.name, "--wait=false");
        const newDb = await eventually(() => {
            const p = pods(namespace, DB_LABELS).find((x) => x.name !== db.name && x.ready);
            if (!p) throw new Error("MongoDB not back");
            return p;
        }, 180_000, 250);
        console.log(`MongoDB's Pod recreated and Ready after ${((Date.now() - t0) / 1000).toFixed(1)} s, on claim ${claim}`);
        expect(newDb.ip).not.toBe(db.ip);
        // The data first, then how it survived: a MongoDB without its claim fails on the data.
        const people = await eventuallyAsync(async () => JSON.parse(await httpGet(`http://${apiIP}:8080/demo/person`, 5_000)), 60_000);
        expect(people).toContainEqual({ name: "Survivor" });
        expect(people).toContainEqual({ name: "Viktor" });
        expect(claim).toBeDefined();
        expect(claimOf(newDb.name)).toBe(claim);
    });

    it("holds a new API Pod in its init container, out of the endpoints, until MongoDB takes connections", async () => {
        const dbSet = kubectlJson("get", "replicasets", "-n", namespace, "-l", "type=db").items[0].metadata.name as string;
        kubectl("scale", "replicaset", "-n", namespace, dbSet, "--replicas=0");
        try {
            // Gone entirely: a terminating MongoDB still serves, and kube-proxy sends a Service's
            // traffic to its terminating endpoints when it has no ready one.
            await eventually(() => {
                if (kubectlJson("get", "pods", "-n", namespace, "-l", "type=db").items.length > 0) throw new Error("MongoDB still there");
            }, 120_000);
            const victim = apiPods()[0].name;
            kubectl("delete", "pod", "-n", namespace, victim, "--wait=false");
            const fresh = await eventually(() => {
                const p = apiPods().find((x) => x.name !== victim && !x.ready);
                if (!p) throw new Error("no new API Pod yet");
                return p.name;
            }, 60_000, 250);
            // 10 s without MongoDB: the new Pod stays in its init container, not Ready, no endpoint.
            await new Promise((r) => setTimeout(r, 10_000));
            const status = kubectlJson("get", "pod", "-n", namespace, fresh).status;
            expect(status.initContainerStatuses[0].state.running).toBeDefined();
            expect(kubectl("logs", "-n", namespace, fresh, "-c", status.initContainerStatuses[0].name)).toContain("waiting for MongoDB");
            const readyIPs = kubectlJson("get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=go-demo-2-api")
                .items.flatMap((sl: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }) => sl.endpoints ?? [])
                .filter((e: { conditions?: { ready?: boolean } }) => e.conditions?.ready)
                .flatMap((e: { addresses: string[] }) => e.addresses);
            expect(readyIPs).not.toContain(status.podIP);
            const t0 = Date.now();
            kubectl("scale", "replicaset", "-n", namespace, dbSet, "--replicas=1");
            await allApiReady(apiPods().length);
            const dbReady = kubectlJson("get", "pods", "-n", namespace, "-l", "type=db").items[0].status.conditions.find((c: { type: string }) => c.type === "Ready").lastTransitionTime as string;
            const init = kubectlJson("get", "pod", "-n", namespace, fresh).status.initContainerStatuses[0].state.terminated;
            console.log(`init container: held ${((Date.parse(init.finishedAt) - Date.parse(init.startedAt)) / 1000).toFixed(0)} s, ended ${init.finishedAt} (MongoDB Ready ${dbReady}); API Pod Ready ${((Date.now() - t0) / 1000).toFixed(1)} s after MongoDB was scaled back`);
            expect(Date.parse(init.finishedAt) - Date.parse(init.startedAt)).toBeGreaterThanOrEqual(10_000);
        } finally {
            kubectl("scale", "replicaset", "-n", namespace, dbSet, "--replicas=1");
        }
    });

    it("let nothing leave the machine: the leak guard dropped no packet", () => {
        expect(guardDropped()).toBe(0);
    });
});
