import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

import { parseConfig } from "../../config";
import {
    apiReplicas,
    containersBounded,
    dbPortsNotPublished,
    disruptionBudgets,
    imagesPinned,
    isPinned,
    loadBalancerSourceRanges,
    policies,
    probesDiffer,
    servicesSelectWorkloads,
    spreadOverNodes,
} from "../../policy/policies";
import { createStack } from "../../stack";
import { installMocks, recorded, registered, resetRecorded } from "../support/mocks";
import { stackFileConfig } from "../../tools/project/stackFiles";

installMocks();
beforeEach(resetRecorded);

const SERVICE = "kubernetes:core/v1:Service";
const REPLICA_SET = "kubernetes:apps/v1:ReplicaSet";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function resourceArgs(type: string, props: Record<string, any>): ResourceValidationArgs {
    const isType = (cls: { __pulumiType?: string }) => cls.__pulumiType === type;
    return {
        type,
        props,
        urn: `urn:pulumi:test::go-demo-2::${type}::${props.metadata?.name}`,
        name: props.metadata?.name,
        opts: {} as ResourceValidationArgs["opts"],
        isType: isType as ResourceValidationArgs["isType"],
        asType: ((cls: { __pulumiType?: string }) => (isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: (() => ({})) as ResourceValidationArgs["getConfig"],
        notApplicable: () => undefined as never,
        stackTags: new Map(),
    };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function violations(policy: ResourceValidationPolicy, type: string, props: Record<string, any>): Promise<string[]> {
    const found: string[] = [];
    const validate = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const v of validate) {
        await v!(resourceArgs(type, props), (message) => found.push(message));
    }
    return found;
}

async function stackViolations(policy: StackValidationPolicy, resources: { type: string; props: object }[]): Promise<string[]> {
    const found: string[] = [];
    const asPolicyResources = resources.map((r) => resourceArgs(r.type, r.props) as unknown as PolicyResource);
    await policy.validateStack(
        { resources: asPolicyResources, getConfig: (() => ({})) as never, stackTags: new Map(), notApplicable: () => undefined as never },
        (message) => found.push(message),
    );
    return found;
}

const container = (overrides: object = {}) => ({
    name: "api",
    image: "vfarcic/go-demo-2:2.0",
    resources: { requests: { cpu: "50m", "ephemeral-storage": "16Mi" }, limits: { cpu: "250m", "ephemeral-storage": "64Mi" } },
    readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1 },
    livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
    ...overrides,
});
const API_LABELS = { type: "api", "pod-template-hash": "0123456789" };
const spread = { topologyKey: "kubernetes.io/hostname", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { type: "api" } } };
const replicaSet = (containers: object[], replicas = 3, podSpec: object = { topologySpreadConstraints: [spread] }) => ({
    metadata: { name: "go-demo-2-api" },
    spec: { replicas, template: { metadata: { labels: API_LABELS }, spec: { containers, ...podSpec } } },
});
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const budget = (spec: object) => ({ metadata: { name: "go-demo-2-api" }, spec });
const service = (type: string, port: number, extra: object = {}) => ({
    metadata: { name: "svc" },
    spec: { type, selector: { type: "api" }, ports: [{ port, targetPort: port }], ...extra },
});

describe("db-ports-not-published", () => {
    it.each([27017, 28017])("flags a NodePort Service on %i", async (port) => {
        expect(await violations(dbPortsNotPublished, SERVICE, service("NodePort", port))).toEqual([
            `NodePort Service svc publishes MongoDB port ${port} outside the cluster.`,
        ]);
    });
    it("flags a LoadBalancer targeting 27017", async () => {
        const svc = service("LoadBalancer", 80, { ports: [{ port: 80, targetPort: 27017 }] });
        expect(await violations(dbPortsNotPublished, SERVICE, svc)).toHaveLength(1);
    });
    it("allows a ClusterIP Service on 27017 and a NodePort on 8080", async () => {
        expect(await violations(dbPortsNotPublished, SERVICE, service("ClusterIP", 27017))).toEqual([]);
        expect(await violations(dbPortsNotPublished, SERVICE, service("NodePort", 8080))).toEqual([]);
    });
});

describe("load-balancer-source-ranges", () => {
    it("flags a LoadBalancer open to everyone", async () => {
        expect(await violations(loadBalancerSourceRanges, SERVICE, service("LoadBalancer", 8080))).toHaveLength(1);
    });
    it("allows a LoadBalancer with ranges, and other types without", async () => {
        const limited = service("LoadBalancer", 8080, { loadBalancerSourceRanges: ["10.0.0.0/8"] });
        expect(await violations(loadBalancerSourceRanges, SERVICE, limited)).toEqual([]);
        expect(await violations(loadBalancerSourceRanges, SERVICE, service("NodePort", 8080))).toEqual([]);
    });
});

