import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import {
    buildServiceSpec,
    SERVICE_TYPES,
    ServicePort,
    ServiceSpecArgs,
    ServiceType,
    serviceWaitFor,
    validateServiceSpec,
} from "./serviceSpec";
import { forcedApply } from "./forcedApply";
import { typeToken } from "./package";
import { contentHash } from "./templateHash";

/** Kubernetes' default cluster domain (the kubelet's `clusterDomain`); in-cluster DNS names end with it. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/**
 * The name Pods resolve for a Service: `<name>.<namespace>.svc.<clusterDomain>`, or, without a
 * cluster domain, `<name>.<namespace>.svc` (which Pods resolve through their search path).
 */
export function serviceDnsName(name: string, namespace: string, clusterDomain?: string): string {
    return `${name}.${namespace}.svc${clusterDomain === undefined ? "" : `.${clusterDomain}`}`;
}

export interface ServiceArgs {
    /** Namespace the Service lives in. */
    namespace: pulumi.Input<string>;
    /**
     * The Service's Kubernetes name, its stable DNS name.
     * @default the component's name (the constructor's `name`)
     * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
     */
    serviceName?: string;
    /**
     * Labels on the Service object itself.
     * @default none
     * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
     */
    labels?: Record<string, string>;
    /**
     * Annotations on the Service object, such as a cloud's internal load-balancer annotation.
     * The component's own annotations (`pulumi.com/waitFor`, `pulumi.com/timeoutSeconds`, the
     * Service's revision and `pulumi.com/patchForce`) always win.
     * @default none: the Service carries only the component's own annotations
     * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
     */
    annotations?: Record<string, string>;
    /**
     * The cluster's DNS domain, which the Service's in-cluster DNS name (the `dnsName` output) ends
     * with. It changes only that output, not the Service object.
     * @default `cluster.local`, Kubernetes' default cluster domain
     * @see DEFAULT_CLUSTER_DOMAIN
     * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
     */
    clusterDomain?: string;
}

export interface SelectingServiceArgs extends ServiceArgs {
    /** Labels of the Pods the Service routes to; its ReplicaSet's template must carry them. */
    selector: Record<string, string>;
    /** At least one port. */
    ports: ServicePort[];
}

export interface LoadBalancerServiceArgs extends SelectingServiceArgs {
    /**
     * CIDRs allowed to reach the load balancer.
     * @default none: no restriction, the load balancer takes traffic from any address
     * @see https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer
     */
    loadBalancerSourceRanges?: string[];
    /**
     * Seconds `pulumi up` waits for the load balancer's address before it fails, an integer from 0
     * to 3600; 0: it does not wait for an address, and warns while a Service that existed before
     * the update has none.
     * @default 600, the Kubernetes provider's own timeout
     * @see noAddressWarning
     */
    addressWaitSeconds?: number;
}

/**
 * The clock difference between the API server and the machine running the program that
 * {@link createdSince} allows for, with the second the API server rounds `creationTimestamp` to.
 */
const CLOCK_SKEW_MS = 5_000;

/**
 * Whether an object's `creationTimestamp` says this update created it: no earlier than its
 * registration, give or take the clock skew. A load balancer created a moment ago gets its address
 * a moment later (seconds; a minute or two on a cloud): its missing address is no news, whereas a
 * Service that existed before this update and still has none may never get one.
 */
export function createdSince(creationTimestamp: string | undefined, registeredAt: number): boolean {
    const created = creationTimestamp === undefined ? NaN : Date.parse(creationTimestamp);
    return created >= registeredAt - CLOCK_SKEW_MS;
}

/**
 * The warning on a LoadBalancer Service that `up` did not wait for, that existed before this
 * update, and that has no address on the live object: what is missing, and what provides it.
 */
export function noAddressWarning(serviceName: string): string {
    return (
        `Service ${serviceName} has no load-balancer address, and \`pulumi up\` does not wait for one ` +
        "(loadBalancerWaitSeconds: 0), so the stack's loadBalancerIngress output is null. The cluster has no " +
        "load-balancer controller, or it has not served this Service yet: kind and minikube have none " +
        "(cloud-provider-kind or MetalLB on kind, `minikube tunnel` on minikube provide one). The next `up` or " +
        "`preview` reads the address again. Meanwhile the Service's node ports reach the API."
    );
}

