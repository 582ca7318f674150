/**
 * The real node of the local cluster (scripts/cluster/real-node.sh), with packets: it is Ready
 * beside the simulated nodes and tainted so that no ordinary Pod lands on it; its Pods are real
 * processes whose resolver is the cluster's own DNS (CoreDNS); kube-proxy routes a ClusterIP and a
 * NodePort for real, from this host and from a Pod; Pods have no route out of the machine, and the
 * leak guard has dropped nothing. Every image is a stand-in built here (images/build.sh).
 */
import * as fs from "fs";

import { eventually, kubectl, kubectlJson } from "./kube";
import {
    apply,
    assertRealNodeReady,
    CLUSTER_DNS_IP,
    createNamespace,
    eventuallyAsync,
    execIn,
    guardDropped,
    httpGet,
    podOnRealNode,
    REAL_NODE,
    REAL_NODE_IP,
    REAL_NODE_TAINT,
    realNodeWanted,
    waitRunning,
} from "./realNode";

const ns = "e2e-real-node";
const d = realNodeWanted() ? describe : describe.skip;

d("the real node", () => {
    beforeAll(() => {
        assertRealNodeReady();
        createNamespace(ns);
    }, 180_000);
    afterAll(() => {
        kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
    });

    it("is Ready beside the simulated nodes, runs containerd and a kubelet of the cluster's version, and is tainted", () => {
        const node = kubectlJson("get", "node", REAL_NODE);
        expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
        expect(node.status.nodeInfo.kubeletVersion).toBe(kubectlJson("version").serverVersion.gitVersion);
        expect(node.status.addresses).toContainEqual({ type: "InternalIP", address: REAL_NODE_IP });
        expect(node.spec.taints).toContainEqual({ key: REAL_NODE_TAINT, value: "true", effect: "NoSchedule" });
        const simulated = kubectlJson("get", "nodes", "-l", "type=kwok").items;
        expect(simulated.length).toBeGreaterThanOrEqual(1);
    });

    it("takes no Pod that does not tolerate its taint, even one that asks for it by name", async () => {
        apply({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "untolerated", namespace: ns },
            spec: {
                nodeSelector: { "kubernetes.io/hostname": REAL_NODE },
                containers: [{ name: "main", image: "registry.invalid/never:1", command: ["true"] }],
            },
        });
        const reason = await eventually(() => {
            const p = kubectlJson("get", "pod", "-n", ns, "untolerated");
            const c = (p.status.conditions ?? []).find((x: { type: string }) => x.type === "PodScheduled");
            if (!c || c.status !== "False") {
                throw new Error(`not yet refused: ${JSON.stringify(p.status)}`);
            }
            return `${c.reason}: ${c.message}`;
        }, 60_000);
        expect(reason).toMatch(/^Unschedulable: .*had untolerated taint/);
        expect(kubectlJson("get", "pod", "-n", ns, "untolerated").spec.nodeName).toBeUndefined();
    });

    it("runs real processes whose resolver is the cluster DNS (never the host's), with no route out", async () => {
        apply(podOnRealNode(ns, "shell", ["sleep", "3600"]));
        const { node } = await waitRunning(ns, "shell");
        expect(node).toBe(REAL_NODE);
        const resolv = execIn(ns, "shell", "cat", "/etc/resolv.conf");
        const nameservers = resolv.split("\n").filter((l) => l.startsWith("nameserver"));
        expect(nameservers).toEqual([`nameserver ${CLUSTER_DNS_IP}`]);
        const hostNameservers = fs.readFileSync("/etc/resolv.conf", "utf8").split("\n").filter((l) => l.startsWith("nameserver"));
        for (const h of hostNameservers) {
            expect(resolv).not.toContain(h.split(/\s+/)[1]);
        }
        // The kubernetes Service's name, answered by CoreDNS from the API server.
        const answer = execIn(ns, "shell", "nslookup", "kubernetes.default.svc.cluster.local");
        expect(answer).toMatch(/Address:\s+10\.96\.0\.1\b/);
        // Routes to the cluster's own ranges only: no default route, and an address outside is unreachable.
        const routes = execIn(ns, "shell", "ip", "route");
        expect(routes).not.toMatch(/^default/m);
        expect(routes).toMatch(/^10\.96\.0\.0\/16 via /m);
        expect(() => execIn(ns, "shell", "nc", "-z", "-w", "2", "192.0.2.1", "80")).toThrow();
    }, 180_000);

    it("routes a ClusterIP and a NodePort to a Pod for real, from this host and from a Pod, by the Service's DNS name too", async () => {
        apply(
            podOnRealNode(ns, "web", ["sh", "-c", 'mkdir -p /www && echo "served by $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www'], {
                container: { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } },
            }),
        );
        apply({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: ns },
            spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
        });
        await waitRunning(ns, "web");
        const svc = kubectlJson("get", "service", "-n", ns, "web");
        const clusterIP = svc.spec.clusterIP as string;
        const nodePort = svc.spec.ports[0].nodePort as number;
        const fromHost = await eventuallyAsync(() => httpGet(`http://${clusterIP}/index.html`), 30_000);
        expect(fromHost).toBe("served by web\n");
        expect(await eventuallyAsync(() => httpGet(`http://${REAL_NODE_IP}:${nodePort}/index.html`), 30_000)).toBe("served by web\n");
        await waitRunning(ns, "shell");
        const fromPod = execIn(ns, "shell", "wget", "-q", "-T", "5", "-O", "-", `http://web.${ns}.svc.cluster.local/index.html`);
        expect(fromPod).toBe("served by web\n");
    }, 180_000);

    it("has let nothing leave the machine: the leak guard dropped no packet", () => {
        expect(guardDropped()).toBe(0);
    });
});
