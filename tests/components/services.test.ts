import * as pulumi from "@pulumi/pulumi";

import {
    ClusterIPService,
    createdSince,
    ExternalNameService,
    LoadBalancerService,
    LoadBalancerServiceArgs,
    noAddressWarning,
    NodePortService,
    serviceAliases,
} from "../../components/services";
import { forcedApply } from "../../components/forcedApply";
import { typeToken } from "../../components/package";
import { REVISION_ANNOTATION, SERVICE_TYPES, serviceWaitFor } from "../../components/serviceSpec";
import {
    assignedTo,
    installMocks,
    mockAddressGivenSince,
    mockLoadBalancerController,
    mockServiceCreationTimestamp,
    recorded,
    registered,
    registeredOfType,
    resetRecorded,
    unwrap,
} from "../support/mocks";

installMocks();
beforeEach(resetRecorded);

const selector = { type: "db", service: "go-demo-2" };
const base = { namespace: "ns", selector, ports: [{ name: "mongodb", port: 27017 }] };

describe.each([
    ["ClusterIP", ClusterIPService],
    ["NodePort", NodePortService],
    ["LoadBalancer", LoadBalancerService],
] as const)("%sService", (type, Component) => {
    it("registers one Service of its type under the component's type token", async () => {
        const svc = new Component("db", { ...base, serviceName: "go-demo-2-db" });
        await registered(svc.service);
        expect(recorded.map((r) => r.type)).toEqual([typeToken(`${type}Service`), "kubernetes:core/v1:Service"]);
        const [, service] = recorded;
        expect(service.name).toBe("db-service");
        expect(service.inputs.metadata).toMatchObject({ name: "go-demo-2-db", namespace: "ns" });
        expect(service.inputs.spec).toMatchObject({ type, selector });
        // parent: this — the child's URN nests under the component's type.
        expect(await unwrap(svc.service.urn)).toContain(`${typeToken(`${type}Service`)}$kubernetes:core/v1:Service::db-service`);
    });

    it("outputs the cluster IP the apiserver allocated and the in-cluster DNS name", async () => {
        // Two Services, so an output wired to the other's address (or a constant) fails.
        const other = new Component("other", base);
        const svc = new Component("go-demo-2-db", base);
        await registered(other.service, svc.service);
        const clusterIP = await unwrap(svc.clusterIP);
        expect(clusterIP).toBe(assignedTo("go-demo-2-db").clusterIP);
        expect(clusterIP).not.toBe(assignedTo("other").clusterIP);
        expect(await unwrap(svc.dnsName)).toBe("go-demo-2-db.ns.svc.cluster.local");
        expect(await unwrap(svc.serviceName)).toBe("go-demo-2-db");
    });
});

describe.each([
    ["NodePort", NodePortService],
    ["LoadBalancer", LoadBalancerService],
] as const)("%sService node ports", (_, Component) => {
    it("outputs the allocated node port by port name", async () => {
        const other = new Component("other", base);
        const svc = new Component("svc", base);
        await registered(other.service, svc.service);
        const ports = await unwrap(svc.nodePorts);
        expect(ports).toEqual(assignedTo("svc").nodePorts);
        expect(Object.keys(ports)).toEqual(["mongodb"]);
        expect(ports.mongodb).not.toBe(assignedTo("other").nodePorts.mongodb);
    });

    it("keeps a fixed node port", async () => {
        const svc = new Component("svc", { ...base, ports: [{ name: "http", port: 28017, nodePort: 30001 }] });
        expect(await unwrap(svc.nodePorts)).toEqual({ http: 30001 });
    });
});

describe("Service metadata", () => {
    it("carries the given annotations, never in place of the stack's own wait", async () => {
        const svc = new LoadBalancerService("api", {
            ...base,
            annotations: { "networking.gke.io/load-balancer-type": "Internal", "pulumi.com/waitFor": "jsonpath={.spec}" },
        });
        await registered(svc.service);
        const annotations = recorded[1].inputs.metadata.annotations;
        expect(annotations["networking.gke.io/load-balancer-type"]).toBe("Internal");
        expect(annotations["pulumi.com/waitFor"]).toBe(serviceWaitFor({ type: "LoadBalancer" }, annotations[REVISION_ANNOTATION])["pulumi.com/waitFor"]);
    });

    it("ends the DNS name with the cluster's domain", async () => {
        const svc = new ClusterIPService("go-demo-2-db", { ...base, clusterDomain: "k8s.example.internal" });
        expect(await unwrap(svc.dnsName)).toBe("go-demo-2-db.ns.svc.k8s.example.internal");
    });
});

