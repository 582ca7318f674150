import * as k8s from "@pulumi/kubernetes";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
// The facts the policies check are the components' own (the template-hash label a release adds,
// the node label Pods spread by, how an image reference names its version, MongoDB's ports), so
// a change to one is checked by the same definition it is made with.
import { imageVersion, MONGO_HTTP_PORT, MONGO_PORT, NODE_TOPOLOGY_KEY, TEMPLATE_HASH_LABEL } from "go-demo-2";

/**
 * The rules every environment is checked against. They live apart from the PolicyPack (index.ts)
 * so that unit tests can call validateResource directly: constructing a PolicyPack starts the
 * analyzer's gRPC server. Each rule is advisory by default; enforcement/prod.json makes them
 * mandatory for prod.
 */

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Report = (message: string) => void;

/** MongoDB's wire and HTTP ports: never reachable from outside the cluster in production. */
export const DB_PORTS = [MONGO_PORT, MONGO_HTTP_PORT];

/**
 * Whether an image names a fixed version: a digest, or a tag other than `latest` (no tag is
 * `latest`), read the way the components read image references.
 */
export function isPinned(image: string): boolean {
    return image.includes("@sha256:") || imageVersion(image) !== "latest";
}

/** The containers of a pod template, whatever their shape at preview (unknowns are skipped). */
function containersOf(pod: PodSpec | undefined): k8s.types.input.core.v1.Container[] {
    return ((pod?.containers ?? []) as k8s.types.input.core.v1.Container[]).filter((c) => typeof c === "object");
}

/**
 * The init containers of a pod template, likewise. They run an image and use the node like any
 * container, so the image and resource rules cover them; they cannot have probes (Kubernetes
 * rejects a probe on an init container that is not a sidecar), so the probe rules do not.
 */
function initContainersOf(pod: PodSpec | undefined): k8s.types.input.core.v1.Container[] {
    return ((pod?.initContainers ?? []) as k8s.types.input.core.v1.Container[]).filter((c) => typeof c === "object");
}

export const dbPortsNotPublished: ResourceValidationPolicy = {
    name: "db-ports-not-published",
    description: "No NodePort or LoadBalancer Service publishes MongoDB's ports (27017, 28017).",
    validateResource: validateResourceOfType(k8s.core.v1.Service, (svc, _args, report: Report) => {
        const type = svc.spec?.type;
        if (type !== "NodePort" && type !== "LoadBalancer") {
            return;
        }
        for (const port of (svc.spec?.ports ?? []) as k8s.types.input.core.v1.ServicePort[]) {
            const target = port.targetPort ?? port.port;
            if (DB_PORTS.includes(port.port as number) || DB_PORTS.includes(target as number)) {
                report(`${type} Service ${svc.metadata?.name} publishes MongoDB port ${target} outside the cluster.`);
            }
        }
    }),
};

export const loadBalancerSourceRanges: ResourceValidationPolicy = {
    name: "load-balancer-source-ranges",
    description: "LoadBalancer Services restrict who may connect with loadBalancerSourceRanges.",
    validateResource: validateResourceOfType(k8s.core.v1.Service, (svc, _args, report: Report) => {
        const ranges = (svc.spec?.loadBalancerSourceRanges ?? []) as string[];
        if (svc.spec?.type === "LoadBalancer" && ranges.length === 0) {
            report(`LoadBalancer Service ${svc.metadata?.name} is open to every address; set loadBalancerSourceRanges.`);
        }
    }),
};

export const imagesPinned: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Every container image, init containers' included, names a fixed version (a tag other than latest, or a digest).",
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        const pod = rs.spec?.template?.spec as PodSpec;
        for (const c of [...initContainersOf(pod), ...containersOf(pod)]) {
            if (typeof c.image === "string" && !isPinned(c.image)) {
                report(`Container ${c.name} of ReplicaSet ${rs.metadata?.name} uses unpinned image ${c.image}.`);
            }
        }
    }),
};

