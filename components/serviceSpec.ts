import * as k8s from "@pulumi/kubernetes";
import * as ipaddr from "ipaddr.js";

import { ANNOTATION_PREFIX } from "./package";

/** The four Service types, one component each. */
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** The Kubernetes NodePort range the apiserver accepts by default. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

export interface ServicePort {
    /** Port name, a DNS-1123 label; unique within the Service. Names the port in the nodePorts output. */
    name: string;
    /** The port the Service listens on at its cluster IP. */
    port: number;
    /**
     * The container port number traffic goes to.
     * @default `port`: the same number as the Service's own port (also Kubernetes' default)
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
     */
    targetPort?: number;
    /**
     * The name of the container port traffic goes to, instead of a number (`targetPort`): the
     * Pods' port numbers may then differ from release to release.
     * @default unset: `targetPort` (or `port`) applies
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
     */
    targetPortName?: string;
    /**
     * A fixed node port (NodePort and LoadBalancer only), within NODE_PORT_RANGE.
     * @default unset: Kubernetes picks one from the node-port range and keeps it
     * @see NODE_PORT_RANGE
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
     */
    nodePort?: number;
}

/** Everything a Service of any type may carry; which fields apply depends on the type. */
export interface ServiceSpecArgs {
    /** The Service type, which decides which of the other fields apply. */
    type: ServiceType;
    /**
     * Pod labels the Service routes to. Required for every type but ExternalName.
     * @default none: validateServiceSpec refuses that for every type but ExternalName
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
     */
    selector?: Record<string, string>;
    /**
     * The Service's ports. Required for every type but ExternalName.
     * @default none: validateServiceSpec refuses that for every type but ExternalName
     * @see https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
     */
    ports?: ServicePort[];
    /**
     * DNS name the ExternalName Service aliases. ExternalName only.
     * @default none: validateServiceSpec refuses that for an ExternalName Service
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
     */
    externalName?: string;
    /**
     * CIDRs allowed to reach the load balancer. LoadBalancer only.
     * @default none: no restriction, the load balancer takes traffic from any address
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer
     */
    loadBalancerSourceRanges?: string[];
    /**
     * Seconds `pulumi up` waits for the load balancer's address before it fails, an integer from 0
     * to 3600; 0: it does not wait for an address (a cluster without a load-balancer controller
     * never gives one). LoadBalancer only.
     * @default 600, the Kubernetes provider's own timeout
     * @see DEFAULT_ADDRESS_WAIT_SECONDS
     */
    addressWaitSeconds?: number;
}

/** How long `up` waits for a load balancer's address unless told otherwise: the provider's own default. */
export const DEFAULT_ADDRESS_WAIT_SECONDS = 600;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const validPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/**
 * Every way the args break what the Service type allows, so that a component fails before it
 * registers anything. Returns an empty list when the args are valid.
 */
export function validateServiceSpec(args: ServiceSpecArgs): string[] {
    const problems: string[] = [];
    const { type } = args;
    const ports = args.ports ?? [];

    if (type === "ExternalName") {
        if (!args.externalName) {
            problems.push("externalName: required for an ExternalName Service");
        }
        if (args.selector !== undefined) {
            problems.push("selector: an ExternalName Service routes by DNS, not to Pods; remove it");
        }
    } else {
        if (args.externalName !== undefined) {
            problems.push(`externalName: applies only to ExternalName Services, not ${type}`);
        }
        if (!args.selector || Object.keys(args.selector).length === 0) {
            problems.push(`selector: a ${type} Service must select the Pods it fronts`);
        }
        if (ports.length === 0) {
            problems.push(`ports: a ${type} Service needs at least one port`);
        }
    }

    const names = new Set<string>();
    ports.forEach((p, i) => {
        if (!DNS_LABEL.test(p.name) || p.name.length > 15) {
            problems.push(`ports[${i}].name = ${JSON.stringify(p.name)}: expected a DNS-1123 label of at most 15 characters`);
        }
        if (names.has(p.name)) {
            problems.push(`ports[${i}].name = ${JSON.stringify(p.name)}: port names must be unique`);
        }
        names.add(p.name);
        if (!validPort(p.port)) {
            problems.push(`ports[${i}].port = ${p.port}: expected an integer from 1 to 65535`);
        }
        if (p.targetPort !== undefined && !validPort(p.targetPort)) {
            problems.push(`ports[${i}].targetPort = ${p.targetPort}: expected an integer from 1 to 65535`);
        }
        if (p.targetPortName !== undefined && p.targetPort !== undefined) {
            problems.push(`ports[${i}].targetPortName = ${JSON.stringify(p.targetPortName)}: give targetPort or targetPortName, not both`);
        } else if (p.targetPortName !== undefined && !(DNS_LABEL.test(p.targetPortName) && p.targetPortName.length <= 15)) {
            problems.push(`ports[${i}].targetPortName = ${JSON.stringify(p.targetPortName)}: expected a container port name (a DNS-1123 label of at most 15 characters)`);
        }
        if (p.nodePort !== undefined) {
            if (type !== "NodePort" && type !== "LoadBalancer") {
                problems.push(`ports[${i}].nodePort: applies only to NodePort and LoadBalancer Services, not ${type}`);
            } else if (
                !Number.isInteger(p.nodePort) ||
                p.nodePort < NODE_PORT_RANGE.min ||
                p.nodePort > NODE_PORT_RANGE.max
            ) {
                problems.push(
                    `ports[${i}].nodePort = ${p.nodePort}: expected an integer from ${NODE_PORT_RANGE.min} to ${NODE_PORT_RANGE.max}`,
                );
            }
        }
    });

    const ranges = args.loadBalancerSourceRanges ?? [];
    if (ranges.length > 0 && type !== "LoadBalancer") {
        problems.push(`loadBalancerSourceRanges: applies only to LoadBalancer Services, not ${type}`);
    }
    ranges
        .filter((r) => !ipaddr.isValidCIDR(r))
        .forEach((r) => problems.push(`loadBalancerSourceRanges: ${JSON.stringify(r)} is not a CIDR`));

    const wait = args.addressWaitSeconds;
    if (wait !== undefined && type !== "LoadBalancer") {
        problems.push(`addressWaitSeconds: applies only to LoadBalancer Services, not ${type}`);
    } else if (wait !== undefined && !(Number.isInteger(wait) && wait >= 0 && wait <= 3600)) {
        problems.push(`addressWaitSeconds = ${wait}: expected an integer from 0 to 3600`);
    }

    return problems;
}

