/**
 * What a deployed stack tells its users (every Service's addresses) and its next run (the record
 * of what this update deployed, read back by the change guards).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AnyService, ExternalNameService, LoadBalancerService } from "go-demo-2";

import { ServiceSide } from "../guards/addresses";
import { DeploymentRecord } from "../guards/transitions";
import { names } from "./names";
import { StackPlan } from "./plan";

export interface StackOutputs {
    /** Service name → cluster IP, for every Service that has one. */
    clusterIPs: pulumi.Output<Record<string, string>>;
    /** Service name → node port (a map by port name where a Service has several), for NodePort and LoadBalancer Services. */
    nodePorts: pulumi.Output<Record<string, number | Record<string, number>>>;
    /** Service name → in-cluster DNS name. */
    dnsNames: pulumi.Output<Record<string, string>>;
    /**
     * The API load balancer's address, when the API has a LoadBalancer Service: null until Pulumi
     * has seen one (see loadBalancerWaitSeconds). Null, not undefined: a stack output that resolves
     * to undefined is dropped with a warning.
     */
    loadBalancerIngress?: pulumi.Output<string | null>;
    /** The host the ExternalName Service aliases. */
    externalName: pulumi.Output<string>;
    /** What this update deployed, for the next run's guards (guards/transitions.ts). */
    deployment: pulumi.Output<DeploymentRecord>;
}

/** One output per Service that has the property `pick` reads, keyed by Service name. */
function byService<T>(
    services: Record<string, AnyService>,
    pick: (service: AnyService) => pulumi.Output<T> | undefined,
): pulumi.Output<Record<string, T>> {
    const picked = Object.entries(services).flatMap(([name, service]) => {
        const value = pick(service);
        return value === undefined ? [] : [[name, value] as const];
    });
    return pulumi.output(Object.fromEntries(picked)) as pulumi.Output<Record<string, T>>;
}

/** A Service as `up` left it, in the record's terms: its addresses (a load balancer's as the stack outputs it). */
function serviceRecord(component: AnyService): pulumi.Output<ServiceSide> {
    const { service } = component;
    const address = component instanceof LoadBalancerService ? component.ingress : pulumi.output(undefined);
    return pulumi.all([service.metadata, service.spec, address]).apply(([metadata, spec, loadBalancer]) => {
        return {
            name: metadata.name,
            namespace: metadata.namespace,
            type: spec.type,
            ...(spec.clusterIP && spec.clusterIP !== "None" ? { clusterIP: spec.clusterIP } : {}),
            ports: Object.fromEntries((spec.ports ?? []).map((p) => [p.name, p.nodePort ? String(p.nodePort) : undefined])),
            ...(loadBalancer ? { loadBalancer } : {}),
        };
    });
}

/** The outputs of the stack's Services, and the record of the deployment. */
export function stackOutputs(
    namespace: pulumi.Output<string>,
    services: Record<string, AnyService>,
    plan: StackPlan,
    dbClaim?: k8s.core.v1.PersistentVolumeClaim,
): StackOutputs {
    const apiService = services[names.api];
    return {
        clusterIPs: byService(services, (s) => ("clusterIP" in s ? s.clusterIP : undefined)),
        nodePorts: byService(services, (s) =>
            "nodePorts" in s
                ? s.nodePorts.apply((ports) => {
                      const values = Object.values(ports);
                      return values.length === 1 ? values[0] : ports;
                  })
                : undefined,
        ),
        dnsNames: byService(services, (s) => s.dnsName),
        loadBalancerIngress: apiService instanceof LoadBalancerService ? apiService.ingress.apply((address) => address ?? null) : undefined,
        externalName: (services[names.external] as ExternalNameService).externalName,
        deployment: pulumi
            .all([
                namespace,
                pulumi.all(Object.values(services).map(serviceRecord)),
                dbClaim?.metadata.uid ?? pulumi.output(undefined),
            ])
            .apply(([ns, serviceRecords, uid]) => {
                const claim = plan.intent.dbClaim;
                return { namespace: ns, services: serviceRecords, ...(claim && uid ? { dbClaim: { ...claim, uid } } : {}) };
            }),
    };
}