describe("images-pinned", () => {
    it.each(["mongo", "mongo:latest", "registry.example.com:5000/mongo"])("flags %s", async (image) => {
        expect(await violations(imagesPinned, REPLICA_SET, replicaSet([container({ image })]))).toEqual([
            `Container api of ReplicaSet go-demo-2-api uses unpinned image ${image}.`,
        ]);
    });
    it("flags an init container's unpinned image too", async () => {
        const rs = replicaSet([container()], 3, { topologySpreadConstraints: [spread], initContainers: [container({ name: "wait-for-db", image: "busybox" })] });
        expect(await violations(imagesPinned, REPLICA_SET, rs)).toEqual([
            "Container wait-for-db of ReplicaSet go-demo-2-api uses unpinned image busybox.",
        ]);
    });
    it.each(["mongo:3.6.23", "registry.example.com:5000/mongo:4.4", "mongo@sha256:" + "a".repeat(64)])("allows %s", async (image) => {
        expect(isPinned(image)).toBe(true);
        expect(await violations(imagesPinned, REPLICA_SET, replicaSet([container({ image })]))).toEqual([]);
    });
});

describe("containers-have-resources-and-probes", () => {
    it("names everything a container lacks", async () => {
        const bare = container({ resources: { requests: { cpu: "1" } }, readinessProbe: undefined });
        expect(await violations(containersBounded, REPLICA_SET, replicaSet([bare]))).toEqual([
            "Container api of ReplicaSet go-demo-2-api has no resource limits, ephemeral-storage request and limit, a readiness probe.",
        ]);
    });
    it("flags a container bounded in CPU and memory but not in ephemeral storage", async () => {
        const noDisk = container({ resources: { requests: { cpu: "1", "ephemeral-storage": "1Mi" }, limits: { cpu: "1" } } });
        expect(await violations(containersBounded, REPLICA_SET, replicaSet([noDisk]))).toEqual([
            "Container api of ReplicaSet go-demo-2-api has no ephemeral-storage request and limit.",
        ]);
    });
    it("allows a fully specified container", async () => {
        expect(await violations(containersBounded, REPLICA_SET, replicaSet([container()]))).toEqual([]);
    });
    it("asks an init container for resources, never for probes (Kubernetes rejects them there)", async () => {
        const init = (overrides: object) => replicaSet([container()], 3, { initContainers: [container({ name: "wait-for-db", readinessProbe: undefined, livenessProbe: undefined, ...overrides })] });
        expect(await violations(containersBounded, REPLICA_SET, init({}))).toEqual([]);
        expect(await violations(containersBounded, REPLICA_SET, init({ resources: undefined }))).toEqual([
            "Init container wait-for-db of ReplicaSet go-demo-2-api has no resource requests, resource limits, ephemeral-storage request and limit.",
        ]);
    });
});

describe("api-replicas", () => {
    it("flags a single API replica", async () => {
        expect(await violations(apiReplicas, REPLICA_SET, replicaSet([container()], 1))).toHaveLength(1);
    });
    it("allows two API replicas, and one replica of something else", async () => {
        expect(await violations(apiReplicas, REPLICA_SET, replicaSet([container()], 2))).toEqual([]);
        expect(await violations(apiReplicas, REPLICA_SET, replicaSet([container({ name: "db" })], 1))).toEqual([]);
    });
});

describe("services-select-workloads", () => {
    it("flags a Service whose selector matches no ReplicaSet's Pods", async () => {
        const resources = [
            { type: REPLICA_SET, props: replicaSet([container()]) },
            { type: SERVICE, props: { ...service("ClusterIP", 80), spec: { selector: { type: "db" } } } },
        ];
        expect(await stackViolations(servicesSelectWorkloads, resources)).toHaveLength(1);
    });
    it("allows matching selectors and selector-less Services", async () => {
        const resources = [
            { type: REPLICA_SET, props: replicaSet([container()]) },
            { type: SERVICE, props: service("ClusterIP", 80) },
            { type: SERVICE, props: { metadata: { name: "ext" }, spec: { type: "ExternalName", externalName: "a.io" } } },
        ];
        expect(await stackViolations(servicesSelectWorkloads, resources)).toEqual([]);
    });
});

describe("disruption-budgets", () => {
    const rs = { type: REPLICA_SET, props: replicaSet([container()]) };
    it("flags a multi-replica ReplicaSet without a budget", async () => {
        expect(await stackViolations(disruptionBudgets, [rs])).toEqual([
            "ReplicaSet go-demo-2-api runs 3 replicas and no PodDisruptionBudget selects its Pods by their stable labels; a drain may evict them all at once.",
        ]);
    });
    it("flags a budget on the release's hash: it stops protecting at the next release", async () => {
        const onHash = budget({ minAvailable: 2, selector: { matchLabels: API_LABELS } });
        expect(await stackViolations(disruptionBudgets, [rs, { type: PDB, props: onHash }])).toHaveLength(1);
    });
    it.each([{ minAvailable: 3 }, { maxUnavailable: 0 }])("flags a budget that lets no Pod go: %j", async (limit) => {
        const blocking = budget({ ...limit, selector: { matchLabels: { type: "api" } } });
        expect(await stackViolations(disruptionBudgets, [rs, { type: PDB, props: blocking }])).toEqual([
            "PodDisruptionBudget go-demo-2-api lets none of ReplicaSet go-demo-2-api's 3 Pods go; a drain of their nodes never completes.",
        ]);
    });
    it("allows replicas - 1 on the stable labels, and a single replica without any budget", async () => {
        const ok = budget({ minAvailable: 2, selector: { matchLabels: { type: "api" } } });
        expect(await stackViolations(disruptionBudgets, [rs, { type: PDB, props: ok }])).toEqual([]);
        expect(await stackViolations(disruptionBudgets, [{ type: REPLICA_SET, props: replicaSet([container()], 1) }])).toEqual([]);
    });
});