export interface ExternalNameServiceArgs extends ServiceArgs {
    /** The DNS name the Service aliases, such as `kubernetes.io`. */
    externalName: string;
}

/** The component type token of a Service type: the Pulumi package's `index` module, as component packages require. */
export function serviceTypeToken(type: ServiceType): string {
    return typeToken(`${type}Service`);
}

/**
 * The aliases that keep one Service identity across type changes and across the token rename.
 * A Service that changes type (a stack's `loadBalancer` switch) is the same Kubernetes object,
 * updated in place: Kubernetes changes a Service's type without replacing it, and keeps its
 * cluster IP. Its component's type token changes with it, and so would the URN of the Service
 * under it: the engine would create a second resource for the same object, which server-side
 * apply refuses as a field conflict. Aliasing every other type's token keeps one identity (the
 * engine gives the children of an aliased component the matching aliases), and so does aliasing
 * the tokens of the package's first releases (`go-demo-2:services:*`). So a program must not give
 * two Service components of different types the same name under the same parent.
 * @internal
 */
export function serviceAliases(type: ServiceType, opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
    const others = SERVICE_TYPES.filter((t) => t !== type).map((t) => ({ type: serviceTypeToken(t) }));
    const former = SERVICE_TYPES.map((t) => ({ type: typeToken(`${t}Service`, "services") }));
    return { ...opts, aliases: [...(opts?.aliases ?? []), ...others, ...former] };
}

/**
 * Validates before `super()` runs, so a Service with bad args fails without registering the
 * component or anything under it; returns the component's type token.
 */
function checkedTypeToken(name: string, spec: ServiceSpecArgs): string {
    const problems = validateServiceSpec(spec);
    if (problems.length > 0) {
        throw new Error(`${spec.type} Service "${name}" is invalid:\n  - ${problems.join("\n  - ")}`);
    }
    return serviceTypeToken(spec.type);
}

/** What every Service component has: its Service object, its name and its in-cluster DNS name. */
interface ServiceParts {
    service: k8s.core.v1.Service;
    serviceName: pulumi.Output<string>;
    dnsName: pulumi.Output<string>;
}

/**
 * The Service object of a Service component, as its child: the one place all four types build
 * their object (the component package's schema reads only classes that extend
 * ComponentResource directly, so the types share this function instead of a base class).
 */
function serviceObject(
    parent: pulumi.ComponentResource,
    type: ServiceType,
    name: string,
    args: ServiceArgs & Omit<ServiceSpecArgs, "type">,
    opts?: pulumi.ComponentResourceOptions,
): ServiceParts {
    const spec: ServiceSpecArgs = { ...args, type };
    const serviceName = args.serviceName ?? name;
    const built = buildServiceSpec(spec);
    const annotations = forcedApply(args.annotations);
    // Everything the object is given but its namespace (a new namespace is a new object).
    const revision = contentHash(
        { serviceName, labels: args.labels, annotations, spec: built, addressWaitSeconds: args.addressWaitSeconds },
        `Service ${name}`,
    );
    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: {
                name: serviceName,
                namespace: args.namespace,
                labels: args.labels,
                annotations: { ...annotations, ...serviceWaitFor(spec, revision) },
            },
            spec: built,
        },
        // What the component waits for (the workload it fronts) is what the Service waits for.
        { parent, dependsOn: opts?.dependsOn },
    );
    return {
        service,
        serviceName: service.metadata.name,
        dnsName: pulumi
            .all([service.metadata.name, service.metadata.namespace])
            .apply(([name, namespace]) => serviceDnsName(name, namespace, args.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN)),
    };
}

