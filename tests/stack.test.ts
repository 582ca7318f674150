import * as pulumi from "@pulumi/pulumi";

import { DB_RELEASE_ANNOTATION } from "../components/api";
import { forcedApply, PATCH_FORCE_ANNOTATION } from "../components/forcedApply";
import { PROTECTED_ANNOTATION } from "../destroyGuard";
import { selectors } from "../components/labels";
import { REVISION_ANNOTATION, serviceWaitFor } from "../components/serviceSpec";
import { CERT_MANAGER_CHART_VERSION } from "../certManager";
import { parseConfig, StackConfig } from "../config";
import { names } from "../stack";
import { expectedObjects, withoutTemplateHash } from "./expected";
import { installMocks, MOCK_LB_IP, mockLoadBalancerController, ofType, recorded, registeredStack, resetRecorded, unwrap } from "./mocks";
import { STACKS, stackFileConfig } from "../tools/stackFiles";

installMocks();
beforeEach(resetRecorded);

/** Runs the program for a config, waits for every resource, returns the stack and its outputs. */
async function run(config: StackConfig) {
    const stack = await registeredStack(config);
    const outputs = {
        namespace: await unwrap(stack.namespace),
        clusterIPs: await unwrap(stack.clusterIPs),
        nodePorts: await unwrap(stack.nodePorts),
        dnsNames: await unwrap(stack.dnsNames),
        externalName: await unwrap(stack.externalName),
        loadBalancerIngress: stack.loadBalancerIngress && (await unwrap(stack.loadBalancerIngress)),
    };
    return { stack, outputs };
}

const fromFile = (stack: string) => parseConfig(stackFileConfig(stack), stack);

/** Kind/name of every Kubernetes object the program registered, not those it only reads (ReplicaSets without their hash), sorted. */
function objects(): string[] {
    return recorded
        .filter((r) => r.type.startsWith("kubernetes:") && r.readId === undefined)
        .map((r) => withoutTemplateHash(`${r.type.split(":")[2]}/${r.inputs.metadata.name}`))
        .sort();
}

/** Each registered ReplicaSet's spec, by its name without the template hash. */
function replicaSetSpecs(): Record<string, Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return Object.fromEntries(
        ofType("kubernetes:apps/v1:ReplicaSet").map((r) => [
            withoutTemplateHash(`ReplicaSet/${r.inputs.metadata.name}`).split("/")[1],
            r.inputs.spec,
        ]),
    );
}

/** Type and spec of each registered Service by name. */
function servicesByName(): Record<string, { type: string; selector?: Record<string, string>; ports?: unknown[] }> {
    return Object.fromEntries(ofType("kubernetes:core/v1:Service").map((r) => [r.inputs.metadata.name, r.inputs.spec]));
}

describe("lab stack (combined)", () => {
    it("creates the lab's ReplicaSet and one Service of every type", async () => {
        const { outputs } = await run(fromFile("lab"));
        expect(objects()).toEqual(expectedObjects("lab", "go-demo-2-lab"));
        const services = servicesByName();
        expect(services["go-demo-2-svc"]).toMatchObject({
            type: "NodePort",
            selector: { type: "backend", service: "go-demo-2" },
            ports: [{ port: 28017, targetPort: 28017 }],
        });
        expect(services["go-demo-2-db"].type).toBe("ClusterIP");
        expect(services["go-demo-2-api"].type).toBe("LoadBalancer");
        expect(services["go-demo-2-external"]).toEqual({ type: "ExternalName", externalName: "kubernetes.io" });
        expect(outputs.namespace).toBe("go-demo-2-lab");
    });
});

describe("dev stack (split)", () => {
    it("creates DB and API ReplicaSets, the DB's stable address, the lab's NodePort, an API LB and an ExternalName", async () => {
        await run(fromFile("dev"));
        expect(objects()).toEqual(expectedObjects("dev", "go-demo-2-dev"));
        const rs = replicaSetSpecs();
        expect(rs["go-demo-2-db"].replicas).toBe(1);
        expect(rs["go-demo-2-api"].replicas).toBe(3);
        expect(rs["go-demo-2-api"].template.spec.containers[0].env).toEqual([{ name: "DB", value: "go-demo-2-db" }]);
        const services = servicesByName();
        expect(services["go-demo-2-db"]).toMatchObject({ type: "ClusterIP", ports: [{ port: 27017 }] });
        expect(services["go-demo-2-svc"]).toMatchObject({ type: "NodePort", ports: [{ port: 28017 }] });
        expect(services["go-demo-2-api"]).toMatchObject({ type: "LoadBalancer", ports: [{ port: 8080 }] });
    });
});

