import { API_PORT } from "../../components/api";
import { selectors } from "../../components/labels";
import { parseConfig, StackConfig } from "../../config";
import { METRICS_PATH, METRICS_PORT, scrapeAnnotations, SERVICE_MONITOR_CRD, serviceMonitorSpec } from "../../stack/monitoring";
import { names, planStack } from "../../stack";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { find, installMocks, ofType, recorded, registeredOfType, registeredStack, resetRecorded } from "../support/mocks";

installMocks();
beforeEach(resetRecorded);

const SERVICE = "kubernetes:core/v1:Service";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

const withMonitoring = (stack: "lab" | "dev" | "prod", monitoring: string, more: Record<string, string> = {}): StackConfig =>
    parseConfig({ ...stackFileConfig(stack), monitoring, ...more }, stack);

const run = registeredStack;

const service = (name: string) => registeredOfType(SERVICE).find((r) => r.inputs.metadata.name === name);
const policy = (name: string) => ofType(POLICY).find((r) => r.inputs.metadata.name === name)!.inputs.spec;
/** The env of the `api` container of the ReplicaSet whose Pods carry `selector`. */
const apiEnv = (selector: Record<string, string>) =>
    ofType("kubernetes:apps/v1:ReplicaSet")
        .find((r) => r.inputs.spec.selector.matchLabels.type === selector.type)!
        .inputs.spec.template.spec.containers.find((c: { name: string }) => c.name === "api").env;

describe("scrapeAnnotations and serviceMonitorSpec", () => {
    it("annotations name go-demo-2's own port and path, as the prometheus.io convention reads them", () => {
        expect(scrapeAnnotations()).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics" });
        expect(METRICS_PORT).toEqual({ name: "metrics", port: API_PORT, targetPort: API_PORT });
    });

    it("a ServiceMonitor selects Services by their labels and scrapes the metrics port by name", () => {
        expect(serviceMonitorSpec({ a: "b" })).toEqual({
            selector: { matchLabels: { a: "b" } },
            endpoints: [{ port: "metrics", path: METRICS_PATH, scheme: "http" }],
        });
    });
});

describe.each(["lab", "dev", "prod"] as const)("%s stack: SERVICE_NAME", (stack) => {
    it.each(["annotations", "serviceMonitor"])("with monitoring %s, the API container names its metrics after the API Service", async (monitoring) => {
        const config = withMonitoring(stack, monitoring);
        await run(config);
        const env = apiEnv(config.topology === "combined" ? selectors.combined : selectors.api);
        expect(env).toContainEqual({ name: "SERVICE_NAME", value: names.api });
    });

    it("without monitoring, the API's Pod template is as before (no SERVICE_NAME: a new variable would release the API)", async () => {
        const config = withMonitoring(stack, "none");
        await run(config);
        const env = apiEnv(config.topology === "combined" ? selectors.combined : selectors.api);
        expect(env.map((e: { name: string }) => e.name)).not.toContain("SERVICE_NAME");
    });
});

describe("monitoring: none", () => {
    it.each(["lab", "dev", "prod"] as const)("%s: no metrics Service, no ServiceMonitor, no CRD read, the API policy as it was", async (stack) => {
        await run(withMonitoring(stack, "none"));
        expect(service(names.apiMetrics)).toBeUndefined();
        expect(ofType(SERVICE_MONITOR)).toEqual([]);
        expect(ofType(CRD).map((r) => r.readId)).not.toContain(SERVICE_MONITOR_CRD);
        if (stack !== "lab") {
            expect(policy(names.api).ingress).toHaveLength(1);
        }
    });
});

describe("monitoring: annotations", () => {
    it.each(["lab", "dev", "prod"] as const)("%s: a ClusterIP metrics Service on 8080 carries the scrape annotations; no ServiceMonitor", async (stack) => {
        const config = withMonitoring(stack, "annotations");
        const created = await run(config);
        const metrics = service(names.apiMetrics)!;
        expect(metrics.inputs.spec).toMatchObject({
            type: "ClusterIP",
            selector: created.api.selector,
            ports: [{ name: "metrics", port: 8080, targetPort: 8080 }],
        });
        expect(metrics.inputs.metadata.annotations).toMatchObject(scrapeAnnotations());
        expect(ofType(SERVICE_MONITOR)).toEqual([]);
        expect(ofType(CRD).map((r) => r.readId)).not.toContain(SERVICE_MONITOR_CRD);
        // The Pod template is not annotated: turning monitoring on does not roll the Pods.
        for (const rs of ofType("kubernetes:apps/v1:ReplicaSet")) {
            expect(Object.keys(rs.inputs.spec.template.metadata.annotations ?? {})).not.toContain("prometheus.io/scrape");
        }
    });

    it("the metrics Service is planned, so the record and the address guards see it", () => {
        expect(planStack(withMonitoring("prod", "annotations")).services.map((p) => p.name)).toContain(names.apiMetrics);
        expect(planStack(withMonitoring("prod", "none")).services.map((p) => p.name)).not.toContain(names.apiMetrics);
    });
});

