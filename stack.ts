import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import {
    AnyService,
    API_PORT,
    apiPolicySpec,
    APP,
    ClusterIPService,
    CombinedBackend,
    dbPolicySpec,
    defaultDenyIngressSpec,
    ExternalNameService,
    forcedApply,
    GoDemo2Api,
    LoadBalancerService,
    MONGO_HTTP_PORT,
    MONGO_PORT,
    mongoClaimName,
    MongoDb,
    NodePortService,
    recommendedLabels,
    ServicePort,
    ServiceType,
    TLS_PORT,
    Workload,
} from "go-demo-2";

import { ServiceSide } from "./addresses";
import { ApiCertificate, CertManagerSetup } from "./certManager";
import { renderingManifests, StackConfig } from "./config";
import { requireCrds } from "./crds";
import { destroyGuard } from "./destroyGuard";
import { METRICS_PORT, scrapeAnnotations, SERVICE_MONITOR_CRD, serviceMonitor } from "./monitoring";
import { DeploymentRecord, Intent } from "./transitions";

/** Kubernetes object names: fixed, because they are the stable DNS names Pods use. */
export const names = {
    /** The lab's combined ReplicaSet. */
    combined: "go-demo-2",
    /** The DB ReplicaSet and its ClusterIP Service: the API's `DB` address. */
    db: "go-demo-2-db",
    /** The NodePort Service the lab's `kubectl expose` creates, in front of MongoDB's HTTP interface. */
    dbHttp: "go-demo-2-svc",
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
    /** The namespace's default-deny ingress NetworkPolicy. */
    defaultDeny: "go-demo-2-default-deny",
} as const;

export interface Stack {
    namespace: pulumi.Output<string>;
    db: Workload;
    api: Workload;
    /** Every Service of the stack by its Kubernetes name. */
    services: Record<string, AnyService>;
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
    /** What stops a protected stack's destroy, when the stack keeps data on a claim. */
    destroyGuard?: k8s.core.v1.ConfigMap;
    /** What this update deployed, for the next run's guards (transitions.ts). */
    deployment: pulumi.Output<DeploymentRecord>;
}

/** One Service of the stack as data: everything but its namespace and the Pods it selects. */
export interface PlannedService {
    /** Its Kubernetes name (see names). */
    name: string;
    type: ServiceType;
    /** Its `app.kubernetes.io/component` label. */
    component: string;
    ports: ServicePort[];
    /** Annotations on the Service object (a LoadBalancer takes its own from `loadBalancer`). */
    annotations?: Record<string, string>;
    /** LoadBalancer only. */
    loadBalancer?: { sourceRanges: string[]; annotations: Record<string, string>; addressWaitSeconds: number };
    /** ExternalName only. */
    externalName?: string;
}

/** The port the API Service serves on: HTTPS through the TLS sidecar, or go-demo-2's own HTTP. */
function apiServicePort(config: StackConfig): ServicePort & { targetPort: number } {
    return config.tls ? { name: "https", port: 443, targetPort: TLS_PORT } : { name: "http", port: API_PORT, targetPort: API_PORT };
}

/** The Services a config asks for, in the order the stack creates them. */
export function plannedServices(config: StackConfig): PlannedService[] {
    return [
        { name: names.db, type: "ClusterIP", component: "database", ports: [{ name: "mongodb", port: MONGO_PORT }] },
        ...(config.dbHttpInterface
            ? [
                  {
                      name: names.dbHttp,
                      type: "NodePort" as const,
                      component: "database",
                      ports: [{ name: "mongodb-http", port: MONGO_HTTP_PORT, nodePort: config.nodePort }],
                  },
              ]
            : []),
        {
            name: names.api,
            type: config.loadBalancer ? "LoadBalancer" : "ClusterIP",
            component: "api",
            ports: [apiServicePort(config)],
            loadBalancer: config.loadBalancer
                ? {
                      sourceRanges: config.loadBalancerSourceRanges,
                      annotations: config.loadBalancerAnnotations,
                      addressWaitSeconds: config.loadBalancerWaitSeconds,
                  }
                : undefined,
        },
        // Its own ClusterIP Service: the public one, in prod, serves only TLS, and must not publish 8080.
        ...(config.monitoring === "none"
            ? []
            : [
                  {
                      name: names.apiMetrics,
                      type: "ClusterIP" as const,
                      component: "api",
                      ports: [METRICS_PORT],
                      annotations: config.monitoring === "annotations" ? scrapeAnnotations() : undefined,
                  },
              ]),
        { name: names.external, type: "ExternalName", component: "external", ports: [], externalName: config.externalName },
    ];
}

