/**
 * The dev stack with its metrics on a real control plane (`npm run test:e2e`): `serviceMonitor`
 * refused on a cluster without the Prometheus Operator's CRD, then deployed on one with a minimal
 * CRD of that name, then switched to `annotations`. The steps build on each other, so they run in order.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as path from "path";

import { API_PORT } from "../../components/api";
import { selectors } from "../../components/labels";
import { METRICS_PATH, scrapeAnnotations, SERVICE_MONITOR_CRD } from "../../stack/monitoring";
import { names } from "../../stack";
import { endpointPorts, eventually, exists, kubectl, kubectlJson, labelSelector, pods } from "./kube";
import { root } from "../../tools/project/root";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

const stackName = "dev";
const MISSING = new RegExp(`resource '${SERVICE_MONITOR_CRD.replace(/\./g, "\\.")}' does not exist`);

/**
 * The least CustomResourceDefinition that serves the ServiceMonitor kind: its group, names and
 * version, and a structural schema that keeps whatever spec it is given (the operator's own CRD
 * validates the spec; this test reads it back instead).
 */
const MINIMAL_CRD = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: SERVICE_MONITOR_CRD },
    spec: {
        group: "monitoring.coreos.com",
        names: { kind: "ServiceMonitor", listKind: "ServiceMonitorList", plural: "servicemonitors", singular: "servicemonitor" },
        scope: "Namespaced",
        versions: [
            {
                name: "v1",
                served: true,
                storage: true,
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
                    },
                },
            },
        ],
    },
};

/** Only the project's own local cluster: the CRD this file creates and deletes is cluster-wide. */
function requireLocalCluster(): void {
    if (process.env.KUBECONFIG !== path.join(root, ".cluster", "kubeconfig")) {
        throw new Error(`refusing to create or delete ${SERVICE_MONITOR_CRD} on a cluster this project did not start (KUBECONFIG=${process.env.KUBECONFIG})`);
    }
}

/** Kubernetes objects the stack's state says it created (reads are `external`). */
async function createdObjects(stack: Stack): Promise<string[]> {
    const state = await stack.exportStack();
    return ((state.deployment.resources ?? []) as { type: string; urn: string; external?: boolean }[])
        .filter((r) => r.type.startsWith("kubernetes:") && !r.external)
        .map((r) => r.urn);
}

describe("serviceMonitor on a cluster without the ServiceMonitor CRD", () => {
    const namespace = "e2e-go-demo-2-monitoring-no-crd";
    let stack: Stack | undefined;

    beforeAll(() => {
        requireLocalCluster();
        expect(exists("crd", SERVICE_MONITOR_CRD)).toBe(false);
    });

    afterAll(() => destroyTestStack(stack));

    it("preview and up fail naming the missing CRD, and create nothing", async () => {
        stack = await testStack(stackName, namespace);
        await stack.setConfig("go-demo-2:monitoring", { value: "serviceMonitor" });
        await timed("monitoring without the CRD: preview (fails)", () => expect(stack!.preview({ color: "never" })).rejects.toThrow(MISSING));
        // The Automation API's up skips the preview: the Namespace waiting on the CRD read is what
        // keeps it from creating anything.
        await timed("monitoring without the CRD: up (fails)", () => expect(stack!.up({ color: "never" })).rejects.toThrow(MISSING));
        expect(exists("namespace", namespace)).toBe(false);
        expect(await createdObjects(stack)).toEqual([]);
    });
});

