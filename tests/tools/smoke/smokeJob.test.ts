import * as pulumi from "@pulumi/pulumi";

import { parseConfig } from "../../../config";
import { names } from "../../../stack";
import {
    checksEnv,
    LiveServiceObject,
    liveServices,
    readyNodeAddress,
    SMOKE_IMAGE,
    smokeChecks,
    SmokeCheck,
    smokeJob,
    smokeLabels,
    smokeOutcome,
    smokeTable,
} from "../../../tools/smoke/smokeJob";
import { assignedTo, installMocks, ofType, registeredOfType, registeredStack, resetRecorded, unwrap } from "../../support/mocks";
import { stackFileConfig } from "../../../tools/project/stackFiles";
import { CLUSTER_DNS } from "../../../components/networkPolicy";
import { allowed } from "../../support/networkPolicyEval";

installMocks();
beforeEach(resetRecorded);

const NODE = "172.18.0.2";

/** A stack file's Services as the mocked apiserver leaves them (cluster IPs, node ports, an LB address), and its DNS names. */
async function deployed(stackName: string) {
    const stack = await registeredStack(parseConfig(stackFileConfig(stackName), stackName));
    const services = Object.values(stack.services).map((s) => s.service);
    const objects = await Promise.all(
        services.map((s) => unwrap(pulumi.all([s.metadata, s.spec, s.status]).apply(([metadata, spec, status]) => ({ metadata, spec, status })))),
    );
    return { live: liveServices({ items: objects as LiveServiceObject[] }), dnsNames: await unwrap(stack.dnsNames), namespace: await unwrap(stack.namespace) };
}

const summary = (checks: SmokeCheck[]) => checks.map((c) => `${c.service} ${c.kind} ${c.what}`);

describe("smokeChecks", () => {
    it("dev: every Service's DNS name, the API through all three paths, a person written and read, MongoDB's HTTP interface, the ExternalName's CNAME", async () => {
        const { live, dnsNames } = await deployed("dev");
        const checks = smokeChecks({ services: live, dnsNames, nodeAddress: NODE, person: "smoke-1" });
        expect(summary(checks)).toEqual([
            `${names.db} dns DNS name resolves to the cluster IP`,
            `${names.dbHttp} dns DNS name resolves to the cluster IP`,
            `${names.dbHttp} get MongoDB's HTTP interface through the cluster IP`,
            `${names.dbHttp} get MongoDB's HTTP interface through a node's node port`,
            `${names.api} dns DNS name resolves to the cluster IP`,
            `${names.api} get /demo/hello through the cluster IP`,
            `${names.api} get /demo/hello through a node's node port`,
            `${names.api} get /demo/hello through the load balancer`,
            `${names.api} put a person written (API → go-demo-2-db)`,
            `${names.api} get the person read back`,
            `${names.external} cname DNS name is a CNAME to kubernetes.io`,
        ]);
        const api = live.find((s) => s.name === names.api)!;
        const byWhat = Object.fromEntries(checks.map((c) => [`${c.service} ${c.what}`, c]));
        expect(byWhat[`${names.api} DNS name resolves to the cluster IP`]).toMatchObject({ target: dnsNames[names.api], expect: `Address: ${api.clusterIP}` });
        expect(byWhat[`${names.api} /demo/hello through the cluster IP`]).toMatchObject({ target: `http://${api.clusterIP}:8080/demo/hello`, expect: "hello, world!" });
        expect(byWhat[`${names.api} /demo/hello through a node's node port`].target).toBe(`http://${NODE}:${api.ports[0].nodePort}/demo/hello`);
        expect(byWhat[`${names.api} /demo/hello through the load balancer`].target).toBe(`http://${assignedTo(names.api).ingress}:8080/demo/hello`);
        expect(byWhat[`${names.api} a person written (API → go-demo-2-db)`].target).toBe(`http://${api.clusterIP}:8080/demo/person?name=smoke-1`);
        expect(byWhat[`${names.api} the person read back`]).toMatchObject({ target: `http://${api.clusterIP}:8080/demo/person`, expect: "smoke-1" });
        expect(byWhat[`${names.external} DNS name is a CNAME to kubernetes.io`]).toMatchObject({ serviceType: "ExternalName", expect: `${dnsNames[names.external]} canonical name = kubernetes.io` });
        expect(new Set(checks.map((c) => c.serviceType))).toEqual(new Set(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]));
    });

    it("lab: a person written, never read back: each combined Pod has its own MongoDB, so a read may reach another Pod's", async () => {
        const { live, dnsNames } = await deployed("lab");
        expect(live.find((s) => s.name === names.db)?.selector).toEqual(live.find((s) => s.name === names.api)?.selector);
        const api = summary(smokeChecks({ services: live, dnsNames, nodeAddress: NODE, person: "p" })).filter((c) => c.startsWith(names.api));
        expect(api).toContain(`${names.api} put a person written (API → go-demo-2-db)`);
        expect(api).not.toContain(`${names.api} get the person read back`);
    });

    it("prod: the API over HTTPS on 443, and no MongoDB HTTP interface to call", async () => {
        const { live, dnsNames } = await deployed("prod");
        const checks = smokeChecks({ services: live, dnsNames, nodeAddress: NODE, person: "p" });
        const api = checks.filter((c) => c.service === names.api && c.kind !== "dns");
        expect(api.length).toBe(5);
        for (const c of api) {
            expect(c.target).toMatch(/^https:\/\/[^/]+:(443|3\d{4})\/demo\//);
        }
        expect(checks.some((c) => c.service === names.dbHttp)).toBe(false);
    });

    it("leaves out the node-port checks without a Ready node, and the load balancer's without an address", () => {
        const services = [{ name: names.api, type: "LoadBalancer", clusterIP: "10.96.0.9", ports: [{ name: "http", port: 8080, nodePort: 30500 }] }];
        const checks = smokeChecks({ services, dnsNames: {}, person: "p" });
        expect(checks.map((c) => c.what)).toEqual(["/demo/hello through the cluster IP", "a person written (API → go-demo-2-db)", "the person read back"]);
    });

    it("puts IPv6 addresses in brackets and escapes the person's name", () => {
        const services = [{ name: names.api, type: "ClusterIP", clusterIP: "fd00::a", ports: [{ name: "http", port: 8080 }] }];
        const checks = smokeChecks({ services, dnsNames: {}, person: "a b" });
        expect(checks[0].target).toBe("http://[fd00::a]:8080/demo/hello");
        expect(checks[1].target).toBe("http://[fd00::a]:8080/demo/person?name=a%20b");
    });
});