describe("liveness-more-forgiving-than-readiness", () => {
    it("flags the same check for both", async () => {
        const same = container({ livenessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 10 } });
        expect(await violations(probesDiffer, REPLICA_SET, replicaSet([same]))).toEqual([
            "Container api of ReplicaSet go-demo-2-api checks the same thing for liveness as for readiness; a slow dependency restarts it.",
        ]);
    });
    it("flags a liveness probe that gives up no later than readiness", async () => {
        const hasty = container({ livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } });
        expect(await violations(probesDiffer, REPLICA_SET, replicaSet([hasty]))).toEqual([
            "Container api of ReplicaSet go-demo-2-api is restarted after 3 s of failed liveness checks, no later than it leaves the endpoints (3 s); make liveness the more forgiving one.",
        ]);
    });
    it("allows the same connect to the container's own port for both, when liveness gives up later", async () => {
        const listener = container({
            readinessProbe: { tcpSocket: { port: 27017 }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: 27017 }, periodSeconds: 10, failureThreshold: 6 },
        });
        expect(await violations(probesDiffer, REPLICA_SET, replicaSet([listener]))).toEqual([]);
        const hasty = container({ readinessProbe: { tcpSocket: { port: 27017 }, periodSeconds: 10 }, livenessProbe: { tcpSocket: { port: 27017 }, periodSeconds: 10 } });
        expect(await violations(probesDiffer, REPLICA_SET, replicaSet([hasty]))).toHaveLength(1);
    });
    it("allows a different, slower liveness check (Kubernetes' defaults: every 10 s, 3 failures)", async () => {
        expect(await violations(probesDiffer, REPLICA_SET, replicaSet([container()]))).toEqual([]);
    });
});

describe("spread-over-nodes", () => {
    it.each([
        ["no constraint", {}],
        ["a zone constraint only", { topologySpreadConstraints: [{ ...spread, topologyKey: "topology.kubernetes.io/zone" }] }],
        ["a constraint selecting other Pods", { topologySpreadConstraints: [{ ...spread, labelSelector: { matchLabels: { type: "db" } } }] }],
    ])("flags several replicas with %s", async (_what, podSpec) => {
        expect(await violations(spreadOverNodes, REPLICA_SET, replicaSet([container()], 3, podSpec))).toHaveLength(1);
    });
    it("allows a hostname spread of its own Pods, and one replica without", async () => {
        expect(await violations(spreadOverNodes, REPLICA_SET, replicaSet([container()]))).toEqual([]);
        expect(await violations(spreadOverNodes, REPLICA_SET, replicaSet([container()], 1, {}))).toEqual([]);
    });
});

describe("the shipped stacks against the pack", () => {
    /** Every violation the pack reports for a stack's resources, as `policy: message`. */
    async function packViolations(stack: string): Promise<string[]> {
        const s = createStack(parseConfig(stackFileConfig(stack), stack));
        const budgets = [s.db.disruptionBudget, s.api.disruptionBudget].filter((b) => b !== undefined);
        await registered(s.db.replicaSet, s.api.replicaSet, ...budgets, ...Object.values(s.services).map((x) => x.service));
        const resources = recorded.filter((r) => r.custom).map((r) => ({ type: r.type, props: r.inputs }));
        const found: string[] = [];
        for (const policy of policies) {
            if ("validateStack" in policy) {
                (await stackViolations(policy, resources)).forEach((m) => found.push(`${policy.name}: ${m}`));
            } else {
                for (const r of resources) {
                    (await violations(policy, r.type, r.props)).forEach((m) => found.push(`${policy.name}: ${m}`));
                }
            }
        }
        return found;
    }

    it("prod complies with every rule", async () => {
        expect(await packViolations("prod")).toEqual([]);
    });

    it("dev is warned about what prod forbids: the published DB port, the open LB, the unpinned API image", async () => {
        const found = await packViolations("dev");
        expect(found.map((f) => f.split(":")[0]).sort()).toEqual([
            "db-ports-not-published",
            // The API container and its init container, which runs the API's image.
            "images-pinned",
            "images-pinned",
            "load-balancer-source-ranges",
        ]);
        expect(found.join("\n")).toContain("Container api of ReplicaSet");
        expect(found.join("\n")).toContain("Container wait-for-db of ReplicaSet");
        expect(found.join("\n")).toContain("uses unpinned image vfarcic/go-demo-2.");
    });
});