export const containersBounded: ResourceValidationPolicy = {
    name: "containers-have-resources-and-probes",
    description:
        "Every container sets resource requests and limits (ephemeral storage included), a readiness probe and a liveness probe; every init container, the resources.",
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        const pod = rs.spec?.template?.spec as PodSpec;
        const probed = containersOf(pod).map((c) => ({ c, kind: "Container", probes: true }));
        const init = initContainersOf(pod).map((c) => ({ c, kind: "Init container", probes: false }));
        for (const { c, kind, probes } of [...init, ...probed]) {
            const resources = c.resources as k8s.types.input.core.v1.ResourceRequirements | undefined;
            const missing = [
                ...(resources?.requests ? [] : ["resource requests"]),
                ...(resources?.limits ? [] : ["resource limits"]),
                // A container writing without bound fills the node's disk and gets its neighbours evicted.
                ...(["requests", "limits"].every((k) => (resources?.[k as "requests"] as Record<string, string> | undefined)?.["ephemeral-storage"])
                    ? []
                    : ["ephemeral-storage request and limit"]),
                ...(!probes || c.readinessProbe ? [] : ["a readiness probe"]),
                ...(!probes || c.livenessProbe ? [] : ["a liveness probe"]),
            ];
            if (missing.length > 0) {
                report(`${kind} ${c.name} of ReplicaSet ${rs.metadata?.name} has no ${missing.join(", ")}.`);
            }
        }
    }),
};

/** Fewer API replicas than this means an outage whenever one Pod dies — the lab's very point. */
export const MIN_API_REPLICAS = 2;

export const apiReplicas: ResourceValidationPolicy = {
    name: "api-replicas",
    description: `ReplicaSets running the API keep at least ${MIN_API_REPLICAS} replicas.`,
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        const runsApi = containersOf(rs.spec?.template?.spec as PodSpec).some((c) => c.name === "api");
        const replicas = rs.spec?.replicas;
        if (runsApi && typeof replicas === "number" && replicas < MIN_API_REPLICAS) {
            report(`ReplicaSet ${rs.metadata?.name} runs the API with ${replicas} replica(s); keep at least ${MIN_API_REPLICAS}.`);
        }
    }),
};

export const servicesSelectWorkloads: StackValidationPolicy = {
    name: "services-select-workloads",
    description: "Every Service with a selector selects the Pods of at least one ReplicaSet of the stack.",
    validateStack: (args, report: Report) => {
        const templates = args.resources
            .filter((r) => r.isType(k8s.apps.v1.ReplicaSet))
            .map((r) => (r.props.spec?.template?.metadata?.labels ?? {}) as Record<string, string>);
        for (const r of args.resources.filter((r) => r.isType(k8s.core.v1.Service))) {
            const selector = r.props.spec?.selector as Record<string, string> | undefined;
            if (!selector || Object.keys(selector).length === 0) {
                continue;
            }
            const selects = templates.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
            if (!selects) {
                report(`Service ${r.props.metadata?.name} selects ${JSON.stringify(selector)}, which no ReplicaSet's Pods carry.`);
            }
        }
    },
};

/** Whether every label of a (non-empty) selector is on a Pod template. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A ReplicaSet's replica count and Pod labels, the way the policies below need them. */
function workloadOf(rs: PolicyResource["props"]): { name: string; replicas: number; labels: Record<string, string> } {
    return {
        name: rs.metadata?.name,
        replicas: typeof rs.spec?.replicas === "number" ? rs.spec.replicas : 1,
        labels: (rs.spec?.template?.metadata?.labels ?? {}) as Record<string, string>,
    };
}