/** What a config asks for, in the terms of the record `up` leaves (transitions.ts): only what the program pins. */
export function intent(config: StackConfig): Intent {
    return {
        namespace: config.namespace,
        dbClaim:
            config.dbStorageSize !== undefined
                ? {
                      name: mongoClaimName(names.db),
                      size: config.dbStorageSize,
                      storageClass: config.dbStorageClass,
                      protected: config.dbStorageProtected,
                  }
                : undefined,
        services: plannedServices(config).map((p) => ({
            name: p.name,
            namespace: config.namespace,
            type: p.type,
            ports: Object.fromEntries(p.ports.map((port) => [port.name, port.nodePort?.toString()])),
        })),
    };
}

/** A Service as `up` left it, in the record's terms: its addresses. */
function serviceRecord(service: k8s.core.v1.Service): pulumi.Output<ServiceSide> {
    return pulumi.all([service.metadata, service.spec, service.status]).apply(([metadata, spec, status]) => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        return {
            name: metadata.name,
            namespace: metadata.namespace,
            type: spec.type,
            ...(spec.clusterIP && spec.clusterIP !== "None" ? { clusterIP: spec.clusterIP } : {}),
            ports: Object.fromEntries((spec.ports ?? []).map((p) => [p.name, p.nodePort ? String(p.nodePort) : undefined])),
            ...(ingress ? { loadBalancer: ingress.ip ?? ingress.hostname } : {}),
        };
    });
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

/**
 * The component of a planned Service. A selecting Service is created once the workload it fronts
 * is Ready (see serviceWaitFor), and selects exactly that workload's Pods.
 */
function serviceFor(
    planned: PlannedService,
    base: { namespace: pulumi.Input<string>; labels: Record<string, string>; clusterDomain: string },
    workload?: Workload,
): AnyService {
    const { name, type } = planned;
    if (type === "ExternalName") {
        return new ExternalNameService(name, { ...base, externalName: planned.externalName ?? "" });
    }
    if (!workload) {
        throw new Error(`the ${type} Service ${name} must front a workload`);
    }
    const args = { ...base, selector: workload.selector, ports: planned.ports, annotations: planned.annotations };
    const opts = { dependsOn: [workload] };
    switch (type) {
        case "ClusterIP":
            return new ClusterIPService(name, args, opts);
        case "NodePort":
            return new NodePortService(name, args, opts);
        case "LoadBalancer":
            return new LoadBalancerService(
                name,
                {
                    ...args,
                    loadBalancerSourceRanges: planned.loadBalancer?.sourceRanges,
                    annotations: planned.loadBalancer?.annotations,
                    addressWaitSeconds: planned.loadBalancer?.addressWaitSeconds,
                },
                opts,
            );
    }
}

/** Composes the stack a validated config describes; see docs/stacks.md for what each stack creates. */
/**
 * Where every Pod of the stack may run (config `nodeSelector`, `tolerateTaints`): a transformation
 * of the workload components that adds both to the Pod template of each ReplicaSet they register.
 * Outside the template's hash (a change does not release new Pods): a placement such as the local
 * cluster's real node, whose taint keeps off every Pod that does not tolerate it
 * (docs/real-node.md), is set before the first `up`. None when both keys are unset.
 */
export function placementTransformations(config: Pick<StackConfig, "nodeSelector" | "tolerateTaints">): pulumi.ResourceTransformation[] {
    const { nodeSelector, tolerateTaints } = config;
    if (Object.keys(nodeSelector).length === 0 && tolerateTaints.length === 0) {
        return [];
    }
    return [
        (args) => {
            if (args.type !== "kubernetes:apps/v1:ReplicaSet") {
                return undefined;
            }
            type PodSpec = { nodeSelector?: Record<string, string>; tolerations?: unknown[] };
            const props = args.props as { spec: { template: { spec: PodSpec } } };
            const pod = props.spec.template.spec;
            const placed: PodSpec = {
                ...pod,
                nodeSelector: { ...(pod.nodeSelector ?? {}), ...nodeSelector },
                tolerations: [...(pod.tolerations ?? []), ...tolerateTaints.map((key) => ({ key, operator: "Exists", effect: "NoSchedule" }))],
            };
            return {
                props: { ...props, spec: { ...props.spec, template: { ...props.spec.template, spec: placed } } },
                opts: args.opts,
            };
        },
    ];
}

