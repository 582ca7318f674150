import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { API_PORT, GoDemo2Api } from "./components/api";
import { CombinedBackend } from "./components/combined";
import { APP, recommendedLabels } from "./components/labels";
import { MONGO_HTTP_PORT, MONGO_PORT, MongoDb } from "./components/mongodb";
import { destroyGuard } from "./components/destroyGuard";
import { apiPolicySpec, dbPolicySpec, defaultDenyIngressSpec } from "./components/networkPolicy";
import {
    AnyService,
    ClusterIPService,
    ExternalNameService,
    LoadBalancerService,
    NodePortService,
} from "./components/services";
import { ApiCertificate, CertManagerSetup, TLS_PORT } from "./components/tls";
import { Workload } from "./components/workload";
import { renderingManifests, StackConfig } from "./config";

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
     * The API load balancer's address, when the API has a LoadBalancer Service and Pulumi has seen
     * its address (undefined until then, see loadBalancerWaitSeconds).
     */
    loadBalancerIngress?: pulumi.Output<string | undefined>;
    /** The host the ExternalName Service aliases. */
    externalName: pulumi.Output<string>;
    /** What stops a protected stack's destroy, when the stack keeps data on a claim. */
    destroyGuard?: k8s.core.v1.ConfigMap;
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

/** Composes the stack a validated config describes; see README for what each stack creates. */
export function createStack(config: StackConfig): Stack {
    // cert-manager before anything else: every object of the stack lives in the Namespace, which
    // depends on it, so a cluster without cert-manager or a failed install stops the deployment
    // with nothing created.
    const certManager = config.tls
        ? new CertManagerSetup("cert-manager", { source: config.certManager, check: !renderingManifests() })
        : undefined;
    const namespace = new k8s.core.v1.Namespace("namespace", {
        metadata: {
            name: config.namespace,
            labels: {
                ...recommendedLabels(APP, "namespace", config.namespace),
                // Every Pod of the stack meets the restricted Pod Security Standard; keep it so.
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
    }, { dependsOn: certManager ? [certManager] : [] });
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
    /** The DB's ClusterIP Service, created once the workload it selects is Ready (see serviceWaitFor). */
    const dbService = (workload: Workload) =>
        new ClusterIPService(
            names.db,
            {
                ...serviceBase(names.db, "database"),
                selector: workload.selector,
                ports: [{ name: "mongodb", port: MONGO_PORT }],
            },
            { dependsOn: [workload] },
        );
    let db: Workload;
    let api: Workload;
    if (config.topology === "combined") {
        db = api = new CombinedBackend(names.combined, {
            namespace: ns,
            replicas: config.replicas,
            db: dbArgs,
            apiImage: config.apiImage,
            rolloutTimeoutSeconds,
            nodeLossTolerationSeconds,
            architectures,
        });
        services[names.db] = dbService(db);
    } else {
        db = new MongoDb(names.db, {
            namespace: ns,
            ...dbArgs,
            storage: config.dbStorageSize
                ? { size: config.dbStorageSize, storageClass: config.dbStorageClass, protect: config.dbStorageProtected }
                : undefined,
            rolloutTimeoutSeconds,
            // Its own: on a lost node its ReadWriteOnce volume stays attached (see README).
            nodeLossTolerationSeconds: config.dbNodeLossTolerationSeconds,
            architectures,
        });
        services[names.db] = dbService(db);
        api = new GoDemo2Api(
            names.api,
            {
                namespace: ns,
                replicas: config.replicas,
                image: config.apiImage,
                dbHost: names.db,
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
            { dependsOn: [services[names.db], ...(tls ? [tls.certificate] : [])] },
        );
    }

    const apiPort = tls
        ? { name: "https", port: 443, targetPort: TLS_PORT }
        : { name: "http", port: API_PORT };

    const allows = [
        new k8s.networking.v1.NetworkPolicy(names.db, {
            metadata: { name: names.db, namespace: ns, labels: recommendedLabels("mongodb", "database", names.db) },
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
                      metadata: { name: names.api, namespace: ns, labels: recommendedLabels(APP, "api", names.api) },
                      spec: apiPolicySpec({ api: api.selector, port: apiPort.targetPort ?? apiPort.port }),
                  }),
              ]),
    ];
    const defaultDeny = new k8s.networking.v1.NetworkPolicy(
        names.defaultDeny,
        {
            metadata: { name: names.defaultDeny, namespace: ns, labels: recommendedLabels(APP, "namespace", names.defaultDeny) },
            spec: defaultDenyIngressSpec(),
        },
        // Allows first: denying before they exist would cut a running stack off for a moment.
        { dependsOn: allows },
    );

    // Each selecting Service is created once the workload it selects is Ready (see serviceWaitFor).
    if (config.dbHttpInterface) {
        services[names.dbHttp] = new NodePortService(
            names.dbHttp,
            {
                ...serviceBase(names.dbHttp, "database"),
                selector: db.selector,
                ports: [{ name: "mongodb-http", port: MONGO_HTTP_PORT, nodePort: config.nodePort }],
            },
            { dependsOn: [db] },
        );
    }

    const apiArgs = {
        ...serviceBase(names.api, "api"),
        selector: api.selector,
        ports: [apiPort],
    };
    const apiService = config.loadBalancer
        ? new LoadBalancerService(
              names.api,
              {
                  ...apiArgs,
                  loadBalancerSourceRanges: config.loadBalancerSourceRanges,
                  annotations: config.loadBalancerAnnotations,
                  addressWaitSeconds: config.loadBalancerWaitSeconds,
              },
              { dependsOn: [api] },
          )
        : new ClusterIPService(names.api, apiArgs, { dependsOn: [api] });
    services[names.api] = apiService;

    const external = new ExternalNameService(names.external, {
        ...serviceBase(names.external, "external"),
        externalName: config.externalName,
    });
    services[names.external] = external;

    const guard = config.dbStorageSize
        ? destroyGuard(names.destroyGuard, {
              namespace: ns,
              protect: config.dbStorageProtected,
              guards: `PersistentVolumeClaim ${db.claimNames.join(", ")}`,
              dependsOn: [namespace, ...allows, defaultDeny, db, api, ...Object.values(services), ...(tls ? [tls] : [])],
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
        loadBalancerIngress: apiService instanceof LoadBalancerService ? apiService.ingress : undefined,
        externalName: external.externalName,
        destroyGuard: guard,
    };
}
