import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/**
 * The rules every environment is checked against. They live apart from the PolicyPack (index.ts)
 * so that unit tests can call validateResource directly: constructing a PolicyPack starts the
 * analyzer's gRPC server. Each rule is advisory by default; enforcement/prod.json makes them
 * mandatory for prod.
 */

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Report = (message: string) => void;

/** MongoDB's wire and HTTP ports: never reachable from outside the cluster in production. */
export const DB_PORTS = [27017, 28017];

/** Whether an image names a fixed version: a digest, or a tag other than `latest`. */
export function isPinned(image: string): boolean {
    if (image.includes("@sha256:")) {
        return true;
    }
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    return colon >= 0 && lastSegment.slice(colon + 1) !== "latest";
}

/** The containers of a pod template, whatever their shape at preview (unknowns are skipped). */
function containersOf(pod: PodSpec | undefined): k8s.types.input.core.v1.Container[] {
    return ((pod?.containers ?? []) as k8s.types.input.core.v1.Container[]).filter((c) => typeof c === "object");
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
    description: "Every container image names a fixed version (a tag other than latest, or a digest).",
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        for (const c of containersOf(rs.spec?.template?.spec as PodSpec)) {
            if (typeof c.image === "string" && !isPinned(c.image)) {
                report(`Container ${c.name} of ReplicaSet ${rs.metadata?.name} uses unpinned image ${c.image}.`);
            }
        }
    }),
};

export const containersBounded: ResourceValidationPolicy = {
    name: "containers-have-resources-and-probes",
    description: "Every container sets resource requests and limits, a readiness probe and a liveness probe.",
    validateResource: validateResourceOfType(k8s.apps.v1.ReplicaSet, (rs, _args, report: Report) => {
        for (const c of containersOf(rs.spec?.template?.spec as PodSpec)) {
            const resources = c.resources as k8s.types.input.core.v1.ResourceRequirements | undefined;
            const missing = [
                ...(resources?.requests ? [] : ["resource requests"]),
                ...(resources?.limits ? [] : ["resource limits"]),
                ...(c.readinessProbe ? [] : ["a readiness probe"]),
                ...(c.livenessProbe ? [] : ["a liveness probe"]),
            ];
            if (missing.length > 0) {
                report(`Container ${c.name} of ReplicaSet ${rs.metadata?.name} has no ${missing.join(", ")}.`);
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

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    dbPortsNotPublished,
    loadBalancerSourceRanges,
    imagesPinned,
    containersBounded,
    apiReplicas,
    servicesSelectWorkloads,
];