describe("the dev stack's metrics on a cluster with the ServiceMonitor CRD", () => {
    const namespace = "e2e-go-demo-2-monitoring";
    let stack: Stack | undefined;
    /** The API ReplicaSet `up` with serviceMonitor left: the switch to annotations must keep it. */
    let apiReplicaSet: string;

    beforeAll(async () => {
        requireLocalCluster();
        expect(exists("crd", SERVICE_MONITOR_CRD)).toBe(false);
        execFileSync("kubectl", ["create", "-f", "-"], { input: JSON.stringify(MINIMAL_CRD) });
        kubectl("wait", "--for=condition=Established", `crd/${SERVICE_MONITOR_CRD}`, "--timeout=60s");
        stack = await testStack(stackName, namespace);
    });

    afterAll(async () => {
        await destroyTestStack(stack);
        kubectl("delete", "crd", SERVICE_MONITOR_CRD, "--ignore-not-found", "--wait=true");
    });

    /** The live ServiceMonitor, and the live Services of the namespace whose labels its selector matches. */
    const selected = () => {
        const monitor = kubectlJson("get", "servicemonitors", names.apiMetrics, "-n", namespace);
        const services = kubectlJson("get", "services", "-n", namespace, "-l", labelSelector(monitor.spec.selector.matchLabels)).items;
        return { monitor, services };
    };

    it("up with serviceMonitor: the ServiceMonitor selects exactly the metrics Service, whose port of that name maps to 8080 on every API Pod", async () => {
        await stack!.setConfig("go-demo-2:monitoring", { value: "serviceMonitor" });
        await timed("monitoring: up (serviceMonitor)", () => stack!.up({ color: "never" }));

        const { monitor, services } = selected();
        expect(services.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual([names.apiMetrics]);
        const [service] = services;
        expect(service.spec.type).toBe("ClusterIP");
        expect(monitor.spec.endpoints).toHaveLength(1);
        const [endpoint] = monitor.spec.endpoints;
        expect(endpoint.path).toBe(METRICS_PATH);
        const port = service.spec.ports.find((p: { name: string }) => p.name === endpoint.port);
        expect(port).toMatchObject({ name: "metrics", port: API_PORT, targetPort: API_PORT, protocol: "TCP" });
        expect(service.metadata.annotations ?? {}).not.toHaveProperty("prometheus.io/scrape");

        // What the Service routes to: every ready API Pod's 8080, by the port's name.
        const apiIPs = () =>
            pods(namespace, selectors.api)
                .filter((p) => p.ready)
                .map((p) => p.ip)
                .sort();
        await eventually(() => expect(endpointPorts(namespace, names.apiMetrics)).toEqual(apiIPs().map((ip) => `${ip}:${API_PORT}/metrics`)), 30_000);
        expect(apiIPs()).toHaveLength(3);

        // The API's Pods label their metrics with the API Service's name.
        const [rs] = kubectlJson("get", "replicasets", "-n", namespace, "-l", labelSelector(selectors.api)).items;
        apiReplicaSet = rs.metadata.name;
        const api = rs.spec.template.spec.containers.find((c: { name: string }) => c.name === "api");
        expect(api.env).toContainEqual({ name: "SERVICE_NAME", value: names.api });

        // The metrics port is open to the scraper's namespace (monitoring, by default) only.
        const policy = kubectlJson("get", "networkpolicy", names.api, "-n", namespace);
        expect(policy.spec.ingress).toContainEqual({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
            ports: [{ protocol: "TCP", port: API_PORT }],
        });
    });

    it("switched to annotations: the ServiceMonitor goes, the metrics Service carries the scrape annotations, and the API Pods stay", async () => {
        await stack!.setConfig("go-demo-2:monitoring", { value: "annotations" });
        await timed("monitoring: up (serviceMonitor → annotations)", () => stack!.up({ color: "never" }));

        expect(exists("servicemonitors", names.apiMetrics, "-n", namespace)).toBe(false);
        const service = kubectlJson("get", "service", names.apiMetrics, "-n", namespace);
        expect(service.metadata.annotations).toMatchObject({
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(API_PORT),
            "prometheus.io/path": METRICS_PATH,
        });
        expect(service.metadata.annotations).toMatchObject(scrapeAnnotations());
        // The annotations are the Service's: the Pod template, and so the API's Pods, did not change.
        const replicaSets = kubectlJson("get", "replicasets", "-n", namespace, "-l", labelSelector(selectors.api)).items;
        expect(replicaSets.map((rs: { metadata: { name: string } }) => rs.metadata.name)).toEqual([apiReplicaSet]);
        for (const pod of kubectlJson("get", "pods", "-n", namespace, "-l", labelSelector(selectors.api)).items) {
            expect(pod.metadata.annotations ?? {}).not.toHaveProperty("prometheus.io/scrape");
        }
        await timed("monitoring: preview after the switch (no-op)", () => stack!.preview({ expectNoChanges: true, color: "never" }));
    });
});
