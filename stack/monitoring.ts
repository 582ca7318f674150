import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { API_PORT, forcedApply, ServicePort } from "go-demo-2";

/** Where go-demo-2 serves its metrics (main.go registers promhttp there, on the API's port). */
export const METRICS_PATH = "/metrics";

/** The metrics Service's port: its name is what a ServiceMonitor's endpoint selects. */
export const METRICS_PORT: ServicePort & { targetPort: number } = { name: "metrics", port: API_PORT, targetPort: API_PORT };

/** The CustomResourceDefinition of the ServiceMonitor kind, which `serviceMonitor` requires of the cluster. */
export const SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";

/**
 * The annotations the de-facto convention reads (Prometheus' example `kubernetes-service-endpoints`
 * job): on the metrics Service rather than on the Pod template, because a Pod annotation is part
 * of the hashed template, so turning monitoring on or off would roll every API Pod; a Service's
 * annotations change nothing but the Service, and that job still scrapes each Pod behind it.
 */
export function scrapeAnnotations(): Record<string, string> {
    return {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(METRICS_PORT.targetPort),
        "prometheus.io/path": METRICS_PATH,
    };
}

/** A ServiceMonitor's spec that scrapes the metrics port of the Services carrying `labels`, in its own namespace. */
export function serviceMonitorSpec(labels: Record<string, string>): Record<string, unknown> {
    return {
        selector: { matchLabels: labels },
        endpoints: [{ port: METRICS_PORT.name, path: METRICS_PATH, scheme: "http" }],
    };
}

export interface ServiceMonitorArgs {
    namespace: pulumi.Input<string>;
    /** Labels of the ServiceMonitor object itself. */
    labels: Record<string, string>;
    /** Labels of the metrics Service it selects. */
    selects: Record<string, string>;
}

/** The Prometheus Operator's ServiceMonitor for the API's metrics Service. */
export function serviceMonitor(name: string, args: ServiceMonitorArgs, opts?: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name, namespace: args.namespace, labels: args.labels, annotations: forcedApply() },
            spec: serviceMonitorSpec(args.selects),
        },
        opts,
    );
}