describe("monitoring: serviceMonitor", () => {
    it("reads the ServiceMonitor CRD before the Namespace, and the ServiceMonitor selects the metrics Service's labels and port", async () => {
        await run(withMonitoring("dev", "serviceMonitor"));
        const crdRead = find(CRD, `monitoring-requires-${SERVICE_MONITOR_CRD}`);
        expect(crdRead.readId).toBe(SERVICE_MONITOR_CRD);
        const namespace = ofType("kubernetes:core/v1:Namespace")[0];
        expect(namespace.dependencies).toEqual([expect.stringContaining(`${CRD}::monitoring-requires-${SERVICE_MONITOR_CRD}`)]);

        const [monitor] = ofType(SERVICE_MONITOR);
        expect(monitor.inputs).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor" });
        expect(monitor.inputs.metadata).toMatchObject({ name: names.apiMetrics, namespace: "go-demo-2-dev" });
        const metrics = service(names.apiMetrics)!;
        // Every label the ServiceMonitor selects by is on the metrics Service, and on no other Service.
        const selector = monitor.inputs.spec.selector.matchLabels as Record<string, string>;
        const matches = registeredOfType(SERVICE).filter((s) => Object.entries(selector).every(([k, v]) => s.inputs.metadata.labels?.[k] === v));
        expect(matches.map((s) => s.inputs.metadata.name)).toEqual([names.apiMetrics]);
        // Its endpoint names a port of that Service, which targets go-demo-2's 8080.
        const [endpoint] = monitor.inputs.spec.endpoints;
        expect(metrics.inputs.spec.ports.find((p: { name: string }) => p.name === endpoint.port)).toMatchObject({ targetPort: API_PORT });
        expect(endpoint.path).toBe("/metrics");
        // No scrape annotations: the ServiceMonitor is how the scraper finds it.
        expect(Object.keys(metrics.inputs.metadata.annotations ?? {})).not.toContain("prometheus.io/scrape");
    });

    it("nothing of the stack is registered before the CRD is read: every object depends on the read, through the Namespace", async () => {
        await run(withMonitoring("dev", "serviceMonitor"));
        const urnOf = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
        const byUrn = new Map(recorded.map((r) => [urnOf(r), r]));
        const read = urnOf(find(CRD, `monitoring-requires-${SERVICE_MONITOR_CRD}`));
        /** Whether a resource waits for the read, directly or through what it depends on. */
        const waitsForRead = (key: string, seen = new Set<string>()): boolean => {
            if (key === read) {
                return true;
            }
            if (seen.has(key)) {
                return false;
            }
            seen.add(key);
            // Dependencies are URNs; the recorded key is their `type::name` tail (parents' types left out).
            const deps = (byUrn.get(key)?.dependencies ?? []).map((urn) => {
                const [type, name] = urn.split("::").slice(-2);
                return `${type.split("$").pop()}::${name}`;
            });
            return deps.some((d) => waitsForRead(d, seen));
        };
        const objects = recorded.filter((r) => r.type.startsWith("kubernetes:") && r.readId === undefined);
        expect(objects.length).toBeGreaterThan(10);
        expect(objects.filter((r) => !waitsForRead(urnOf(r))).map(urnOf)).toEqual([]);
    });

    it("rendering manifests: reads no CRD (there may be no cluster) and still renders the ServiceMonitor", async () => {
        const pulumi = await import("@pulumi/pulumi");
        pulumi.runtime.setAllConfig({ "kubernetes:renderYamlToDirectory": "/tmp/rendered" });
        try {
            await run(withMonitoring("dev", "serviceMonitor"));
            // (The load balancer's live read stays: while rendering, the provider answers reads from the program's inputs, without a cluster.)
            expect(ofType(CRD)).toEqual([]);
            expect(ofType(SERVICE_MONITOR)).toHaveLength(1);
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });
});

describe("NetworkPolicy and the public Services with monitoring on", () => {
    it("prod (TLS): the metrics port is open to the scraper's namespace only; the public Service still serves 443 → 8443 alone", async () => {
        await run(withMonitoring("prod", "serviceMonitor", { monitoringNamespace: "observability" }));
        expect(policy(names.api)).toMatchObject({
            podSelector: { matchLabels: selectors.api },
            ingress: [
                { ports: [{ protocol: "TCP", port: 8443 }] },
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
                    ports: [{ protocol: "TCP", port: 8080 }],
                },
            ],
        });
        const publicPorts = registeredOfType(SERVICE)
            .filter((s) => s.inputs.spec.type === "LoadBalancer" || s.inputs.spec.type === "NodePort")
            .flatMap((s) => s.inputs.spec.ports as { port: number; targetPort?: number }[]);
        expect(publicPorts).toEqual([{ name: "https", port: 443, targetPort: 8443 }].map((p) => expect.objectContaining(p)));
        expect(publicPorts.flatMap((p) => [p.port, p.targetPort])).not.toContain(8080);
    });

    it("lab (combined): the DB policy that already opens 8080 is unchanged", async () => {
        await run(withMonitoring("lab", "none"));
        const before = policy(names.db);
        resetRecorded();
        await run(withMonitoring("lab", "annotations"));
        expect(policy(names.db)).toEqual(before);
    });
});
