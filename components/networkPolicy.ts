import * as k8s from "@pulumi/kubernetes";

import { API_PORT } from "./api";
import { Selector } from "./labels";
import { MONGO_HTTP_PORT, MONGO_PORT } from "./mongodb";

export interface DbPolicyArgs {
    /** Labels of the Pods running the `db` container. */
    db: Selector;
    /** Labels of the API Pods allowed to reach MongoDB's wire port. */
    api: Selector;
    /** MongoDB's HTTP interface is published (NodePort go-demo-2-svc): let anyone reach 28017. */
    httpInterface: boolean;
    /** The DB Pods also run the API (the lab's combined Pod): let anyone reach 8080. */
    servesApi: boolean;
}

const tcp = (port: number) => ({ protocol: "TCP", port });

/**
 * Every Pod of the namespace accepts no traffic unless another policy of the namespace allows it.
 * Policies add up, so each workload's own policy below opens exactly what its Services publish.
 */
export function defaultDenyIngressSpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress"] };
}

export interface ApiPolicyArgs {
    /** Labels of the API Pods. */
    api: Selector;
    /** The container port the API's Service targets (8080, or the TLS sidecar's 8443). */
    port: number;
    /**
     * A metrics port open to the Pods of one namespace only: the scraper's.
     * @default none: only `port` is open
     * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
     */
    metrics?: { port: number; fromNamespace: string };
}

/**
 * Ingress rules for the API Pods: their Service's target port, from anywhere (the Service is
 * published through a load balancer or to other namespaces), and the metrics port from the
 * scraper's namespace (matched by the name label Kubernetes sets on every namespace); nothing else.
 */
export function apiPolicySpec(args: ApiPolicyArgs): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: args.api },
        policyTypes: ["Ingress"],
        ingress: [
            { ports: [tcp(args.port)] },
            ...(args.metrics
                ? [
                      {
                          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.metrics.fromNamespace } } }],
                          ports: [tcp(args.metrics.port)],
                      },
                  ]
                : []),
        ],
    };
}

/**
 * Ingress rules for the Pods that run MongoDB: only API Pods reach 27017; 28017 and 8080 are
 * open only where the stack publishes them through a Service. Everything else is denied.
 */
export function dbPolicySpec(args: DbPolicyArgs): k8s.types.input.networking.v1.NetworkPolicySpec {
    const published = [
        ...(args.httpInterface ? [tcp(MONGO_HTTP_PORT)] : []),
        ...(args.servesApi ? [tcp(API_PORT)] : []),
    ];
    return {
        podSelector: { matchLabels: args.db },
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ podSelector: { matchLabels: args.api } }], ports: [tcp(MONGO_PORT)] },
            ...(published.length > 0 ? [{ ports: published }] : []),
        ],
    };
}
