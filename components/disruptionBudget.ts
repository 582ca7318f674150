import * as k8s from "@pulumi/kubernetes";

import { Selector } from "./labels";

/**
 * The PodDisruptionBudget of a workload of `replicas` Pods: voluntary disruptions (a drain, an
 * eviction) take at most one of them at a time, so at least `replicas - 1` stay. It selects the
 * workload's stable labels, never a release's hash, so it holds through releases (old and new Pods
 * both count). maxUnavailable rather than minAvailable: the budget does not change when replicas
 * do, so scaling stays an update of the ReplicaSet alone.
 *
 * None for a single Pod: a budget of one replica either blocks every drain of its node forever
 * (minAvailable 1) or promises nothing; such a Pod is evicted and recreated elsewhere.
 */
export function disruptionBudgetSpec(
    selector: Selector,
    replicas: number,
): k8s.types.input.policy.v1.PodDisruptionBudgetSpec | undefined {
    if (replicas < 2) {
        return undefined;
    }
    return {
        maxUnavailable: 1,
        selector: { matchLabels: selector },
        // Pods that are not Ready (a release that never came up) protect nothing; evicting them
        // must not be what blocks a drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
    };
}
