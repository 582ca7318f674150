import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

import { typeToken } from "../../components/package";
import { AddressChange, addressChanges, movesAnAddress, previewServiceSteps, UNKNOWN } from "../../guards/addresses";

const SERVICE = "kubernetes:core/v1:Service";
const urn = (name: string, type = SERVICE): string =>
    `urn:pulumi:dev::go-demo-2::${typeToken("NodePortService")}$${type}::${name}`;

interface Shape {
    name?: string;
    namespace?: string;
    type?: string;
    clusterIP?: string;
    /** Port name to node port (number), unpinned (undefined) or UNKNOWN. */
    ports?: Record<string, number | string | undefined>;
    ingress?: { ip?: string; hostname?: string };
}

/** A Service's ports by name, each with its node port when it has (or pins) one. */
function specPorts(ports: Record<string, number | string | undefined>) {
    return Object.entries(ports).map(([portName, nodePort]) => ({
        name: portName,
        port: 8080,
        protocol: "TCP",
        targetPort: 8080,
        ...(nodePort !== undefined ? { nodePort } : {}),
    }));
}

/** The live Service as the provider records it in the state's outputs. */
function live({ name = "go-demo-2-api", namespace = "dev", type = "NodePort", clusterIP = "10.96.12.34", ports = { http: 30080 }, ingress }: Shape = {}) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, uid: "0b0c", resourceVersion: "812" },
        spec: {
            type,
            ...(type === "ExternalName" ? { externalName: "kubernetes.io" } : { clusterIP, clusterIPs: [clusterIP] }),
            ports: specPorts(ports),
            selector: { service: "go-demo-2", type: "api" },
        },
        status: { loadBalancer: ingress ? { ingress: [ingress] } : {} },
    };
}

/** What the program asks for, as the provider's check leaves it in the step's new inputs. */
function asked({ name = "go-demo-2-api", namespace = "dev", type = "NodePort", clusterIP, ports = { http: undefined } }: Shape = {}) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, annotations: { "pulumi.com/waitFor": "jsonpath={.spec.clusterIP}" } },
        spec: {
            type,
            ...(clusterIP !== undefined ? { clusterIP } : {}),
            ports: specPorts(ports),
            selector: { service: "go-demo-2", type: "api" },
        },
    };
}

const state = (u: string, type: string, props: Record<string, unknown>, of: "inputs" | "outputs") => ({
    type,
    urn: u,
    id: "dev/go-demo-2-api",
    parent: "urn:pulumi:dev::go-demo-2::pulumi:pulumi:Stack::go-demo-2-dev",
    provider: "urn:pulumi:dev::go-demo-2::pulumi:providers:kubernetes::cluster::1",
    inputs: of === "inputs" ? props : {},
    outputs: of === "outputs" ? props : {},
});

/** A resourcePreEvent as the engine emits it during a preview. */
function pre(op: OpType, u: string, old?: object, inputs?: object, type = SERVICE): EngineEvent {
    return {
        sequence: 1,
        timestamp: 1760000000,
        resourcePreEvent: {
            metadata: {
                op,
                urn: u,
                type,
                provider: "urn:pulumi:dev::go-demo-2::pulumi:providers:kubernetes::cluster::1",
                old: old ? state(u, type, old as Record<string, unknown>, "outputs") : undefined,
                new: inputs ? state(u, type, inputs as Record<string, unknown>, "inputs") : undefined,
            },
        },
    };
}

const rows = (...events: EngineEvent[]): AddressChange[] => addressChanges(previewServiceSteps(events));
const row = (rs: AddressChange[], address: string) => rs.find((r) => r.address === address);

