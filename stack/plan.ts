/**
 * What a config asks for, as data, computed once per run: the Services (their names, types and
 * ports), the API Service's port, and the intent the change guards compare with the last deployment.
 */
import { API_PORT, MONGO_HTTP_PORT, MONGO_PORT, mongoClaimName, ServicePort, ServiceType, TLS_PORT } from "go-demo-2";

import { StackConfig } from "../config";
import { Intent } from "../guards/transitions";
import { METRICS_PORT, scrapeAnnotations } from "./monitoring";
import { names } from "./names";

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

/** The stack a config describes, as data. */
export interface StackPlan {
    /** The Services, in the order the stack creates them. */
    services: PlannedService[];
    /** The port the API Service serves on: HTTPS through the TLS sidecar, or go-demo-2's own HTTP. */
    apiPort: ServicePort & { targetPort: number };
    /** What the config pins, in the terms of the record `up` leaves (guards/transitions.ts). */
    intent: Intent;
}

/** Plans the stack a validated config describes. */
export function planStack(config: StackConfig): StackPlan {
    const apiPort = config.tls
        ? { name: "https", port: 443, targetPort: TLS_PORT }
        : { name: "http", port: API_PORT, targetPort: API_PORT };
    const services = plannedServices(config, apiPort);
    return { services, apiPort, intent: intent(config, services) };
}

function plannedServices(config: StackConfig, apiPort: ServicePort): PlannedService[] {
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
            ports: [apiPort],
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

function intent(config: StackConfig, services: PlannedService[]): Intent {
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
        services: services.map((p) => ({
            name: p.name,
            namespace: config.namespace,
            type: p.type,
            ports: Object.fromEntries(p.ports.map((port) => [port.name, port.nodePort?.toString()])),
        })),
    };
}
