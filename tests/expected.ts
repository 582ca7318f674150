/**
 * The Kubernetes objects each shipped stack creates, as `Kind/name`, sorted — one list that
 * both the mocked unit tests and the end-to-end run on a real cluster check against.
 */
export function expectedObjects(stack: "lab" | "dev" | "prod", namespace: string): string[] {
    const replicaSets = stack === "lab" ? ["ReplicaSet/go-demo-2"] : ["ReplicaSet/go-demo-2-api", "ReplicaSet/go-demo-2-db"];
    // prod keeps MongoDB's HTTP interface unpublished (no go-demo-2-svc) and serves the API over TLS.
    const services = ["Service/go-demo-2-api", "Service/go-demo-2-db", "Service/go-demo-2-external"];
    if (stack !== "prod") {
        services.push("Service/go-demo-2-svc");
    }
    const tls = stack === "prod" ? ["Certificate/go-demo-2-api-tls", "Issuer/go-demo-2-api-tls-selfsigned"] : [];
    return [`Namespace/${namespace}`, "NetworkPolicy/go-demo-2-db", ...replicaSets, ...services, ...tls].sort();
}