describe("previewServiceSteps", () => {
    it("reads the live object before and the program's inputs after, and ignores everything but Services", () => {
        const rs = {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            metadata: { name: "go-demo-2-api-0123456789", namespace: "dev" },
            spec: { replicas: 3 },
        };
        const steps = previewServiceSteps([
            { sequence: 0, timestamp: 0, preludeEvent: { config: {} } },
            pre("update", urn("go-demo-2-api-rs", "kubernetes:apps/v1:ReplicaSet"), rs, rs, "kubernetes:apps/v1:ReplicaSet"),
            pre(
                "update",
                urn("go-demo-2-api"),
                live({ type: "LoadBalancer", ingress: { hostname: "lb.example.com" } }),
                asked({ type: "LoadBalancer", ports: { http: 30081 } }),
            ),
            { sequence: 3, timestamp: 0, diagnosticEvent: { message: "x", color: "never", severity: "info" } },
        ]);
        expect(steps).toEqual([
            {
                op: "update",
                urn: urn("go-demo-2-api"),
                old: {
                    name: "go-demo-2-api",
                    namespace: "dev",
                    type: "LoadBalancer",
                    clusterIP: "10.96.12.34",
                    ports: { http: "30080" },
                    loadBalancer: "lb.example.com",
                },
                new: {
                    name: "go-demo-2-api",
                    namespace: "dev",
                    type: "LoadBalancer",
                    clusterIP: undefined,
                    ports: { http: "30081" },
                    loadBalancer: undefined,
                },
            },
        ]);
    });

    it("reads an unknown port list as unknown, and a missing type as Kubernetes' default ClusterIP", () => {
        const inputs = { metadata: { name: "go-demo-2-db", namespace: "dev" }, spec: { ports: UNKNOWN } };
        expect(previewServiceSteps([pre("create", urn("go-demo-2-db"), undefined, inputs)])[0].new).toMatchObject({ type: "ClusterIP", ports: UNKNOWN });
    });
});

describe("addressChanges of an update in place", () => {
    it("changes a node port the program pins to another value; the cluster IP and DNS name stay", () => {
        const r = rows(pre("update", urn("go-demo-2-api"), live(), asked({ ports: { http: 30081 } })));
        expect(r).toEqual([
            { service: "go-demo-2-api", address: "cluster IP", before: "10.96.12.34", after: "10.96.12.34", verdict: "stays" },
            { service: "go-demo-2-api", address: "node port http", before: "30080", after: "30081", verdict: "changes" },
            { service: "go-demo-2-api", address: "DNS name", before: "go-demo-2-api.dev.svc", after: "go-demo-2-api.dev.svc", verdict: "stays" },
        ]);
        expect(movesAnAddress(r)).toBe(true);
    });

    it("keeps an allocated node port when the program pins none, and one pinned to the same value", () => {
        const unpinned = rows(pre("update", urn("go-demo-2-api"), live(), asked()));
        expect(row(unpinned, "node port http")).toEqual({
            service: "go-demo-2-api",
            address: "node port http",
            before: "30080",
            after: "30080",
            verdict: "stays",
        });
        expect(movesAnAddress(unpinned)).toBe(false);
        expect(row(rows(pre("update", urn("go-demo-2-api"), live(), asked({ ports: { http: 30080 } }))), "node port http")?.verdict).toBe("stays");
    });

    it("drops the node ports and the load-balancer address of a LoadBalancer turned ClusterIP, and keeps its cluster IP", () => {
        const r = rows(
            pre(
                "update",
                urn("go-demo-2-api"),
                live({ type: "LoadBalancer", ports: { http: 30080, metrics: 30090 }, ingress: { ip: "172.18.0.10" } }),
                asked({ type: "ClusterIP", ports: { http: undefined, metrics: undefined } }),
            ),
        );
        expect(r.map((x) => [x.address, x.before, x.verdict])).toEqual([
            ["cluster IP", "10.96.12.34", "stays"],
            ["node port http", "30080", "goes"],
            ["node port metrics", "30090", "goes"],
            ["DNS name", "go-demo-2-api.dev.svc", "stays"],
            ["load-balancer address", "172.18.0.10", "goes"],
        ]);
        expect(row(r, "load-balancer address")?.after).toBeUndefined();
        expect(movesAnAddress(r)).toBe(true);
    });

    it("adds node ports and a load-balancer address to a ClusterIP turned LoadBalancer, which moves nothing", () => {
        const r = rows(
            pre(
                "update",
                urn("go-demo-2-api"),
                live({ type: "ClusterIP", ports: { http: undefined } }),
                asked({ type: "LoadBalancer", ports: { http: 30080 } }),
            ),
        );
        expect(r.map((x) => [x.address, x.before, x.after, x.verdict])).toEqual([
            ["cluster IP", "10.96.12.34", "10.96.12.34", "stays"],
            ["node port http", undefined, "30080", "new"],
            ["DNS name", "go-demo-2-api.dev.svc", "go-demo-2-api.dev.svc", "stays"],
            ["load-balancer address", undefined, undefined, "new"],
        ]);
        expect(movesAnAddress(r)).toBe(false);
    });

    it("keeps the address of a LoadBalancer that stays one, and reads a port the old object lacks as new", () => {
        const r = rows(
            pre(
                "update",
                urn("go-demo-2-api"),
                live({ type: "LoadBalancer", ingress: { ip: "172.18.0.10" } }),
                asked({ type: "LoadBalancer", ports: { http: undefined, metrics: undefined } }),
            ),
        );
        expect(row(r, "load-balancer address")).toMatchObject({ before: "172.18.0.10", after: "172.18.0.10", verdict: "stays" });
        expect(row(r, "node port metrics")).toMatchObject({ before: undefined, after: undefined, verdict: "new" });
        expect(movesAnAddress(r)).toBe(false);
    });

    it("drops the cluster IP of a Service turned ExternalName", () => {
        const old = live({ type: "ClusterIP", ports: { http: undefined } });
        const r = rows(pre("update", urn("go-demo-2-api"), old, asked({ type: "ExternalName", ports: {} })));
        expect(row(r, "cluster IP")).toMatchObject({ before: "10.96.12.34", after: undefined, verdict: "goes" });
        expect(row(r, "DNS name")?.verdict).toBe("stays");
    });

    it("reports nothing for a Service the preview leaves the same", () => {
        expect(rows(pre("same", urn("go-demo-2-api"), live(), asked()))).toEqual([]);
    });
});