/** Node ports by port name, as the apiserver allocated them. */
function nodePortsOf(service: k8s.core.v1.Service): pulumi.Output<Record<string, number>> {
    return service.spec.ports.apply((ports) => {
        // A preview knows the ports but not the node ports the apiserver has yet to allocate:
        // say "unknown" rather than show an empty map.
        if (pulumi.runtime.isDryRun() && (ports ?? []).some((p) => !p.nodePort)) {
            return pulumi.unknown as unknown as Record<string, number>;
        }
        return Object.fromEntries((ports ?? []).map((p) => [p.name, p.nodePort]));
    });
}

/**
 * Reachable only inside the cluster, at a cluster IP the apiserver allocates once and keeps.
 *
 * @example
 * ```ts
 * import { ClusterIPService, MONGO_PORT, selectors } from "go-demo-2";
 *
 * const db = new ClusterIPService("go-demo-2-db", {
 *     namespace: "go-demo-2",
 *     selector: selectors.db,
 *     ports: [{ name: "mongodb", port: MONGO_PORT }],
 * });
 * export const dbHost = db.dnsName; // go-demo-2-db.go-demo-2.svc.cluster.local
 * ```
 */
export class ClusterIPService extends pulumi.ComponentResource {
    /** The Service object. */
    public readonly service: k8s.core.v1.Service;
    /** The Service's Kubernetes name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The name Pods resolve: `<name>.<namespace>.svc.<cluster domain>`. */
    public readonly dnsName: pulumi.Output<string>;
    /** The cluster IP the apiserver allocated. */
    public readonly clusterIP: pulumi.Output<string>;

    constructor(name: string, args: SelectingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(checkedTypeToken(name, { ...args, type: "ClusterIP" }), name, {}, serviceAliases("ClusterIP", opts));
        ({ service: this.service, serviceName: this.serviceName, dnsName: this.dnsName } = serviceObject(this, "ClusterIP", name, args, opts));
        this.clusterIP = this.service.spec.clusterIP;
        this.registerOutputs({ serviceName: this.serviceName, dnsName: this.dnsName, clusterIP: this.clusterIP });
    }
}

/**
 * A cluster IP plus a port on every node, for traffic from outside the cluster.
 *
 * @example
 * ```ts
 * import { API_PORT, NodePortService, selectors } from "go-demo-2";
 *
 * const api = new NodePortService("go-demo-2-api", {
 *     namespace: "go-demo-2",
 *     selector: selectors.api,
 *     ports: [{ name: "http", port: API_PORT, nodePort: 30080 }],
 * });
 * export const apiNodePort = api.nodePorts.apply((ports) => ports["http"]);
 * ```
 */
export class NodePortService extends pulumi.ComponentResource {
    /** The Service object. */
    public readonly service: k8s.core.v1.Service;
    /** The Service's Kubernetes name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The name Pods resolve: `<name>.<namespace>.svc.<cluster domain>`. */
    public readonly dnsName: pulumi.Output<string>;
    /** The cluster IP the apiserver allocated. */
    public readonly clusterIP: pulumi.Output<string>;
    /** Node port by port name. */
    public readonly nodePorts: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: SelectingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(checkedTypeToken(name, { ...args, type: "NodePort" }), name, {}, serviceAliases("NodePort", opts));
        ({ service: this.service, serviceName: this.serviceName, dnsName: this.dnsName } = serviceObject(this, "NodePort", name, args, opts));
        this.clusterIP = this.service.spec.clusterIP;
        this.nodePorts = nodePortsOf(this.service);
        this.registerOutputs({ serviceName: this.serviceName, dnsName: this.dnsName, clusterIP: this.clusterIP, nodePorts: this.nodePorts });
    }
}

/**
 * A NodePort Service that a cloud (or MetalLB) load balancer fronts; `up` waits for its address
 * unless `addressWaitSeconds` is 0.
 *
 * @example
 * ```ts
 * import { API_PORT, LoadBalancerService, selectors } from "go-demo-2";
 *
 * const api = new LoadBalancerService("go-demo-2-api", {
 *     namespace: "go-demo-2",
 *     selector: selectors.api,
 *     ports: [{ name: "http", port: 80, targetPort: API_PORT }],
 *     loadBalancerSourceRanges: ["203.0.113.0/24"],
 *     addressWaitSeconds: 300,
 * });
 * export const apiAddress = api.ingress;
 * ```
 */