/** The one place a Service spec is built, for all four types. Call validateServiceSpec first. */
export function buildServiceSpec(args: ServiceSpecArgs): k8s.types.input.core.v1.ServiceSpec {
    if (args.type === "ExternalName") {
        return { type: "ExternalName", externalName: args.externalName };
    }
    const ranges = args.loadBalancerSourceRanges ?? [];
    return {
        type: args.type,
        selector: args.selector,
        ports: (args.ports ?? []).map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPortName ?? p.targetPort ?? p.port,
            protocol: "TCP",
            ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        })),
        ...(ranges.length > 0 ? { loadBalancerSourceRanges: ranges } : {}),
    };
}

/**
 * The annotation carrying an object's revision: a hash of everything the stack gives the object,
 * so it differs in every update. Services and ReplicaSets carry it (replicaSetWaitFor).
 */
export const REVISION_ANNOTATION = `${ANNOTATION_PREFIX}revision`;

/**
 * What `pulumi up` waits for after it creates or updates a Service (its `pulumi.com/waitFor`, and
 * for a load balancer's address how long, `pulumi.com/timeoutSeconds`), plus the revision
 * annotation that wait checks.
 *
 * First, the revision: the object `up` records in the state is the last one the provider's watch
 * delivered when the wait ended, not the one the apiserver answered the update with. That watch
 * starts after the update and its first list may come from the apiserver's watch cache, a
 * moment behind; a Service has no `metadata.generation` to tell an older copy by, so a wait
 * that any copy satisfies (a cluster IP, an address the Service already had) records the object
 * as it was before the change: the stack outputs then report the old node port, and the next
 * preview shows the change again. Only the updated object carries the new revision.
 *
 * Then what the apiserver, or the load balancer, must have given it. Not its endpoints: the
 * provider's built-in Service awaiter waits until every Pod the Service selects is Ready and then
 * lets the endpoints settle for 10 s, so a Service touched in the same update as a release that
 * never becomes Ready would wait out its own timeout, and so would the next `up`, which deletes
 * that release only at its end. Instead the stack creates each Service after the workload it
 * selects is Ready, with exactly that workload's labels (stack/services.ts): it selects Ready Pods from
 * the start.
 */
export function serviceWaitFor(args: Pick<ServiceSpecArgs, "type" | "addressWaitSeconds">, revision: string): Record<string, string> {
    const conditions = [`jsonpath={.metadata.annotations['${REVISION_ANNOTATION}']}=${revision}`];
    const annotations: Record<string, string> = { [REVISION_ANNOTATION]: revision };
    const seconds = args.addressWaitSeconds ?? DEFAULT_ADDRESS_WAIT_SECONDS;
    if (args.type === "LoadBalancer" && seconds > 0) {
        conditions.push("jsonpath={.status.loadBalancer.ingress}");
        annotations["pulumi.com/timeoutSeconds"] = String(seconds);
    }
    // One condition is the annotation's plain form; several, a JSON list (all must hold). The
    // provider returns the first condition's object: the updated one.
    annotations["pulumi.com/waitFor"] = conditions.length === 1 ? conditions[0] : JSON.stringify(conditions);
    return annotations;
}
