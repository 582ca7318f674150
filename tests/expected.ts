/**
 * The Kubernetes objects each shipped stack creates, as `Kind/name`, sorted — one list that
 * both the mocked unit tests and the end-to-end run on a real cluster check against.
 * ReplicaSets are listed by their name without the template hash (see withoutTemplateHash).
 */
export function expectedObjects(stack: "lab" | "dev", namespace: string): string[] {
    const services = ["Service/go-demo-2-api", "Service/go-demo-2-db", "Service/go-demo-2-external", "Service/go-demo-2-svc"];
    const replicaSets = stack === "lab" ? ["ReplicaSet/go-demo-2"] : ["ReplicaSet/go-demo-2-api", "ReplicaSet/go-demo-2-db"];
    const claims = stack === "dev" ? ["ConfigMap/go-demo-2-destroy-guard", "PersistentVolumeClaim/go-demo-2-db-data"] : [];
    return [...claims, `Namespace/${namespace}`, "NetworkPolicy/go-demo-2-db", ...replicaSets, ...services].sort();
}

/** `[op ]ReplicaSet/<name>-<template hash>` → `[op ]ReplicaSet/<name>`; any other `Kind/name` as it is. */
export function withoutTemplateHash(object: string): string {
    return object.replace(/^((?:\S+ )?ReplicaSet\/.+)-[0-9a-f]{10}$/, "$1");
}