describe("liveServices and readyNodeAddress", () => {
    it("read the cluster IP (not a headless None), node ports, external name and ingress host name", () => {
        expect(
            liveServices({
                items: [
                    { metadata: { name: "h" }, spec: { clusterIP: "None", ports: [{ port: 1 }] } },
                    { metadata: { name: "lb" }, spec: { type: "LoadBalancer", clusterIP: "10.0.0.1", ports: [{ name: "x", port: 2, nodePort: 30001 }] }, status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } },
                    { metadata: { name: "e" }, spec: { type: "ExternalName", externalName: "example.org" } },
                ],
            }),
        ).toEqual([
            { name: "h", type: "ClusterIP", ports: [{ name: undefined, port: 1 }] },
            { name: "lb", type: "LoadBalancer", clusterIP: "10.0.0.1", ports: [{ name: "x", port: 2, nodePort: 30001 }], ingress: "lb.example" },
            { name: "e", type: "ExternalName", ports: [], externalName: "example.org" },
        ]);
    });

    it("takes the first Ready node's InternalIP", () => {
        const node = (ready: string, ip: string) => ({
            status: { conditions: [{ type: "Ready", status: ready }], addresses: [{ type: "Hostname", address: "n" }, { type: "InternalIP", address: ip }] },
        });
        expect(readyNodeAddress({ items: [node("Unknown", "10.0.0.1"), node("True", "10.0.0.2")] })).toBe("10.0.0.2");
        expect(readyNodeAddress({ items: [node("False", "10.0.0.1")] })).toBeUndefined();
    });
});

describe("smokeJob", () => {
    const checks: SmokeCheck[] = [
        { serviceType: "ClusterIP", service: "s", what: "w", kind: "dns", target: "s.ns.svc.cluster.local", expect: "10.96.0.1" },
        { serviceType: "ClusterIP", service: "s", what: "w", kind: "get", target: "http://10.96.0.1:8080/", expect: "" },
    ];
    const job = smokeJob({ name: "go-demo-2-smoke-x", namespace: "ns", checks, deadlineSeconds: 90 }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = job.spec.template.spec;
    const container = pod.containers[0];

    it("runs once, within its deadline, cleaned up by the TTL controller should the runner not delete it", () => {
        expect(job.metadata).toEqual({ name: "go-demo-2-smoke-x", namespace: "ns", labels: smokeLabels("go-demo-2-smoke-x") });
        expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 90, ttlSecondsAfterFinished: 600 });
        expect(pod.restartPolicy).toBe("Never");
    });

    it("runs the pinned image unprivileged, read-only, without a token, and passes the checks a line each", () => {
        expect(container.image).toBe(SMOKE_IMAGE);
        expect(SMOKE_IMAGE).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
        expect(env.CHECKS.split("\n")).toEqual(["dns\ts.ns.svc.cluster.local\t10.96.0.1", "get\thttp://10.96.0.1:8080/\t"]);
        expect(env.RESULTS).toBe(container.terminationMessagePath);
    });

    it("refuses a check whose text would break the line format", () => {
        expect(() => checksEnv([{ ...checks[0], expect: "a\tb" }])).toThrow(/tab or a newline/);
    });

    it.each(["dev", "lab", "prod"])("%s: no Service of the stack selects the Job's Pod", async (stackName) => {
        await deployed(stackName);
        const labels = smokeLabels("go-demo-2-smoke-x");
        for (const s of registeredOfType("kubernetes:core/v1:Service")) {
            const selector: Record<string, string> = s.inputs.spec.selector ?? {};
            if (Object.keys(selector).length > 0) {
                expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
            }
        }
    });
});

