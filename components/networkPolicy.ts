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
 * @deprecated Use defaultDenySpec, which denies egress as well.
 */
export function defaultDenyIngressSpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress"] };
}

/**
 * Every Pod of the namespace accepts no traffic and opens no connection unless another policy of
 * the namespace allows it. Traffic over the Pod's loopback (the lab's API to its sibling mongod,
 * the TLS sidecar to the API) and the kubelet's probes are not governed by NetworkPolicy.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet
 */
export function defaultDenySpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** The cluster's DNS Pods, matched by their namespace's name label and their own labels. */
export interface DnsPeer {
    namespace: string;
    pods: Selector;
    /**
     * Addresses (CIDRs) where the cluster's DNS answers outside any Pod: a DNS on the nodes' host
     * network, NodeLocal DNSCache's link-local address. A policy sees the address a Service's DNAT
     * leads to, which no Pod selector matches there.
     * @default none: the DNS Pods only
     * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
     */
    addresses?: string[];
}

/**
 * Where kube-dns and CoreDNS run on kubeadm, kind and most distributions: `k8s-app: kube-dns` in
 * kube-system (CoreDNS keeps the label for compatibility).
 */
export const CLUSTER_DNS: DnsPeer = { namespace: "kube-system", pods: { "k8s-app": "kube-dns" } };

/** The DNS Pods' own port: egress rules see the Pod's port, after the Service's DNAT. */
export const DNS_PORT = 53;

/** Pods of the policy's namespace a workload calls, and the Pod ports it calls them on. */
export interface EgressTarget {
    pods: Selector;
    ports: number[];
}

/**
 * Egress rules: the cluster's DNS (UDP and TCP 53), then each target's Pods on its ports only.
 * Ports are the Pods' own: kube-proxy rewrites a cluster IP, node port or in-cluster load
 * balancer address to a Pod's address and port before the policy is applied.
 */
export function egressRules(to: EgressTarget[], dns: DnsPeer = CLUSTER_DNS): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    return [
        {
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": dns.namespace } },
                    podSelector: { matchLabels: dns.pods },
                },
                ...(dns.addresses ?? []).map((cidr) => ({ ipBlock: { cidr } })),
            ],
            ports: [
                { protocol: "UDP", port: DNS_PORT },
                { protocol: "TCP", port: DNS_PORT },
            ],
        },
        ...to.map((t) => ({ to: [{ podSelector: { matchLabels: t.pods } }], ports: t.ports.map(tcp) })),
    ];
}

export interface EgressPolicyArgs {
    /** Labels of the Pods whose connections the policy allows. */
    pods: Selector;
    /** What they may call besides DNS. */
    to: EgressTarget[];
    /**
     * Where the cluster's DNS Pods run.
     * @default CLUSTER_DNS
     * @see CLUSTER_DNS
     */
    dns?: DnsPeer;
}

/** An egress-only policy: the selected Pods may resolve names and call `to`, nothing else. */
export function egressPolicySpec(args: EgressPolicyArgs): k8s.types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: { matchLabels: args.pods }, policyTypes: ["Egress"], egress: egressRules(args.to, args.dns) };
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
    /**
     * What the API Pods may call besides DNS (MongoDB's Pods on 27017).
     * @default none: the policy governs ingress only
     * @see egressRules
     */
    egress?: EgressTarget[];
    /**
     * Where the cluster's DNS Pods run, when `egress` is given.
     * @default CLUSTER_DNS
     * @see CLUSTER_DNS
     */
    dns?: DnsPeer;
}

/**
 * Ingress rules for the API Pods: their Service's target port, from anywhere (the Service is
 * published through a load balancer or to other namespaces), and the metrics port from the
 * scraper's namespace (matched by the name label Kubernetes sets on every namespace); nothing else.
 */
export function apiPolicySpec(args: ApiPolicyArgs): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: args.api },
        policyTypes: args.egress ? ["Ingress", "Egress"] : ["Ingress"],
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
        ...(args.egress ? { egress: egressRules(args.egress, args.dns) } : {}),
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