/** Spec of each registered object of a kind, by its Kubernetes name. */
function specsByName(type: string): Record<string, Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return Object.fromEntries(ofType(type).map((r) => [r.inputs.metadata.name, r.inputs.spec]));
}

describe("disruption", () => {
    it("dev: the API keeps all but one Pod through a drain; the single MongoDB has no budget to block it", async () => {
        await run(fromFile("dev"));
        expect(specsByName("kubernetes:policy/v1:PodDisruptionBudget")).toEqual({
            "go-demo-2-api": { maxUnavailable: 1, selector: { matchLabels: selectors.api }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        });
    });

    it("lab: the combined ReplicaSet's two Pods go one at a time", async () => {
        await run(fromFile("lab"));
        expect(specsByName("kubernetes:policy/v1:PodDisruptionBudget")).toEqual({
            "go-demo-2": { maxUnavailable: 1, selector: { matchLabels: selectors.combined }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        });
    });

    it("denies ingress by default and opens the API's port (8080, or 8443 behind TLS) to its Services", async () => {
        await run(fromFile("dev"));
        const dev = specsByName("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(dev[names.defaultDeny]).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        expect(dev[names.api].ingress).toEqual([{ ports: [{ protocol: "TCP", port: 8080 }] }]);
        resetRecorded();
        await run(fromFile("prod"));
        const prod = specsByName("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(prod[names.api].ingress).toEqual([{ ports: [{ protocol: "TCP", port: 8443 }] }]);
    });

    it("creates the default deny only after the allows, so a running stack is never cut off", async () => {
        await run(fromFile("dev"));
        const deny = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => r.name === names.defaultDeny);
        const dependsOn = deny!.dependencies.filter((urn) => urn.includes("NetworkPolicy::")).map((urn) => urn.split("::").pop());
        expect(dependsOn.sort()).toEqual([names.api, names.db]);
    });
});

describe("prod stack", () => {
    it("publishes no DB port, limits the LB, serves HTTPS with cert-manager", async () => {
        await run(fromFile("prod"));
        expect(objects()).toEqual(expectedObjects("prod", "go-demo-2-prod"));
        const services = servicesByName();
        expect(Object.keys(services).sort()).toEqual(["go-demo-2-api", "go-demo-2-db", "go-demo-2-external"]);
        expect(services["go-demo-2-api"]).toMatchObject({
            type: "LoadBalancer",
            loadBalancerSourceRanges: ["10.0.0.0/8", "192.168.0.0/16"],
            ports: [{ name: "https", port: 443, targetPort: 8443 }],
        });
        // The cluster provides cert-manager (certManager: existing): the stack reads its CRDs, installs nothing.
        expect(ofType("kubernetes-cert-manager:index:CertManager")).toHaveLength(0);
        expect(ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((r) => r.readId)).toEqual([
            "issuers.cert-manager.io",
            "certificates.cert-manager.io",
        ]);
        const api = ofType("kubernetes:apps/v1:ReplicaSet").find((r) => r.inputs.spec.selector.matchLabels.type === "api")!;
        expect(api.inputs.spec.template.spec.volumes).toEqual([{ name: "tls", secret: { secretName: "go-demo-2-api-tls" } }]);
        const certificate = ofType("kubernetes:cert-manager.io/v1:Certificate")[0].inputs;
        expect(certificate.spec.dnsNames).toEqual([
            "go-demo-2.example.com",
            "go-demo-2-api.go-demo-2-prod.svc.cluster.local",
            "go-demo-2-api.go-demo-2-prod.svc",
        ]);
        // The private source ranges go with an internal load balancer, whichever cloud reads it.
        const apiService = ofType("kubernetes:core/v1:Service").find((r) => r.inputs.metadata.name === names.api)!;
        expect(apiService.inputs.metadata.annotations).toMatchObject({
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "networking.gke.io/load-balancer-type": "Internal",
        });
        const db = replicaSetSpecs()["go-demo-2-db"];
        expect(db.template.spec.containers[0]).not.toHaveProperty("command");
        const [claim] = ofType("kubernetes:core/v1:PersistentVolumeClaim");
        expect(claim).toMatchObject({ protect: true, inputs: { spec: { resources: { requests: { storage: "10Gi" } } } } });
    });
});

describe("prod stack with certManager: install", () => {
    it("installs the pinned cert-manager chart, reads no CRDs, and creates the same objects", async () => {
        await run(parseConfig({ ...stackFileConfig("prod"), certManager: "install" }, "prod"));
        expect(ofType("kubernetes-cert-manager:index:CertManager").map((r) => r.inputs.helmOptions.version)).toEqual([
            CERT_MANAGER_CHART_VERSION,
        ]);
        expect(recorded.filter((r) => r.readId !== undefined)).toEqual([]);
        expect(objects()).toEqual(expectedObjects("prod", "go-demo-2-prod"));
    });
});

describe("prod stack, rendered to YAML", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}));

    it("reads no CRDs, so rendering needs no cluster, and still creates the Issuer and Certificate", async () => {
        pulumi.runtime.setAllConfig({ "kubernetes:renderYamlToDirectory": "/tmp/rendered" });
        await run(fromFile("prod"));
        expect(recorded.filter((r) => r.readId !== undefined)).toEqual([]);
        expect(objects()).toEqual(expectedObjects("prod", "go-demo-2-prod"));
    });
});