/** Whether a Pod with `from` labels may open `port` on a Pod with `to` labels of the same namespace, under these NetworkPolicies (matchLabels only: all the stack uses). */
function admitted(policies: any[], from: Record<string, string>, to: Record<string, string>, port: number): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
    const matches = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
        Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const selecting = policies.filter((p) => p.spec.policyTypes.includes("Ingress") && matches(p.spec.podSelector, to));
    if (selecting.length === 0) {
        return true;
    }
    return selecting.some((p) =>
        (p.spec.ingress ?? []).some(
            (rule: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[]; ports?: { port: number }[] }) =>
                (!rule.from || rule.from.some((peer) => peer.podSelector !== undefined && matches(peer.podSelector, from))) &&
                (!rule.ports || rule.ports.some((p) => p.port === port)),
        ),
    );
}

describe("the stack's NetworkPolicies and the smoke Job", () => {
    it.each(["dev", "lab", "prod"])("%s: let the Job's Pod reach every Pod port its HTTP checks call", async (stackName) => {
        const { live, dnsNames } = await deployed(stackName);
        const checks = smokeChecks({ services: live, dnsNames, nodeAddress: NODE, person: "p" });
        const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
        const services = registeredOfType("kubernetes:core/v1:Service");
        const templates = ofType("kubernetes:apps/v1:ReplicaSet").map((r) => r.inputs.spec.template);
        const from = smokeLabels("go-demo-2-smoke-x");
        const called = [...new Set(checks.filter((c) => c.kind === "get" || c.kind === "put").map((c) => c.service))];
        expect(called.length).toBeGreaterThan(0);
        for (const name of called) {
            const service = services.find((s) => s.inputs.metadata.name === name)!.inputs.spec;
            const pods = templates.filter((t) => Object.entries(service.selector).every(([k, v]) => t.metadata.labels[k] === v));
            expect(pods.length).toBe(1);
            const targetPort: number = service.ports[0].targetPort;
            expect(typeof targetPort).toBe("number");
            expect({ service: name, admitted: admitted(policies, from, pods[0].metadata.labels, targetPort) }).toEqual({ service: name, admitted: true });
        }
    });

    it.each(["dev", "lab", "prod"])("%s: let the Job's Pod out to DNS and to exactly the Pod ports its checks call", async (stackName) => {
        const { live, dnsNames, namespace } = await deployed(stackName);
        const checks = smokeChecks({ services: live, dnsNames, nodeAddress: NODE, person: "p" });
        const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
        const services = ofType("kubernetes:core/v1:Service");
        const templates = ofType("kubernetes:apps/v1:ReplicaSet").map((r) => r.inputs.spec.template);
        const job = { namespace, labels: smokeLabels("go-demo-2-smoke-x") };
        const dns = { namespace: CLUSTER_DNS.namespace, labels: CLUSTER_DNS.pods };
        expect(checks.some((c) => c.kind === "dns" || c.kind === "cname")).toBe(true);
        expect(allowed(policies, { from: job, to: dns, port: 53, protocol: "UDP" })).toBe(true);
        expect(allowed(policies, { from: job, to: dns, port: 53, protocol: "TCP" })).toBe(true);
        // Cluster IP, node port and load balancer alike reach the Pod's target port once kube-proxy has rewritten them.
        for (const c of checks.filter((x) => x.kind === "get" || x.kind === "put")) {
            const service = services.find((s) => s.inputs.metadata.name === c.service)!.inputs.spec;
            const pod = templates.find((t) => Object.entries(service.selector).every(([k, v]) => t.metadata.labels[k] === v))!;
            const to = { namespace, labels: pod.metadata.labels };
            expect({ check: c.what, allowed: allowed(policies, { from: job, to, port: service.ports[0].targetPort }) }).toEqual({ check: c.what, allowed: true });
            expect(allowed(policies, { from: job, to, port: 27017 })).toBe(false);
        }
        expect(allowed(policies, { from: job, to: { ip: "169.254.169.254" }, port: 80 })).toBe(false);
    });

    it("the check itself refuses a Pod the policies do not let in: MongoDB's wire port, open to the API only", async () => {
        await deployed("dev");
        const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
        const db = ofType("kubernetes:apps/v1:ReplicaSet").find((r) => r.inputs.metadata.name.startsWith(names.db))!.inputs.spec.template.metadata.labels;
        expect(admitted(policies, smokeLabels("x"), db, 27017)).toBe(false);
        expect(admitted(policies, smokeLabels("x"), db, 28017)).toBe(true);
    });
});