describe("addressChanges of a replacement", () => {
    const replacement = (old: object, inputs: object): EngineEvent[] => [
        pre("create-replacement", urn("go-demo-2-api"), old, inputs),
        pre("replace", urn("go-demo-2-api"), old, inputs),
        pre("delete-replaced", urn("go-demo-2-api"), old),
    ];

    it("changes the cluster IP, the node ports and the load-balancer address; the DNS name stays in the same namespace", () => {
        const r = rows(...replacement(live({ type: "LoadBalancer", ingress: { ip: "172.18.0.10" } }), asked({ type: "LoadBalancer" })));
        expect(r.map((x) => [x.address, x.before, x.after, x.verdict])).toEqual([
            ["cluster IP", "10.96.12.34", undefined, "changes"],
            ["node port http", "30080", undefined, "changes"],
            ["DNS name", "go-demo-2-api.dev.svc", "go-demo-2-api.dev.svc", "stays"],
            ["load-balancer address", "172.18.0.10", undefined, "changes"],
        ]);
        expect(movesAnAddress(r)).toBe(true);
    });

    it("keeps a cluster IP and a node port the program pins to their current values", () => {
        const r = rows(...replacement(live(), asked({ clusterIP: "10.96.12.34", ports: { http: 30080 } })));
        expect(r.map((x) => [x.address, x.after, x.verdict])).toEqual([
            ["cluster IP", "10.96.12.34", "stays"],
            ["node port http", "30080", "stays"],
            ["DNS name", "go-demo-2-api.dev.svc", "stays"],
        ]);
        expect(movesAnAddress(r)).toBe(false);
    });

    it("reads a delete and a create of the same name (another URN, another namespace) as a replacement that moves the DNS name", () => {
        const r = rows(
            pre("create", urn("api"), undefined, asked({ namespace: "staging" })),
            pre("delete", urn("go-demo-2-api"), live()),
        );
        expect(r.map((x) => [x.service, x.address, x.before, x.after, x.verdict])).toEqual([
            ["go-demo-2-api", "cluster IP", "10.96.12.34", undefined, "changes"],
            ["go-demo-2-api", "node port http", "30080", undefined, "changes"],
            ["go-demo-2-api", "DNS name", "go-demo-2-api.dev.svc", "go-demo-2-api.staging.svc", "changes"],
        ]);
    });

    it("keeps the DNS name when a component is renamed without an alias in the same namespace", () => {
        const r = rows(pre("delete", urn("go-demo-2-api"), live()), pre("create", urn("api"), undefined, asked()));
        expect(row(r, "DNS name")?.verdict).toBe("stays");
        expect(row(r, "cluster IP")?.verdict).toBe("changes");
    });
});

