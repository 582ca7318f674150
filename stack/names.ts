import { DB_HTTP_SERVICE } from "../config/names";

/** Kubernetes object names: fixed, because they are the stable DNS names Pods use. */
export const names = {
    /** The lab's combined ReplicaSet. */
    combined: "go-demo-2",
    /** The DB ReplicaSet and its ClusterIP Service: the API's `DB` address. */
    db: "go-demo-2-db",
    /** The NodePort Service the lab's `kubectl expose` creates, in front of MongoDB's HTTP interface (config/names.ts). */
    dbHttp: DB_HTTP_SERVICE,
    /** The API ReplicaSet and its Service. */
    api: "go-demo-2-api",
    /** The API's metrics: a ClusterIP Service (never the public one) and the ServiceMonitor that selects it. */
    apiMetrics: "go-demo-2-api-metrics",
    /** The ExternalName Service. */
    external: "go-demo-2-external",
    /** The API's certificate and the Secret it lands in. */
    apiTls: "go-demo-2-api-tls",
    /** The ConfigMap that stops a protected stack's destroy before it deletes anything. */
    destroyGuard: "go-demo-2-destroy-guard",
    /** The namespace's default-deny NetworkPolicy (ingress and egress). */
    defaultDeny: "go-demo-2-default-deny",
    /** The smoke Job's Pods (`app.kubernetes.io/name`) and the NetworkPolicy that lets them call what they check. */
    smoke: "go-demo-2-smoke",
} as const;