export class LoadBalancerService extends pulumi.ComponentResource {
    /** The Service object. */
    public readonly service: k8s.core.v1.Service;
    /** The Service's Kubernetes name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The name Pods resolve: `<name>.<namespace>.svc.<cluster domain>`. */
    public readonly dnsName: pulumi.Output<string>;
    /** The cluster IP the apiserver allocated. */
    public readonly clusterIP: pulumi.Output<string>;
    /** Node port by port name. */
    public readonly nodePorts: pulumi.Output<Record<string, number>>;
    /**
     * The load balancer's IP address, or its host name where the provider gives one instead;
     * undefined while the Service has none (with addressWaitSeconds 0, as read from the live object on
     * this run; else as the update that waited for it left it).
     */
    public readonly ingress: pulumi.Output<string | undefined>;

    constructor(name: string, args: LoadBalancerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(checkedTypeToken(name, { ...args, type: "LoadBalancer" }), name, {}, serviceAliases("LoadBalancer", opts));
        ({ service: this.service, serviceName: this.serviceName, dnsName: this.dnsName } = serviceObject(this, "LoadBalancer", name, args, opts));
        this.clusterIP = this.service.spec.clusterIP;
        this.nodePorts = nodePortsOf(this.service);
        // Without the wait, the address comes after the update that created the Service, and
        // Pulumi's state keeps the Service as that update left it, without one. So the address is
        // read from the live object on every run (a read, which is never a change to preview): a
        // later run outputs the address the cluster gave since, and warns only if there is none.
        const addressFrom =
            args.addressWaitSeconds === 0 ? k8s.core.v1.Service.get(`${name}-live`, this.service.id, { parent: this }) : this.service;
        this.ingress = addressFrom.status.loadBalancer.ingress.apply((ingress) => {
            const first = ingress?.[0];
            return first?.ip ?? first?.hostname;
        });
        if (args.addressWaitSeconds === 0) {
            // Known only once the Service exists (or from state): a preview of a new one says nothing.
            const registeredAt = Date.now();
            pulumi.all([this.serviceName, this.ingress, this.service.metadata.creationTimestamp]).apply(([serviceName, address, created]) => {
                if (address === undefined && !createdSince(created, registeredAt)) {
                    void pulumi.log.warn(noAddressWarning(serviceName), this.service);
                }
            });
        }
        this.registerOutputs({
            serviceName: this.serviceName,
            dnsName: this.dnsName,
            clusterIP: this.clusterIP,
            nodePorts: this.nodePorts,
            ingress: this.ingress,
        });
    }
}

/**
 * A DNS alias (CNAME) to a name outside the cluster: no cluster IP, no Pods, no ports.
 *
 * @example
 * ```ts
 * import { ExternalNameService } from "go-demo-2";
 *
 * const docs = new ExternalNameService("k8s-docs", {
 *     namespace: "go-demo-2",
 *     externalName: "kubernetes.io",
 * });
 * export const docsHost = docs.dnsName; // a CNAME to kubernetes.io
 * ```
 */
export class ExternalNameService extends pulumi.ComponentResource {
    /** The Service object. */
    public readonly service: k8s.core.v1.Service;
    /** The Service's Kubernetes name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The name Pods resolve: `<name>.<namespace>.svc.<cluster domain>`, a CNAME to externalName. */
    public readonly dnsName: pulumi.Output<string>;
    /** The DNS name the Service aliases. */
    public readonly externalName: pulumi.Output<string>;

    constructor(name: string, args: ExternalNameServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(checkedTypeToken(name, { ...args, type: "ExternalName" }), name, {}, serviceAliases("ExternalName", opts));
        ({ service: this.service, serviceName: this.serviceName, dnsName: this.dnsName } = serviceObject(this, "ExternalName", name, args, opts));
        this.externalName = this.service.spec.externalName;
        this.registerOutputs({ serviceName: this.serviceName, dnsName: this.dnsName, externalName: this.externalName });
    }
}

export type AnyService = ClusterIPService | NodePortService | LoadBalancerService | ExternalNameService;
