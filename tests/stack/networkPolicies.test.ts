import { CLUSTER_DNS } from "../../components/networkPolicy";
import { parseConfig } from "../../config";
import { names } from "../../stack";
import { SMOKE_SELECTOR } from "../../stack/networkPolicies";
import { smokeLabels } from "../../tools/smoke/smokeJob";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { allowed, Endpoint } from "../support/networkPolicyEval";
import { installMocks, ofType, registeredStack, resetRecorded, unwrap } from "../support/mocks";

installMocks();
beforeEach(resetRecorded);

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const DNS: Endpoint = { namespace: CLUSTER_DNS.namespace, labels: { ...CLUSTER_DNS.pods, "pod-template-hash": "x" } };
/** The cloud metadata endpoint, and the Kubernetes API: its Service's cluster IP, and the host-network address kube-proxy rewrites it to. */
const METADATA: Endpoint = { ip: "169.254.169.254" };
const KUBERNETES_SERVICE: Endpoint = { ip: "10.96.0.1" };
const APISERVER: Endpoint = { ip: "172.18.0.2" };

/** The stack's policies and its Pods (by the ReplicaSets' templates), as a node would see them. */
async function deployed(stackName: string) {
    const stack = await registeredStack(parseConfig(stackFileConfig(stackName), stackName));
    const namespace = await unwrap(stack.namespace);
    const policies = ofType(POLICY).map((r) => r.inputs);
    const pod = (prefix: string): Endpoint => ({
        namespace,
        labels: ofType("kubernetes:apps/v1:ReplicaSet").find((r) => r.inputs.metadata.name.startsWith(prefix))!.inputs.spec.template.metadata.labels,
    });
    const split = stackName !== "lab";
    return {
        policies,
        api: split ? pod(names.api) : pod(names.combined),
        db: split ? pod(names.db) : pod(names.combined),
        smoke: { namespace, labels: smokeLabels(`${names.smoke}-x`) } as Endpoint,
        other: { namespace, labels: { app: "other" } } as Endpoint,
        split,
    };
}

describe.each(["lab", "dev", "prod"])("%s: egress", (stackName) => {
    it("denies egress by default to every Pod of the namespace, and only after the allows exist", async () => {
        const { policies, other } = await deployed(stackName);
        const deny = policies.find((p) => p.metadata.name === names.defaultDeny)!;
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        for (const to of [DNS, METADATA, KUBERNETES_SERVICE]) {
            expect(allowed(policies, { from: other, to, port: 53, protocol: "UDP" })).toBe(false);
        }
        const dependsOn = ofType(POLICY)
            .find((r) => r.name === names.defaultDeny)!
            .dependencies.filter((urn) => urn.includes("NetworkPolicy::"))
            .map((urn) => urn.split("::").pop());
        expect(new Set(dependsOn)).toEqual(new Set(policies.filter((p) => p.metadata.name !== names.defaultDeny).map((p) => p.metadata.name)));
    });

    it("lets the API resolve names and reach MongoDB's 27017 (split), and nothing else", async () => {
        const { policies, api, db, split } = await deployed(stackName);
        // The combined Pod's API calls MongoDB over the Pod's loopback, which no policy governs.
        expect(allowed(policies, { from: api, to: DNS, port: 53, protocol: "UDP" })).toBe(split);
        expect(allowed(policies, { from: api, to: DNS, port: 53, protocol: "TCP" })).toBe(split);
        expect(allowed(policies, { from: api, to: db, port: 27017 })).toBe(split);
        expect(allowed(policies, { from: api, to: db, port: 28017 })).toBe(false);
        expect(allowed(policies, { from: api, to: METADATA, port: 80 })).toBe(false);
        expect(allowed(policies, { from: api, to: KUBERNETES_SERVICE, port: 443 })).toBe(false);
        expect(allowed(policies, { from: api, to: APISERVER, port: 6443 })).toBe(false);
        expect(allowed(policies, { from: api, to: { ...DNS, labels: { "k8s-app": "other" } }, port: 53, protocol: "UDP" })).toBe(false);
    });

    it("lets MongoDB open no connection at all", async () => {
        const { policies, api, db, smoke } = await deployed(stackName);
        for (const [to, port] of [[DNS, 53], [api, 8080], [smoke, 80], [METADATA, 80], [KUBERNETES_SERVICE, 443], [APISERVER, 6443]] as const) {
            expect({ to, port, allowed: allowed(policies, { from: db, to, port, protocol: port === 53 ? "UDP" : "TCP" }) }).toEqual({ to, port, allowed: false });
        }
    });

    it("lets the smoke Job reach DNS and the Pod ports it checks, and not MongoDB's wire port or the outside", async () => {
        const { policies, api, db, smoke } = await deployed(stackName);
        expect(Object.entries(SMOKE_SELECTOR).every(([k, v]) => (smoke as { labels: Record<string, string> }).labels[k] === v)).toBe(true);
        expect(allowed(policies, { from: smoke, to: DNS, port: 53, protocol: "UDP" })).toBe(true);
        expect(allowed(policies, { from: smoke, to: api, port: stackName === "prod" ? 8443 : 8080 })).toBe(true);
        expect(allowed(policies, { from: smoke, to: db, port: 28017 })).toBe(stackName !== "prod");
        expect(allowed(policies, { from: smoke, to: db, port: 27017 })).toBe(false);
        expect(allowed(policies, { from: smoke, to: METADATA, port: 80 })).toBe(false);
        expect(allowed(policies, { from: smoke, to: KUBERNETES_SERVICE, port: 443 })).toBe(false);
    });
});

describe("the evaluator", () => {
    it("opens a Pod no policy selects, and checks both ends", () => {
        const pod = (app: string): Endpoint => ({ namespace: "n", labels: { app } });
        expect(allowed([], { from: pod("a"), to: METADATA, port: 80 })).toBe(true);
        const denyEgress = { metadata: { namespace: "n" }, spec: { podSelector: {}, policyTypes: ["Egress"] } };
        const ingressOnly = { metadata: { namespace: "n" }, spec: { podSelector: { matchLabels: { app: "b" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 1 }] }] } };
        const egressA = { metadata: { namespace: "n" }, spec: { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "b" } } }] }] } };
        expect(allowed([denyEgress], { from: pod("a"), to: pod("b"), port: 1 })).toBe(false);
        expect(allowed([denyEgress, egressA], { from: pod("a"), to: pod("b"), port: 1 })).toBe(true);
        expect(allowed([denyEgress, egressA, ingressOnly], { from: pod("a"), to: pod("b"), port: 2 })).toBe(false);
        expect(allowed([denyEgress, egressA], { from: pod("a"), to: { namespace: "m", labels: { app: "b" } }, port: 1 })).toBe(false);
    });
});