export const disruptionBudgets: StackValidationPolicy = {
    name: "disruption-budgets",
    description:
        "Every ReplicaSet of several replicas has a PodDisruptionBudget on its stable labels (not pod-template-hash) that lets at least one Pod go.",
    validateStack: (args, report: Report) => {
        const budgets = args.resources
            .filter((r) => r.isType(k8s.policy.v1.PodDisruptionBudget))
            .map((r) => r.props as { metadata?: { name?: string }; spec?: k8s.types.input.policy.v1.PodDisruptionBudgetSpec });
        for (const rs of args.resources.filter((r) => r.isType(k8s.apps.v1.ReplicaSet)).map((r) => workloadOf(r.props))) {
            if (rs.replicas < 2) {
                continue;
            }
            const mine = budgets.filter((b) => {
                const selector = (b.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
                return selects(selector, rs.labels) && !(TEMPLATE_HASH_LABEL in (selector ?? {}));
            });
            if (mine.length === 0) {
                report(
                    `ReplicaSet ${rs.name} runs ${rs.replicas} replicas and no PodDisruptionBudget selects its Pods by their ` +
                        `stable labels; a drain may evict them all at once.`,
                );
                continue;
            }
            const blocking = mine.filter((b) => {
                const { minAvailable, maxUnavailable } = b.spec ?? {};
                return (typeof minAvailable === "number" && minAvailable >= rs.replicas) || maxUnavailable === 0;
            });
            if (blocking.length > 0) {
                report(
                    `PodDisruptionBudget ${blocking[0].metadata?.name} lets none of ReplicaSet ${rs.name}'s ${rs.replicas} Pods go; ` +
                        `a drain of their nodes never completes.`,
                );
            }
        }
    },
};

type Probe = k8s.types.input.core.v1.Probe;

/** What a probe checks: its handler, without its timing. */
const checkOf = (p: Probe) => JSON.stringify({ exec: p.exec, grpc: p.grpc, httpGet: p.httpGet, tcpSocket: p.tcpSocket });
/** Seconds of consecutive failures before a probe gives up (Kubernetes' defaults: every 10 s, 3 times). */
export const failureWindowSeconds = (p: Probe) => ((p.periodSeconds as number) ?? 10) * ((p.failureThreshold as number) ?? 3);

export const probesDiffer: ResourceValidationPolicy = {
    name: "liveness-more-forgiving-than-readiness",
    description:
        "A container's liveness probe is a different check from its readiness probe (or both only connect to its own port, which no dependency can slow) and gives up later: a slow dependency takes a Pod out of the endpoints instead of restarting it.",
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        for (const c of containersOf(rs.spec?.template?.spec as PodSpec)) {
            const [ready, live] = [c.readinessProbe as Probe | undefined, c.livenessProbe as Probe | undefined];
            if (!ready || !live) {
                continue;
            }
            const where = `Container ${c.name} of ReplicaSet ${rs.metadata?.name}`;
            // A TCP connect to the container's own port asks its listener only: nothing it depends on can fail it.
            if (checkOf(ready) === checkOf(live) && !live.tcpSocket) {
                report(`${where} checks the same thing for liveness as for readiness; a slow dependency restarts it.`);
            }
            if (failureWindowSeconds(live) <= failureWindowSeconds(ready)) {
                report(
                    `${where} is restarted after ${failureWindowSeconds(live)} s of failed liveness checks, no later than it ` +
                        `leaves the endpoints (${failureWindowSeconds(ready)} s); make liveness the more forgiving one.`,
                );
            }
        }
    }),
};

/** The node label that spreading over nodes counts by: the one the components spread by. */
const HOSTNAME_KEY = NODE_TOPOLOGY_KEY;

export const spreadOverNodes: ResourceValidationPolicy = {
    name: "spread-over-nodes",
    description: `ReplicaSets of several replicas spread their Pods over nodes (a topology spread constraint on ${HOSTNAME_KEY} selecting them).`,
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        const { name, replicas, labels } = workloadOf(rs);
        if (replicas < 2) {
            return;
        }
        const constraints = ((rs.spec?.template?.spec as PodSpec | undefined)?.topologySpreadConstraints ??
            []) as k8s.types.input.core.v1.TopologySpreadConstraint[];
        const spreads = constraints.some(
            (t) =>
                t.topologyKey === HOSTNAME_KEY &&
                selects((t.labelSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels, labels),
        );
        if (!spreads) {
            report(`ReplicaSet ${name} runs ${replicas} replicas that may all land on one node and go down with it; spread them over ${HOSTNAME_KEY}.`);
        }
    }),
};

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    dbPortsNotPublished,
    loadBalancerSourceRanges,
    imagesPinned,
    containersBounded,
    apiReplicas,
    servicesSelectWorkloads,
    disruptionBudgets,
    probesDiffer,
    spreadOverNodes,
];