describe("the Service's revision, which up waits to see on the object it records", () => {
    const revisionOf = async (svc: LoadBalancerService) => {
        await registered(svc.service);
        const annotations = recorded[recorded.length - 1].inputs.metadata.annotations;
        // The wait names the revision the object carries.
        expect(annotations["pulumi.com/waitFor"]).toContain(`']}=${annotations[REVISION_ANNOTATION]}"`);
        resetRecorded();
        return annotations[REVISION_ANNOTATION] as string;
    };
    const args = { ...base, ports: [{ name: "http", port: 8080, nodePort: 30080 }] };

    it("is the same for the same Service, in any order of its args", async () => {
        const { ports, ...rest } = args;
        expect(await revisionOf(new LoadBalancerService("api", args))).toBe(await revisionOf(new LoadBalancerService("api", { ports, ...rest })));
    });

    it.each<[string, Partial<LoadBalancerServiceArgs>]>([
        ["its node port", { ports: [{ name: "http", port: 8080, nodePort: 30081 }] }],
        ["its target port", { ports: [{ name: "http", port: 8080, nodePort: 30080, targetPort: 9090 }] }],
        ["its selector", { selector: { ...selector, release: "b" } }],
        ["its labels", { labels: { team: "a" } }],
        ["its annotations", { annotations: { "example.com/lb": "internal" } }],
        ["its source ranges", { loadBalancerSourceRanges: ["10.0.0.0/8"] }],
        ["how long up waits for its address", { addressWaitSeconds: 60 }],
        ["its name", { serviceName: "other" }],
    ])("changes with %s", async (_, change) => {
        expect(await revisionOf(new LoadBalancerService("api", { ...args, ...change }))).not.toBe(
            await revisionOf(new LoadBalancerService("api", args)),
        );
    });
});

describe("LoadBalancerService", () => {
    it("outputs the load balancer's ingress address and passes source ranges", async () => {
        const other = new LoadBalancerService("other", base);
        await registered(other.service);
        const svc = new LoadBalancerService("api", { ...base, loadBalancerSourceRanges: ["10.0.0.0/8"] });
        await registered(svc.service);
        const ingress = await unwrap(svc.ingress);
        expect(ingress).toBe(assignedTo("api").ingress);
        expect(ingress).not.toBe(assignedTo("other").ingress);
        await registered(svc.service);
        expect(recorded[3].inputs.spec.loadBalancerSourceRanges).toEqual(["10.0.0.0/8"]);
    });
});

describe("LoadBalancerService on a cluster without a load-balancer controller", () => {
    let warnings: [string, pulumi.Resource | undefined][];
    beforeEach(() => {
        mockLoadBalancerController(false);
        warnings = [];
        jest.spyOn(pulumi.log, "warn").mockImplementation(async (message, resource) => {
            warnings.push([message, resource]);
        });
    });
    afterEach(() => {
        mockLoadBalancerController(true);
        jest.restoreAllMocks();
    });

    it("with addressWaitSeconds 0, waits for the cluster IP only and warns on the Service what is missing", async () => {
        const svc = new LoadBalancerService("api", { ...base, serviceName: "go-demo-2-api", addressWaitSeconds: 0 });
        expect(await unwrap(svc.ingress)).toBeUndefined();
        await registered(svc.service);
        const annotations = recorded[1].inputs.metadata.annotations;
        expect(annotations).toEqual(forcedApply(serviceWaitFor({ type: "ClusterIP" }, annotations[REVISION_ANNOTATION])));
        // The warning follows the address on the next turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([[noAddressWarning("go-demo-2-api"), svc.service]]);
        expect(warnings[0][0]).toMatch(/go-demo-2-api has no load-balancer address.*cloud-provider-kind.*MetalLB.*minikube tunnel/s);
    });

    it("does not warn on a Service this update created: its address comes a moment later", async () => {
        mockServiceCreationTimestamp(new Date().toISOString());
        try {
            const svc = new LoadBalancerService("api", { ...base, serviceName: "go-demo-2-api", addressWaitSeconds: 0 });
            expect(await unwrap(svc.ingress)).toBeUndefined();
            await new Promise((resolve) => setImmediate(resolve));
            expect(warnings).toEqual([]);
        } finally {
            mockServiceCreationTimestamp(undefined);
        }
    });

    it("warns on a Service created before this update (older than the clock skew it allows)", async () => {
        mockServiceCreationTimestamp(new Date(Date.now() - 60_000).toISOString());
        try {
            const svc = new LoadBalancerService("api", { ...base, serviceName: "go-demo-2-api", addressWaitSeconds: 0 });
            await unwrap(svc.ingress);
            await new Promise((resolve) => setImmediate(resolve));
            expect(warnings).toEqual([[noAddressWarning("go-demo-2-api"), svc.service]]);
        } finally {
            mockServiceCreationTimestamp(undefined);
        }
    });

    it("outputs the address the controller gave after the update that created the Service, read from the live object, and does not warn", async () => {
        // Pulumi's state holds the Service as its update left it, without an address; the cluster has one now.
        mockServiceCreationTimestamp(new Date(Date.now() - 60_000).toISOString());
        mockAddressGivenSince(true);
        try {
            const svc = new LoadBalancerService("api", { ...base, serviceName: "go-demo-2-api", addressWaitSeconds: 0 });
            const address = await unwrap(svc.ingress);
            const [registration] = registeredOfType("kubernetes:core/v1:Service");
            expect(registration.state.status).toEqual({ loadBalancer: {} });
            expect(address).toBe(assignedTo("go-demo-2-api", { live: true }).ingress);
            expect(address).toBeDefined();
            await new Promise((resolve) => setImmediate(resolve));
            expect(warnings).toEqual([]);
        } finally {
            mockAddressGivenSince(undefined);
            mockServiceCreationTimestamp(undefined);
        }
    });

    it("does not warn once the cluster has given an address", async () => {
        mockLoadBalancerController(true);
        const svc = new LoadBalancerService("api", { ...base, addressWaitSeconds: 0 });
        await registered(svc.service);
        expect(await unwrap(svc.ingress)).toBe(assignedTo("api").ingress);
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([]);
    });

    it("by default waits for the address (the provider fails the Service without one) and does not warn", async () => {
        const svc = new LoadBalancerService("api", base);
        await registered(svc.service);
        await unwrap(svc.ingress);
        await new Promise((resolve) => setImmediate(resolve));
        const annotations = recorded[1].inputs.metadata.annotations;
        expect(annotations).toEqual(forcedApply(serviceWaitFor({ type: "LoadBalancer" }, annotations[REVISION_ANNOTATION])));
        expect(annotations["pulumi.com/waitFor"]).toContain("jsonpath={.status.loadBalancer.ingress}");
        expect(annotations["pulumi.com/timeoutSeconds"]).toBe("600");
        expect(warnings).toEqual([]);
    });
});