export function createStack(config: StackConfig): Stack {
    const transformations = placementTransformations(config);
    // cert-manager before anything else: every object of the stack lives in the Namespace, which
    // depends on it, so a cluster without cert-manager or a failed install stops the deployment
    // with nothing created.
    const certManager = config.tls
        ? new CertManagerSetup("cert-manager", { source: config.certManager, check: !renderingManifests() })
        : undefined;
    // The same for the ServiceMonitor's CRD: a cluster without the Prometheus Operator's CRDs fails
    // the preview with nothing created.
    const monitoringCrds =
        config.monitoring === "serviceMonitor" && !renderingManifests() ? requireCrds("monitoring", [SERVICE_MONITOR_CRD]) : [];
    const namespace = new k8s.core.v1.Namespace("namespace", {
        metadata: {
            name: config.namespace,
            labels: {
                ...recommendedLabels(APP, "namespace", config.namespace),
                // Every Pod of the stack meets the restricted Pod Security Standard; keep it so.
                "pod-security.kubernetes.io/enforce": "restricted",
            },
            annotations: forcedApply(),
        },
    }, { dependsOn: [...(certManager ? [certManager] : []), ...monitoringCrds] });
    const ns = namespace.metadata.name;
    const dbArgs = { image: config.dbImage, httpInterface: config.dbHttpInterface, memoryLimit: config.dbMemoryLimit };

    const tls = config.tls
        ? new ApiCertificate(names.apiTls, {
              namespace: ns,
              secretName: names.apiTls,
              dnsNames: [
                  ...(config.tlsHostname ? [config.tlsHostname] : []),
                  `${names.api}.${config.namespace}.svc.${config.clusterDomain}`,
                  `${names.api}.${config.namespace}.svc`,
              ],
          })
        : undefined;

    const { rolloutTimeoutSeconds, nodeLossTolerationSeconds } = config;
    const architectures = config.nodeArchitectures;
    const labels = (name: string, component: string) => recommendedLabels(APP, component, name);
    /** What every Service of the stack shares: its namespace, its labels, the cluster's DNS domain. */
    const serviceBase = (name: string, component: string) => ({
        namespace: ns,
        labels: labels(name, component),
        clusterDomain: config.clusterDomain,
    });
    const services: Record<string, AnyService> = {};
    const plan = plannedServices(config);
    /** Creates a planned Service (see serviceFor), if the config plans one of that name. */
    const createService = (name: string, workload?: Workload): void => {
        const planned = plan.find((p) => p.name === name);
        if (planned) {
            services[name] = serviceFor(planned, serviceBase(name, planned.component), workload);
        }
    };
    let db: Workload;
    let api: Workload;
    /** The claim MongoDB's data lives on, when it has one. */
    let dbClaim: k8s.core.v1.PersistentVolumeClaim | undefined;
    // The API's metrics carry the API Service's name where something scrapes them. Only there: a
    // new variable is a new Pod template, and a stack that scrapes nothing keeps its Pods.
    const metricsName = config.monitoring === "none" ? undefined : names.api;
    if (config.topology === "combined") {
        db = api = new CombinedBackend(names.combined, {
            namespace: ns,
            replicas: config.replicas,
            db: dbArgs,
            apiImage: config.apiImage,
            apiServiceName: metricsName,
            rolloutTimeoutSeconds,
            nodeLossTolerationSeconds,
            architectures,
        }, { transformations });
        createService(names.db, db);
    } else {
        const mongo = new MongoDb(names.db, {
            namespace: ns,
            ...dbArgs,
            storage: config.dbStorageSize
                ? { size: config.dbStorageSize, storageClass: config.dbStorageClass, protect: config.dbStorageProtected }
                : undefined,
            rolloutTimeoutSeconds,
            // Its own: on a lost node its ReadWriteOnce volume stays attached (see docs/operations.md, "What it survives").
            nodeLossTolerationSeconds: config.dbNodeLossTolerationSeconds,
            architectures,
        }, { transformations });
        db = mongo;
        dbClaim = mongo.claim;
        createService(names.db, db);
        api = new GoDemo2Api(
            names.api,
            {
                namespace: ns,
                replicas: config.replicas,
                image: config.apiImage,
                dbHost: names.db,
                serviceName: metricsName,
                tlsSecretName: tls ? names.apiTls : undefined,
                rolloutTimeoutSeconds,
                nodeLossTolerationSeconds,
                architectures,
                // Every MongoDB release rolls the API too, once the new MongoDB is Ready: go-demo-2
                // dials MongoDB once at start and keeps that session (see API_LIVENESS_PROBE).
                dbRelease: db.templateHash,
            },
            // The API dials go-demo-2-db once at start and panics if that fails: its Pods are
            // created only once that name resolves and MongoDB behind it is Ready (the Service
            // waits for it). The API's Pods mount the certificate's Secret: they start once
            // cert-manager wrote it.
            { dependsOn: [services[names.db], ...(tls ? [tls.certificate] : [])], transformations },
        );
    }

    const apiPort = apiServicePort(config);

    const allows = [
        new k8s.networking.v1.NetworkPolicy(names.db, {
            metadata: { name: names.db, namespace: ns, labels: recommendedLabels("mongodb", "database", names.db), annotations: forcedApply() },
            spec: dbPolicySpec({
                db: db.selector,
                api: api.selector,
                httpInterface: config.dbHttpInterface,
                servesApi: db === api,
            }),
        }),
        // In the lab's combined Pod the DB policy above already opens the API's port.
        ...(db === api
            ? []
            : [
                  new k8s.networking.v1.NetworkPolicy(names.api, {
                      metadata: { name: names.api, namespace: ns, labels: recommendedLabels(APP, "api", names.api), annotations: forcedApply() },
                      spec: apiPolicySpec({
                          api: api.selector,
                          port: apiPort.targetPort,
                          metrics:
                              config.monitoring === "none"
                                  ? undefined
                                  : { port: METRICS_PORT.targetPort, fromNamespace: config.monitoringNamespace },
                      }),
                  }),
              ]),
    ];
    const defaultDeny = new k8s.networking.v1.NetworkPolicy(
        names.defaultDeny,
        {
            metadata: {
                name: names.defaultDeny,
                namespace: ns,
                labels: recommendedLabels(APP, "namespace", names.defaultDeny),
                annotations: forcedApply(),
            },
            spec: defaultDenyIngressSpec(),
        },
        // Allows first: denying before they exist would cut a running stack off for a moment.
        { dependsOn: allows },
    );

    createService(names.dbHttp, db);
    createService(names.api, api);
    createService(names.apiMetrics, api);
    createService(names.external);
    const apiService = services[names.api];
    const monitor =
        config.monitoring === "serviceMonitor"
            ? serviceMonitor(
                  names.apiMetrics,
                  { namespace: ns, labels: labels(names.apiMetrics, "api"), selects: labels(names.apiMetrics, "api") },
                  { dependsOn: [services[names.apiMetrics]] },
              )
            : undefined;

    const guard = config.dbStorageSize
        ? destroyGuard(names.destroyGuard, {
              namespace: ns,
              protect: config.dbStorageProtected,
              guards: `PersistentVolumeClaim ${mongoClaimName(names.db)}`,
              dependsOn: [namespace, ...allows, defaultDeny, db, api, ...Object.values(services), ...(tls ? [tls] : []), ...(monitor ? [monitor] : [])],
              labels: labels(names.destroyGuard, "database"),
          })
        : undefined;

    return {
        namespace: ns,
        db,
        api,
        services,
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
        destroyGuard: guard,
        deployment: pulumi
            .all([
                ns,
                pulumi.all(Object.values(services).map((s) => serviceRecord(s.service))),
                dbClaim?.metadata.uid ?? pulumi.output(undefined),
            ])
            .apply(([namespace, serviceRecords, uid]) => {
                const claim = intent(config).dbClaim;
                return { namespace, services: serviceRecords, ...(claim && uid ? { dbClaim: { ...claim, uid } } : {}) };
            }),
    };
}
