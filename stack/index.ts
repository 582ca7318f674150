/**
 * The stack's composition: what a validated config creates, in the order that keeps every step
 * safe (see docs/stacks.md for what each stack creates). Each part is a file beside this one:
 * the plan as data (plan.ts), the workloads, the NetworkPolicies, the Services and the outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP, AnyService, forcedApply, mongoClaimName, recommendedLabels, serviceDnsName, Workload } from "go-demo-2";

import { renderingManifests, StackConfig } from "../config";
import { ApiCertificate, CertManagerSetup } from "./certManager";
import { requireCrds } from "./crds";
import { destroyGuard } from "./destroyGuard";
import { SERVICE_MONITOR_CRD, serviceMonitor } from "./monitoring";
import { names } from "./names";
import { createNetworkPolicies } from "./networkPolicies";
import { planStack, StackPlan } from "./plan";
import { StackOutputs, stackOutputs } from "./outputs";
import { StackServices } from "./services";
import { createWorkloads } from "./workloads";

export { names } from "./names";
export { planStack } from "./plan";
export type { PlannedService, StackPlan } from "./plan";

export interface Stack extends StackOutputs {
    namespace: pulumi.Output<string>;
    db: Workload;
    api: Workload;
    /** Every Service of the stack by its Kubernetes name. */
    services: Record<string, AnyService>;
    /** What stops a protected stack's destroy, when the stack keeps data on a claim. */
    destroyGuard?: k8s.core.v1.ConfigMap;
}

/**
 * What the stack requires of the cluster before anything is created: cert-manager (installed or
 * read) and the ServiceMonitor's CRD. Every object of the stack lives in the Namespace, which
 * depends on these, so a cluster without them, or a failed install, stops the deployment with
 * nothing created.
 */
function prerequisites(config: StackConfig): pulumi.Resource[] {
    const certManager = config.tls
        ? [new CertManagerSetup("cert-manager", { source: config.certManager, check: !renderingManifests() })]
        : [];
    const monitoringCrds =
        config.monitoring === "serviceMonitor" && !renderingManifests() ? requireCrds("monitoring", [SERVICE_MONITOR_CRD]) : [];
    return [...certManager, ...monitoringCrds];
}

function createNamespace(config: StackConfig): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        "namespace",
        {
            metadata: {
                name: config.namespace,
                labels: {
                    ...recommendedLabels(APP, "namespace", config.namespace),
                    // Every Pod of the stack meets the restricted Pod Security Standard; keep it so.
                    "pod-security.kubernetes.io/enforce": "restricted",
                },
                annotations: forcedApply(),
            },
        },
        { dependsOn: prerequisites(config) },
    );
}

/** Composes the stack a validated config describes (planned by planStack, once per run). */
export function createStack(config: StackConfig, plan: StackPlan = planStack(config)): Stack {
    const namespace = createNamespace(config);
    const ns = namespace.metadata.name;
    const labels = (name: string, component: string) => recommendedLabels(APP, component, name);

    const tls = config.tls
        ? new ApiCertificate(names.apiTls, {
              namespace: ns,
              secretName: names.apiTls,
              dnsNames: [
                  ...(config.tlsHostname ? [config.tlsHostname] : []),
                  serviceDnsName(names.api, config.namespace, config.clusterDomain),
                  serviceDnsName(names.api, config.namespace),
              ],
          })
        : undefined;

    const services = new StackServices(plan.services, (name, component) => ({
        namespace: ns,
        labels: labels(name, component),
        clusterDomain: config.clusterDomain,
    }));
    const workloads = createWorkloads(config, ns, services, tls);
    const { db, api } = workloads;
    const policies = createNetworkPolicies(config, ns, workloads, plan.apiPort);

    services.create(names.dbHttp, db);
    services.create(names.api, api);
    const metrics = services.create(names.apiMetrics, api);
    services.create(names.external);
    const monitor =
        config.monitoring === "serviceMonitor" && metrics
            ? serviceMonitor(
                  names.apiMetrics,
                  { namespace: ns, labels: labels(names.apiMetrics, "api"), selects: labels(names.apiMetrics, "api") },
                  { dependsOn: [metrics] },
              )
            : undefined;

    const guard = config.dbStorageSize
        ? destroyGuard(names.destroyGuard, {
              namespace: ns,
              protect: config.dbStorageProtected,
              guards: `PersistentVolumeClaim ${mongoClaimName(names.db)}`,
              dependsOn: [namespace, ...policies, db, api, ...Object.values(services.byName), ...(tls ? [tls] : []), ...(monitor ? [monitor] : [])],
              labels: labels(names.destroyGuard, "database"),
          })
        : undefined;

    return {
        namespace: ns,
        db,
        api,
        services: services.byName,
        destroyGuard: guard,
        ...stackOutputs(ns, services.byName, plan, workloads.dbClaim),
    };
}