describe("ExternalNameService", () => {
    it("aliases the external name with no selector, ports or cluster IP", async () => {
        const svc = new ExternalNameService("ext", { namespace: "ns", externalName: "kubernetes.io" });
        expect(await unwrap(svc.externalName)).toBe("kubernetes.io");
        expect(await unwrap(svc.dnsName)).toBe("ext.ns.svc.cluster.local");
        await registered(svc.service);
        expect(recorded[0].type).toBe(typeToken("ExternalNameService"));
        expect(recorded[1].inputs.spec).toEqual({ type: "ExternalName", externalName: "kubernetes.io" });
        expect(svc).not.toHaveProperty("clusterIP");
    });
});

describe("invalid args", () => {
    it("throw naming every problem and register nothing", async () => {
        expect(
            () =>
                new NodePortService("bad", {
                    namespace: "ns",
                    selector: {},
                    ports: [{ name: "http", port: 80, nodePort: 80 }],
                }),
        ).toThrow(/NodePort Service "bad" is invalid:\n {2}- selector: .*\n {2}- ports\[0\]\.nodePort = 80/);
        // Give any stray registration a chance to reach the mock before asserting it never did.
        await new Promise((resolve) => setImmediate(resolve));
        expect(recorded).toEqual([]);
    });
});

describe("serviceAliases: one identity per Service name across types and token renames", () => {
    it.each(SERVICE_TYPES)("a %s Service aliases the other three types' tokens and all four former go-demo-2:services tokens", (type) => {
        const aliases = (serviceAliases(type, { aliases: ["urn:pulumi:dev::p::x::kept"] }).aliases ?? []).map((a) =>
            typeof a === "string" ? a : (a as { type: string }).type,
        );
        expect(aliases).toEqual([
            "urn:pulumi:dev::p::x::kept",
            ...SERVICE_TYPES.filter((t) => t !== type).map((t) => typeToken(`${t}Service`)),
            ...SERVICE_TYPES.map((t) => typeToken(`${t}Service`, "services")),
        ]);
    });
});

describe("createdSince", () => {
    const at = Date.parse("2026-01-01T12:00:00Z");
    it.each([
        ["2026-01-01T12:00:00Z", true],
        ["2026-01-01T12:00:30Z", true],
        // the API server's clock a little behind, and its second rounded down
        ["2026-01-01T11:59:56Z", true],
        ["2026-01-01T11:59:54Z", false],
        ["2025-12-31T12:00:00Z", false],
    ])("%s against a registration at 12:00:00: %s", (created, expected) => {
        expect(createdSince(created, at)).toBe(expected);
    });

    it("is false without a timestamp (a state written before it was read)", () => {
        expect(createdSince(undefined, at)).toBe(false);
    });
});