describe("addressChanges of a delete or a create alone", () => {
    it("says every address of a deleted Service goes", () => {
        const r = rows(pre("delete", urn("go-demo-2-api"), live({ type: "LoadBalancer", ingress: { ip: "172.18.0.10" } })));
        expect(r.map((x) => [x.address, x.before, x.after, x.verdict])).toEqual([
            ["cluster IP", "10.96.12.34", undefined, "goes"],
            ["node port http", "30080", undefined, "goes"],
            ["DNS name", "go-demo-2-api.dev.svc", undefined, "goes"],
            ["load-balancer address", "172.18.0.10", undefined, "goes"],
        ]);
        expect(movesAnAddress(r)).toBe(true);
    });

    it("says the addresses of a created Service are new, which moves nothing", () => {
        const r = rows(pre("create", urn("go-demo-2-db"), undefined, asked({ name: "go-demo-2-db", type: "ClusterIP", ports: { db: undefined } })));
        expect(r).toEqual([
            { service: "go-demo-2-db", address: "cluster IP", before: undefined, after: undefined, verdict: "new" },
            { service: "go-demo-2-db", address: "DNS name", before: undefined, after: "go-demo-2-db.dev.svc", verdict: "new" },
        ]);
        expect(movesAnAddress(r)).toBe(false);
    });

    it("sorts by Service, each Service's addresses in a fixed order", () => {
        const r = rows(
            pre("create", urn("go-demo-2-db"), undefined, asked({ name: "go-demo-2-db", type: "ClusterIP" })),
            pre("create", urn("go-demo-2-api"), undefined, asked({ ports: { http: 30080 } })),
        );
        expect(r.map((x) => `${x.service} ${x.address}`)).toEqual([
            "go-demo-2-api cluster IP",
            "go-demo-2-api node port http",
            "go-demo-2-api DNS name",
            "go-demo-2-db cluster IP",
            "go-demo-2-db DNS name",
        ]);
    });
});

describe("addressChanges with values only known after up", () => {
    it("reads a node port or a cluster IP pinned to an unknown value as may change", () => {
        const r = rows(pre("update", urn("go-demo-2-api"), live(), asked({ clusterIP: UNKNOWN, ports: { http: UNKNOWN } })));
        expect(row(r, "cluster IP")).toMatchObject({ after: UNKNOWN, verdict: "changes" });
        expect(row(r, "node port http")).toMatchObject({ after: UNKNOWN, verdict: "changes" });
        expect(movesAnAddress(r)).toBe(true);
    });

    it("reads an unknown type or port list as may change every address it decides", () => {
        const old = live({ type: "LoadBalancer", ingress: { ip: "172.18.0.10" } });
        const inputs = { metadata: { name: "go-demo-2-api", namespace: "dev" }, spec: UNKNOWN };
        const r = rows(pre("update", urn("go-demo-2-api"), old, inputs));
        expect(r.map((x) => [x.address, x.after, x.verdict])).toEqual([
            ["cluster IP", UNKNOWN, "changes"],
            ["node port http", UNKNOWN, "changes"],
            ["DNS name", "go-demo-2-api.dev.svc", "stays"],
            ["load-balancer address", UNKNOWN, "changes"],
        ]);
    });

    it("reads a replacement into a namespace known only after up as may move the DNS name", () => {
        const r = rows(pre("replace", urn("go-demo-2-api"), live(), asked({ namespace: UNKNOWN })));
        expect(row(r, "DNS name")).toMatchObject({ before: "go-demo-2-api.dev.svc", after: UNKNOWN, verdict: "changes" });
    });
});

describe("movesAnAddress", () => {
    const base = { service: "go-demo-2-api", address: "cluster IP" as const, before: "10.96.12.34" };
    it("is true when an address changes or goes, and false when each stays or is new", () => {
        expect(movesAnAddress([])).toBe(false);
        const stays: AddressChange = { ...base, after: base.before, verdict: "stays" };
        expect(movesAnAddress([stays, { ...base, before: undefined, after: undefined, verdict: "new" }])).toBe(false);
        expect(movesAnAddress([{ ...base, after: undefined, verdict: "changes" }])).toBe(true);
        expect(movesAnAddress([{ ...base, after: undefined, verdict: "goes" }])).toBe(true);
    });
});