describe.each(STACKS)("%s stack invariants", (name) => {
    it("every Service but ExternalName selects Pods its ReplicaSet's template carries", async () => {
        await run(fromFile(name));
        const templates = ofType("kubernetes:apps/v1:ReplicaSet").map(
            (r) => r.inputs.spec.template.metadata.labels as Record<string, string>,
        );
        for (const [svc, spec] of Object.entries(servicesByName())) {
            if (spec.type === "ExternalName") {
                continue;
            }
            const matching = templates.filter((labels) =>
                Object.entries(spec.selector ?? {}).every(([k, v]) => labels[k] === v),
            );
            expect([svc, matching.length]).toEqual([svc, 1]);
        }
    });

    it("every object lives in the stack's namespace and carries the recommended labels", async () => {
        const config = fromFile(name);
        await run(config);
        for (const r of recorded.filter((r) => r.type.startsWith("kubernetes:core") || r.type.startsWith("kubernetes:apps"))) {
            if (r.type !== "kubernetes:core/v1:Namespace") {
                expect([r.name, r.inputs.metadata.namespace]).toEqual([r.name, config.namespace]);
            }
            expect(r.inputs.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "go-demo-2" });
        }
    });

    it("every object it creates but the claim forces its apply, so an edit made with kubectl is set back by the next up", async () => {
        await run(fromFile(name));
        const created = recorded.filter((r) => r.type.startsWith("kubernetes:") && r.readId === undefined);
        // Every kind the stack creates is checked, not only the ones the drift end-to-end test edits.
        expect(created.length).toBe(expectedObjects(name, fromFile(name).namespace).length);
        for (const r of created) {
            // A claim stays as it was deployed: the provider's wait on a claim's update never ends
            // on a WaitForFirstConsumer class (components/workload.ts).
            const expected = r.type === "kubernetes:core/v1:PersistentVolumeClaim" ? undefined : "true";
            expect([r.type, r.name, r.inputs.metadata.annotations?.[PATCH_FORCE_ANNOTATION]]).toEqual([r.type, r.name, expected]);
        }
    });

    it("with monitoring, the metrics Service and the ServiceMonitor force their apply too", async () => {
        await run(parseConfig({ ...stackFileConfig(name), monitoring: "serviceMonitor" }, name));
        const monitoring = recorded.filter(
            (r) => r.readId === undefined && (r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" || r.inputs.metadata?.name === names.apiMetrics),
        );
        expect(monitoring.map((r) => r.type).sort()).toEqual(["kubernetes:core/v1:Service", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"]);
        for (const r of monitoring) {
            expect([r.type, r.inputs.metadata.annotations?.[PATCH_FORCE_ANNOTATION]]).toEqual([r.type, "true"]);
        }
    });

    it("outputs every Service's cluster IP, node ports and DNS name", async () => {
        const { stack, outputs } = await run(fromFile(name));
        const services = servicesByName();
        const withClusterIP = Object.keys(services).filter((s) => services[s].type !== "ExternalName");
        const withNodePorts = Object.keys(services).filter((s) => ["NodePort", "LoadBalancer"].includes(services[s].type));
        expect(Object.keys(outputs.clusterIPs).sort()).toEqual(withClusterIP.sort());
        Object.values(outputs.clusterIPs).forEach((ip) => expect(ip).toMatch(/^10\.96\.0\.\d+$/));
        expect(Object.keys(outputs.nodePorts).sort()).toEqual(withNodePorts.sort());
        Object.values(outputs.nodePorts).forEach((p) => expect(typeof p).toBe("number"));
        expect(Object.keys(outputs.dnsNames).sort()).toEqual(Object.keys(services).sort());
        expect(outputs.dnsNames[names.db]).toBe(`go-demo-2-db.${outputs.namespace}.svc.cluster.local`);
        expect(outputs.externalName).toBe("kubernetes.io");
        expect(outputs.loadBalancerIngress).toBe(MOCK_LB_IP);
        expect(Object.keys(stack.services).sort()).toEqual(Object.keys(services).sort());
    });
});

describe("Services", () => {
    it.each(["dev", "lab"])("in %s, each selecting Service is created after the workload it selects is Ready", async (name) => {
        const { stack } = await run(fromFile(name));
        const workloadURNs = [await unwrap(stack.db.replicaSet.urn), await unwrap(stack.api.replicaSet.urn)];
        for (const svc of ofType("kubernetes:core/v1:Service").filter((r) => r.inputs.spec.type !== "ExternalName")) {
            const selects = ofType("kubernetes:apps/v1:ReplicaSet").filter((rs) =>
                Object.entries(svc.inputs.spec.selector).every(([k, v]) => rs.inputs.spec.template.metadata.labels[k] === v),
            );
            expect(selects).toHaveLength(1);
            const urn = workloadURNs.find((u) => u.endsWith(`::${selects[0].name}`));
            expect([svc.name, svc.dependencies]).toEqual([svc.name, expect.arrayContaining([urn])]);
            expect(svc.inputs.metadata.annotations["pulumi.com/waitFor"]).toMatch(/^(jsonpath=|\["jsonpath=)/);
        }
    });
});

describe("the API and its MongoDB", () => {
    it("creates the API's ReplicaSet only after go-demo-2-db exists, which waits for MongoDB to be Ready", async () => {
        const { stack } = await run(fromFile("dev"));
        const dbService = ofType("kubernetes:core/v1:Service").find((r) => r.inputs.metadata.name === names.db)!;
        const dbServiceURN = await unwrap(stack.services[names.db].service.urn);
        // The component's dependency holds back its children: they register under its URN, which
        // resolves only once the engine has finished the Service (as the e2e tests watch).
        const [apiComponent] = ofType("go-demo-2:index:GoDemo2Api");
        expect(apiComponent.dependencies).toContain(dbServiceURN);
        expect(dbService.dependencies).toContain(await unwrap(stack.db.replicaSet.urn));
    });

    it.each(["dev", "prod"])("in %s, the API's Pod template names the MongoDB release it talks to", async (name) => {
        const { stack } = await run(fromFile(name));
        expect(replicaSetSpecs()[names.api].template.metadata.annotations).toEqual({ [DB_RELEASE_ANNOTATION]: stack.db.templateHash });
    });

    it("a MongoDB release is an API release too; an API release leaves MongoDB alone", async () => {
        const hashes = async (raw: Record<string, string>) => {
            resetRecorded();
            const { stack } = await run(parseConfig({ ...stackFileConfig("dev"), ...raw }, "dev"));
            return { db: stack.db.templateHash, api: stack.api.templateHash };
        };
        const before = await hashes({});
        const newDb = await hashes({ dbImage: "mongo:3.4" });
        expect(newDb.db).not.toBe(before.db);
        expect(newDb.api).not.toBe(before.api);
        const newApi = await hashes({ apiImage: "vfarcic/go-demo-2:2.0" });
        expect(newApi.api).not.toBe(before.api);
        expect(newApi.db).toBe(before.db);
    });

    it.each([
        ["dev", names.db],
        ["lab", names.combined],
    ])("in %s, sizes WiredTiger's cache from dbMemoryLimit", async (name, replicaSet) => {
        await run(parseConfig({ ...stackFileConfig(name), dbMemoryLimit: "2Gi" }, name));
        const db = replicaSetSpecs()[replicaSet].template.spec.containers.find((c: { name: string }) => c.name === "db");
        expect(db.args.slice(-2)).toEqual(["--wiredTigerCacheSizeGB", "0.5"]);
        expect(db.resources.limits.memory).toBe("2Gi");
    });
});

describe("destroy guard", () => {
    it("depends on every other Kubernetes object of the stack, so destroy reaches it first", async () => {
        await run(fromFile("prod"));
        const [guard] = ofType("kubernetes:core/v1:ConfigMap");
        expect(guard).toMatchObject({ protect: true, inputs: { metadata: { name: names.destroyGuard, annotations: { [PROTECTED_ANNOTATION]: "true" } } } });
        // Objects the stack owns (not those it only reads, such as cert-manager's CRDs).
        const others = recorded.filter((r) => r.custom && r !== guard && r.type.startsWith("kubernetes:") && r.readId === undefined);
        const urnOf = (r: { type: string; name: string }) => guard.dependencies.find((u) => u.endsWith(`${r.type}::${r.name}`));
        expect(others.filter((r) => urnOf(r) === undefined).map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });

    it("follows dbStorageProtected, so turning protection off is an update of the guard alone", async () => {
        await run(fromFile("dev"));
        const [guard] = ofType("kubernetes:core/v1:ConfigMap");
        expect(guard).toMatchObject({ protect: false, inputs: { metadata: { annotations: { [PROTECTED_ANNOTATION]: "false" } }, data: { guards: "PersistentVolumeClaim go-demo-2-db-data" } } });
    });

    it("does not exist without a claim", async () => {
        await run(fromFile("lab"));
        expect(ofType("kubernetes:core/v1:ConfigMap")).toEqual([]);
    });
});

describe("config variations", () => {
    it("gives the API a ClusterIP Service when loadBalancer is false", async () => {
        const { outputs } = await run(parseConfig({ loadBalancer: "false" }, "dev"));
        expect(servicesByName()["go-demo-2-api"].type).toBe("ClusterIP");
        expect(outputs.loadBalancerIngress).toBeUndefined();
        expect(Object.keys(outputs.nodePorts)).toEqual(["go-demo-2-svc"]);
    });

    it("ends every DNS name and the certificate's in-cluster names with clusterDomain", async () => {
        const { outputs } = await run(
            parseConfig({ clusterDomain: "k8s.example.internal", tls: "true", externalName: "kubernetes.io." }, "dev"),
        );
        Object.entries(outputs.dnsNames).forEach(([service, dns]) =>
            expect(dns).toBe(`${service}.go-demo-2-dev.svc.k8s.example.internal`),
        );
        const certificate = ofType("kubernetes:cert-manager.io/v1:Certificate")[0].inputs;
        expect(certificate.spec.dnsNames).toContain("go-demo-2-api.go-demo-2-dev.svc.k8s.example.internal");
        expect(certificate.spec.dnsNames.join(" ")).not.toContain("cluster.local");
        // The fully qualified external name reaches the Service as written.
        expect(outputs.externalName).toBe("kubernetes.io.");
    });

    it.each([
        ["dev", 0],
        ["lab", 0],
        ["prod", 300],
    ])("%s: the API load balancer's wait follows loadBalancerWaitSeconds", async (name, addressWaitSeconds) => {
        await run(fromFile(name));
        const all = ofType("kubernetes:core/v1:Service").find((r) => r.inputs.metadata.name === names.api)?.inputs.metadata.annotations;
        // What the engine waits for; prod's internal-LB annotations are checked with prod.
        const waits = serviceWaitFor({ type: "LoadBalancer", addressWaitSeconds }, all[REVISION_ANNOTATION]);
        expect(Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith("pulumi.com/") || key === REVISION_ANNOTATION))).toEqual(forcedApply(waits));
    });

    it("on a cluster without a load-balancer controller, dev's loadBalancerIngress is null and the API Service warns", async () => {
        mockLoadBalancerController(false);
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
        try {
            const { stack, outputs } = await run(fromFile("dev"));
            expect(outputs.loadBalancerIngress).toBeNull();
            await new Promise((resolve) => setImmediate(resolve));
            expect(warn.mock.calls).toEqual([[expect.stringContaining("go-demo-2-api had no load-balancer address"), stack.services[names.api].service]]);
        } finally {
            mockLoadBalancerController(true);
            warn.mockRestore();
        }
    });

    it("fixes go-demo-2-svc's node port when nodePort is set", async () => {
        const { outputs } = await run(parseConfig({ nodePort: "30001" }, "dev"));
        expect(outputs.nodePorts["go-demo-2-svc"]).toBe(30001);
    });

    it("has no go-demo-2-svc and no nodePorts entry without the DB's HTTP interface", async () => {
        await run(parseConfig({ dbHttpInterface: "false", dbImage: "mongo:4.4" }, "dev"));
        expect(servicesByName()).not.toHaveProperty("go-demo-2-svc");
    });

    it("passes rolloutTimeoutSeconds to every workload's wait", async () => {
        await run(parseConfig({ rolloutTimeoutSeconds: "45" }, "dev"));
        const timeouts = ofType("kubernetes:apps/v1:ReplicaSet").map((r) => r.inputs.metadata.annotations["pulumi.com/timeoutSeconds"]);
        expect(timeouts).toEqual(["45", "45"]);
    });

    it("passes nodeLossTolerationSeconds to the API's tolerations and dbNodeLossTolerationSeconds to MongoDB's", async () => {
        const tolerations = (seconds: number) => [
            { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds },
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds },
        ];
        await run(parseConfig({ nodeLossTolerationSeconds: "12", dbNodeLossTolerationSeconds: "240" }, "dev"));
        expect(replicaSetSpecs()[names.api].template.spec.tolerations).toEqual(tolerations(12));
        expect(replicaSetSpecs()[names.db].template.spec.tolerations).toEqual(tolerations(240));
        resetRecorded();
        // By default MongoDB keeps Kubernetes' 300 s and the API leaves after 30 s.
        await run(fromFile("dev"));
        expect(replicaSetSpecs()[names.api].template.spec.tolerations).toEqual(tolerations(30));
        expect(replicaSetSpecs()[names.db].template.spec.tolerations).toEqual(tolerations(300));
        resetRecorded();
        // The lab's combined Pods (API beside each MongoDB, data in an emptyDir) follow the API's.
        await run(parseConfig({ ...stackFileConfig("lab"), nodeLossTolerationSeconds: "12" }, "lab"));
        expect(replicaSetSpecs()[names.combined].template.spec.tolerations).toEqual(tolerations(12));
    });

    it("follows replicas to the API ReplicaSet only", async () => {
        await run(parseConfig({ replicas: "7" }, "dev"));
        const replicas = Object.entries(replicaSetSpecs()).map(([name, spec]) => [name, spec.replicas]);
        expect(replicas.sort()).toEqual([
            ["go-demo-2-api", 7],
            ["go-demo-2-db", 1],
        ]);
    });
});

describe("placement (nodeSelector, tolerateTaints): a stack on the local cluster's real node", () => {
    it("puts the selector and the tolerations on every ReplicaSet's Pods, and nothing when unset", async () => {
        await run(fromFile("dev"));
        for (const spec of Object.values(replicaSetSpecs())) {
            expect(spec.template.spec.nodeSelector).toBeUndefined();
            expect(spec.template.spec.tolerations.map((t: { key: string }) => t.key)).not.toContain("go-demo-2.local/real-node");
        }
        resetRecorded();
        await run({ ...fromFile("dev"), nodeSelector: { "go-demo-2.local/real-node": "true" }, tolerateTaints: ["go-demo-2.local/real-node"] });
        const specs = Object.values(replicaSetSpecs());
        expect(specs.length).toBe(2);
        for (const spec of specs) {
            expect(spec.template.spec.nodeSelector).toEqual({ "go-demo-2.local/real-node": "true" });
            expect(spec.template.spec.tolerations).toContainEqual({ key: "go-demo-2.local/real-node", operator: "Exists", effect: "NoSchedule" });
        }
    });
});
