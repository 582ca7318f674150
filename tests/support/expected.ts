/**
 * The Kubernetes objects each shipped stack creates, as `Kind/name`, sorted — one list that
 * both the mocked unit tests and the end-to-end run on a real cluster check against.
 * ReplicaSets are listed by their name without the template hash (see withoutTemplateHash).
 */
export function expectedObjects(stack: "lab" | "dev" | "prod", namespace: string): string[] {
    const replicaSets = stack === "lab" ? ["ReplicaSet/go-demo-2"] : ["ReplicaSet/go-demo-2-api", "ReplicaSet/go-demo-2-db"];
    // prod keeps MongoDB's HTTP interface unpublished (no go-demo-2-svc) and serves the API over TLS.
    const services = ["Service/go-demo-2-api", "Service/go-demo-2-db", "Service/go-demo-2-external"];
    if (stack !== "prod") {
        services.push("Service/go-demo-2-svc");
    }
    const tls = stack === "prod" ? ["Certificate/go-demo-2-api-tls", "Issuer/go-demo-2-api-tls-selfsigned"] : [];
    // dev and prod keep MongoDB's data on a claim, guarded against a destroy that would half-apply.
    const claims = stack === "lab" ? [] : ["ConfigMap/go-demo-2-destroy-guard", "PersistentVolumeClaim/go-demo-2-db-data"];
    // One budget per multi-replica workload: the lab's combined ReplicaSet, or the split API.
    const budgets = stack === "lab" ? ["PodDisruptionBudget/go-demo-2"] : ["PodDisruptionBudget/go-demo-2-api"];
    // Default deny plus one allow per workload (the lab's one Pod has the DB's policy only) and the smoke Job's egress.
    const policies = ["go-demo-2-db", "go-demo-2-default-deny", "go-demo-2-smoke", ...(stack === "lab" ? [] : ["go-demo-2-api"])];
    return [
        `Namespace/${namespace}`,
        ...policies.map((p) => `NetworkPolicy/${p}`),
        ...claims,
        ...budgets,
        ...replicaSets,
        ...services,
        ...tls,
    ].sort();
}

/** `[op ]ReplicaSet/<name>-<template hash>` → `[op ]ReplicaSet/<name>`; any other `Kind/name` as it is. */
export function withoutTemplateHash(object: string): string {
    return object.replace(/^((?:\S+ )?ReplicaSet\/.+)-[0-9a-f]{10}$/, "$1");
}
