/**
 * The Kubernetes objects each shipped stack creates, as `Kind/name`, sorted — one list that
 * both the mocked unit tests and the end-to-end run on a real cluster check against.
 * ReplicaSets are listed by their name without the template hash (see withoutTemplateHash).
 */
export function expectedObjects(stack: "lab" | "dev", namespace: string): string[] {
    const services = ["Service/go-demo-2-api", "Service/go-demo-2-db", "Service/go-demo-2-external", "Service/go-demo-2-svc"];
    const replicaSets = stack === "lab" ? ["ReplicaSet/go-demo-2"] : ["ReplicaSet/go-demo-2-api", "ReplicaSet/go-demo-2-db"];
    const claims = stack === "dev" ? ["PersistentVolumeClaim/go-demo-2-db-data"] : [];
    // One budget per multi-replica workload: the lab's combined ReplicaSet, or dev's API.
    const budgets = stack === "lab" ? ["PodDisruptionBudget/go-demo-2"] : ["PodDisruptionBudget/go-demo-2-api"];
    // Default deny plus one allow per workload (the lab's one Pod has the DB's policy only).
    const policies = ["go-demo-2-db", "go-demo-2-default-deny", ...(stack === "dev" ? ["go-demo-2-api"] : [])];
    return [
        `Namespace/${namespace}`,
        ...policies.map((p) => `NetworkPolicy/${p}`),
        ...claims,
        ...budgets,
        ...replicaSets,
        ...services,
    ].sort();
}

/** `ReplicaSet/<name>-<template hash>` → `ReplicaSet/<name>`; any other `Kind/name` as it is. */
export function withoutTemplateHash(object: string): string {
    return object.replace(/^(ReplicaSet\/.+)-[0-9a-f]{10}$/, "$1");
}