describe("smokeOutcome", () => {
    const checks: SmokeCheck[] = [
        { serviceType: "ClusterIP", service: "db", what: "dns", kind: "dns", target: "db", expect: "10.96.0.1" },
        { serviceType: "LoadBalancer", service: "api", what: "hello", kind: "get", target: "http://10.96.0.2:8080/demo/hello", expect: "hello, world!" },
    ];
    const complete = { conditions: [{ type: "SuccessCriteriaMet", status: "True" }, { type: "Complete", status: "True" }] };
    const terminated = (message: string, exitCode = 0) => ({ phase: exitCode ? "Failed" : "Succeeded", containerStatuses: [{ state: { terminated: { exitCode, message } } }] });

    it("passes when the Job completed and every check reported ok", () => {
        const outcome = smokeOutcome(checks, { job: complete, pod: terminated("1 ok\n2 ok\n") });
        expect(outcome).toEqual({ ok: true, rows: checks.map((c) => ({ ...c, ok: true, detail: "" })), summary: "the Job completed: 2 of 2 checks passed" });
    });

    it("fails on a failed check, with what it printed", () => {
        const failed = { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] };
        const outcome = smokeOutcome(checks, { job: failed, pod: terminated("1 ok\n2 FAIL curl: (7) Failed to connect\n", 1) });
        expect(outcome.ok).toBe(false);
        expect(outcome.rows.map((r) => [r.ok, r.detail])).toEqual([[true, ""], [false, "curl: (7) Failed to connect"]]);
        expect(outcome.summary).toBe("the Job failed: BackoffLimitExceeded Job has reached the specified backoff limit: 1 of 2 checks passed");
    });

    it("fails a completed Job that left no results, saying nothing ran the checks", () => {
        const outcome = smokeOutcome(checks, { job: complete, pod: { phase: "Succeeded", containerStatuses: [{ state: { terminated: { exitCode: 0 } } }] } });
        expect(outcome.ok).toBe(false);
        expect(outcome.rows.every((r) => !r.ok && r.detail === "no result")).toBe(true);
        expect(outcome.summary).toMatch(/^the Job completed, but its Pod left no results/);
    });

    it("fails a completed Job missing a row (the script stopped early)", () => {
        expect(smokeOutcome(checks, { job: complete, pod: terminated("1 ok\n") }).ok).toBe(false);
    });

    it("names the deadline, and the container's waiting reason, when the image never ran", () => {
        const deadline = { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }] };
        const pod = { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } }] };
        const outcome = smokeOutcome(checks, { job: deadline, pod });
        expect(outcome.ok).toBe(false);
        expect(outcome.summary).toBe(
            "the Job failed: DeadlineExceeded Job was active longer than specified deadline; its container is waiting: ImagePullBackOff Back-off pulling image: 0 of 2 checks passed",
        );
    });

    it("fails when the runner stopped waiting", () => {
        const outcome = smokeOutcome(checks, { job: {}, pod: { phase: "Pending" }, timedOut: true });
        expect(outcome).toMatchObject({ ok: false, summary: "the Job did not end in time: 0 of 2 checks passed" });
    });
});

describe("smokeTable", () => {
    it("prints a block per Service type in the lab's order, a line per check, with what a failure printed", () => {
        const rows = [
            { serviceType: "LoadBalancer", service: "go-demo-2-api", what: "hello", kind: "get" as const, target: "http://a/", expect: "", ok: false, detail: "curl: (28) timeout" },
            { serviceType: "ClusterIP", service: "go-demo-2-db", what: "dns", kind: "dns" as const, target: "db", expect: "", ok: true, detail: "" },
        ];
        expect(smokeTable(rows).split("\n")).toEqual([
            "ClusterIP",
            "  go-demo-2-db   dns    db         ok",
            "LoadBalancer",
            "  go-demo-2-api  hello  http://a/  FAIL  curl: (28) timeout",
        ]);
    });
});
