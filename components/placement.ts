import * as k8s from "@pulumi/kubernetes";

import { Selector } from "./labels";
import { TEMPLATE_HASH_LABEL } from "./templateHash";

/** The node label topology spread counts Pods by: one domain per node. */
export const NODE_TOPOLOGY_KEY = "kubernetes.io/hostname";

/** The node label the kubelet sets to its architecture (Go's GOARCH: amd64, arm64 …). */
export const NODE_ARCH_KEY = "kubernetes.io/arch";

/**
 * The architectures Pods are scheduled on unless told otherwise: vfarcic/go-demo-2 is built for
 * x86-64 only (its Dockerfile links /lib/libc.musl-x86_64.so.1), and which architectures a mongo
 * image has differs by line and tag. On another node a container fails with `exec format error`,
 * in a crash loop.
 */
export const DEFAULT_ARCHITECTURES: readonly string[] = ["amd64"];

/**
 * Schedule Pods only on nodes of these architectures. A cluster without such a node leaves them
 * Pending, with the scheduler's reason ("didn't match Pod's node affinity/selector") in their
 * events, instead of starting them where they cannot run.
 */
export function onArchitectures(architectures: readonly string[]): k8s.types.input.core.v1.Affinity {
    return {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_ARCH_KEY, operator: "In", values: [...architectures] }] }],
            },
        },
    };
}

/** The taints the node lifecycle controller puts on a node that stopped answering. */
export const NODE_LOSS_TAINTS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] as const;

/** How long Pods stay on a node that stopped answering before they are evicted, when not configured. */
export const DEFAULT_NODE_LOSS_TOLERATION_SECONDS = 30;
/** Kubernetes' own: what its DefaultTolerationSeconds admission gives Pods that set none. */
export const KUBERNETES_NODE_LOSS_TOLERATION_SECONDS = 300;

/**
 * Spread a workload's Pods over nodes, so that losing or draining one node takes as few of them
 * as possible. ScheduleAnyway: a preference, never a reason to leave a Pod Pending — a one-node
 * cluster, or a cluster with a node cordoned or lost (such nodes still count as domains), keeps
 * every replica running. Only Pods of the same release are counted (pod-template-hash), so a
 * new release spreads on its own while the old one is still there.
 */
export function spreadOverNodes(selector: Selector): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [
        {
            maxSkew: 1,
            topologyKey: NODE_TOPOLOGY_KEY,
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: selector },
            matchLabelKeys: [TEMPLATE_HASH_LABEL],
        },
    ];
}

/**
 * Tolerations that bound how long Pods wait on a node that stopped answering: after `seconds`
 * the taint-based eviction deletes them and their ReplicaSet replaces them elsewhere. Kubernetes
 * otherwise adds the same tolerations with 300 s.
 */
export function nodeLossTolerations(seconds: number): k8s.types.input.core.v1.Toleration[] {
    return NODE_LOSS_TAINTS.map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }));
}
