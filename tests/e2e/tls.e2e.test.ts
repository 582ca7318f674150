/**
 * The prod stack, TLS on, on a real control plane with the real engine and the real cert-manager
 * controller the local cluster runs (scripts/cluster/cert-manager.sh): `npm run test:e2e`.
 * The steps build on each other, so they run in order.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import { X509Certificate } from "crypto";
import * as path from "path";

import { CERT_MANAGER_CRDS } from "../../stack/certManager";
import { TLS_PORT } from "../../components/tls";
import { selectors } from "../../components/labels";
import { DEFAULT_CLUSTER_DOMAIN, serviceDnsName } from "../../components/services";
import { PROTECTED_ANNOTATION } from "../../stack/destroyGuard";
import { names } from "../../stack";
import { parseConfig } from "../../config";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { expectedObjects, withoutTemplateHash } from "../support/expected";
import { CHANGES, steps } from "../../tools/review/review";
import { root } from "../../tools/project/root";
import { endpointPorts, eventually, exists, kubectl, kubectlJson, labelSelector, liveObjects, pods } from "./kube";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";
import { expectApiStartedAfterDb, watchStartOrder } from "./watch";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

const stackName = "prod";
const namespace = "e2e-go-demo-2-prod";
/** What Pulumi.prod.yaml asks the certificate to name: its tlsHostname, then the in-cluster names. */
const dnsNames = [
    "go-demo-2.example.com",
    serviceDnsName(names.api, namespace, DEFAULT_CLUSTER_DOMAIN),
    serviceDnsName(names.api, namespace),
];

/** The resources through which the stack reads the cert-manager CRDs it requires. */
const requiredCrdReads = CERT_MANAGER_CRDS.map((crd) => `cert-manager-requires-${crd}`).sort();

interface Condition {
    type: string;
    status: string;
    lastTransitionTime: string;
}
const ready = (obj: { status?: { conditions?: Condition[] } }) =>
    (obj.status?.conditions ?? []).find((c) => c.type === "Ready" && c.status === "True");

/** The certificate cert-manager wrote into the API's Secret. */
function servedCertificate(): { secret: { type: string; metadata: { uid: string } }; cert: X509Certificate } {
    const secret = kubectlJson("get", "secret", names.apiTls, "-n", namespace);
    return { secret, cert: new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64")) };
}

/** The DNS names of a certificate's subjectAltName, e.g. `DNS:a, DNS:b` → [a, b]. */
const sans = (cert: X509Certificate) => (cert.subjectAltName ?? "").split(", ").map((s) => s.replace(/^DNS:/, ""));

/** Name, uid and generation of every cert-manager CRD: what "the cluster's cert-manager is untouched" compares. */
const certManagerCrds = (): string[] =>
    kubectl("get", "crd", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,UID:.metadata.uid,GENERATION:.metadata.generation")
        .trim()
        .split("\n")
        .filter((line) => /^\S+\.cert-manager\.io\s/.test(line))
        .map((line) => line.split(/\s+/).join(" "))
        .sort();

describe("the prod stack with TLS, on a real cluster with a real cert-manager", () => {
    let stack: Stack;
    let crdsBefore: string[];
    /** The engine's events during `up`, in the order it sent them. */
    const upEvents: EngineEvent[] = [];

    beforeAll(async () => {
        crdsBefore = certManagerCrds();
        stack = await testStack(stackName, namespace);
    });

    afterAll(() => destroyTestStack(stack));

    it("the cluster runs cert-manager (the stack's certManager: existing requires it)", () => {
        expect(crdsBefore.map((c) => c.split(" ")[0])).toEqual(
            expect.arrayContaining(["certificates.cert-manager.io", "issuers.cert-manager.io"]),
        );
    });

    it("previews reading cert-manager's CRDs and creating exactly the stack's objects", async () => {
        const events: EngineEvent[] = [];
        await timed("prod: preview (empty)", () => stack.preview({ onEvent: (e) => events.push(e), color: "never" }));
        expect(steps(events, CHANGES).map(withoutTemplateHash)).toEqual(expectedObjects("prod", namespace).map((o) => `create ${o}`));
        const reads = events.flatMap((e) => (e.resourcePreEvent?.metadata.op === "read" ? [e.resourcePreEvent.metadata.urn] : []));
        expect(reads.map((urn) => urn.split("::").pop()).sort()).toEqual(requiredCrdReads);
    });

    it("up: cert-manager makes the Issuer and the Certificate Ready and writes a valid certificate for exactly the configured names", async () => {
        const order = watchStartOrder(namespace, selectors, names.db);
        await timed("prod: up (empty → Certificate and all Pods Ready)", () =>
            stack.up({ onEvent: (e) => upEvents.push(e), color: "never" }),
        );
        // The API started only once go-demo-2-db existed and MongoDB behind it was Ready.
        expectApiStartedAfterDb("prod", await order.stop(), 3);

        expect(ready(kubectlJson("get", "issuer", `${names.apiTls}-selfsigned`, "-n", namespace))).toBeDefined();
        expect(ready(kubectlJson("get", "certificate", names.apiTls, "-n", namespace))).toBeDefined();

        const { secret, cert } = servedCertificate();
        expect(secret.type).toBe("kubernetes.io/tls");
        const now = Date.now();
        expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now);
        expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now);
        expect(sans(cert)).toEqual(dnsNames);
        // Self-signed: the certificate verifies with its own key.
        expect(cert.verify(cert.publicKey)).toBe(true);
    });

    it("the API Pods mount the Secret, start only after the Certificate was Ready, and are Ready", () => {
        // Found by the API's selector, not by name: a ReplicaSet's name may carry more than names.api.
        const replicaSets = kubectlJson("get", "replicasets", "-n", namespace, "-l", labelSelector(selectors.api)).items;
        expect(replicaSets).toHaveLength(1);
        const rs = replicaSets[0];
        expect(rs.status.readyReplicas).toBe(3);
        expect(rs.spec.template.spec.volumes).toEqual([{ name: "tls", secret: { secretName: names.apiTls, defaultMode: 420 } }]);
        const sidecar = rs.spec.template.spec.containers.find((c: { name: string }) => c.name === "tls");
        expect(sidecar.volumeMounts).toEqual([{ name: "tls", mountPath: "/tls", readOnly: true }]);

        // The engine started creating the ReplicaSet only after the Certificate was done, i.e. Ready.
        const at = (what: (e: EngineEvent) => boolean) => upEvents.findIndex(what);
        const certificateDone = at((e) => e.resOutputsEvent?.metadata.type === "kubernetes:cert-manager.io/v1:Certificate");
        const replicaSetStarted = at(
            (e) =>
                e.resourcePreEvent?.metadata.type === "kubernetes:apps/v1:ReplicaSet" &&
                e.resourcePreEvent.metadata.new?.inputs?.metadata?.name === rs.metadata.name,
        );
        expect(certificateDone).toBeGreaterThanOrEqual(0);
        expect(replicaSetStarted).toBeGreaterThan(certificateDone);

        const apiPods = pods(namespace, rs.spec.selector.matchLabels);
        expect(apiPods.map((p) => p.ready)).toEqual([true, true, true]);
    });

    it("the load balancer serves 443 and sends it to the TLS sidecar's port on every API Pod", () => {
        const svc = kubectlJson("get", "service", names.api, "-n", namespace);
        expect(svc.spec.type).toBe("LoadBalancer");
        expect(svc.spec.ports).toEqual([expect.objectContaining({ name: "https", port: 443, targetPort: TLS_PORT })]);
        expect(svc.status.loadBalancer.ingress?.[0]?.ip).toBeTruthy();
        // prod's private source ranges go with an internal load balancer: every cloud's annotation is on the live object.
        expect(svc.metadata.annotations).toMatchObject(parseConfig(stackFileConfig("prod"), "prod").loadBalancerAnnotations);
        const podIPs = pods(namespace, svc.spec.selector)
            .filter((p) => p.ready)
            .map((p) => p.ip)
            .sort();
        expect(endpointPorts(namespace, names.api)).toEqual(podIPs.map((ip) => `${ip}:${TLS_PORT}/https`));
    });

    it("a deleted Secret is re-issued by cert-manager (new serial); refresh and preview find no drift in what the stack owns", async () => {
        const before = servedCertificate();
        kubectl("delete", "secret", names.apiTls, "-n", namespace);

        const after = await timed("prod: Secret re-issued by cert-manager", () =>
            eventually(() => {
                const now = servedCertificate();
                expect(now.secret.metadata.uid).not.toBe(before.secret.metadata.uid);
                expect(ready(kubectlJson("get", "certificate", names.apiTls, "-n", namespace))).toBeDefined();
                return now;
            }),
        );
        expect(after.cert.serialNumber).not.toBe(before.cert.serialNumber);
        expect(sans(after.cert)).toEqual(dnsNames);
        process.stdout.write(`prod: certificate serial ${before.cert.serialNumber} → ${after.cert.serialNumber}\n`);

        // The Secret is cert-manager's, not the stack's: losing it is no drift of the stack's. Refresh
        // may only re-read the cert-manager CRDs the stack reads (their live objects are the
        // cluster's); every object the stack owns must come back the same.
        const refreshEvents: EngineEvent[] = [];
        await timed("prod: refresh", () => stack.refresh({ onEvent: (e) => refreshEvents.push(e), color: "never" }));
        const changed = refreshEvents.flatMap((e) =>
            e.resOutputsEvent && e.resOutputsEvent.metadata.op !== "same" ? [e.resOutputsEvent.metadata.urn.split("::").pop()] : [],
        );
        const refreshedObjects = refreshEvents.filter((e) => e.resOutputsEvent?.metadata.type.startsWith("kubernetes:"));
        expect(refreshedObjects.length).toBeGreaterThan(CERT_MANAGER_CRDS.length);
        expect(changed.filter((name) => !requiredCrdReads.includes(name!))).toEqual([]);
        await timed("prod: preview after refresh (no-op)", () => stack.preview({ expectNoChanges: true, color: "never" }));
    });

    it("guardAddresses: a change that would move the API's node port is refused with nothing done; with the token it names, it goes ahead", async () => {
        const live = liveObjects(namespace);
        const nodePort = kubectlJson("get", "service", names.api, "-n", namespace).spec.ports[0].nodePort;
        // TLS off renames the API's port (https → http): Kubernetes gives the new one a new node port.
        await stack.setConfig("go-demo-2:tls", { value: "false" });
        await stack.removeConfig("go-demo-2:tlsHostname");
        const reason = new RegExp(`guardAddresses = true: this update moves .*${names.api}'s node port https ${nodePort} goes`, "s");
        const message = await stack.preview({ color: "never" }).then(
            () => "",
            (e: Error) => e.message,
        );
        expect(message).toMatch(reason);
        await timed("prod: up refused (address move)", () => expect(stack.up({ color: "never" })).rejects.toThrow(reason));
        expect(liveObjects(namespace)).toEqual(live);

        const token = /acknowledgeAddressChanges ([0-9a-f]{10})/.exec(message)?.[1] ?? "";
        await stack.setConfig("go-demo-2:acknowledgeAddressChanges", { value: token });
        const events: EngineEvent[] = [];
        await stack.preview({ onEvent: (e) => events.push(e), color: "never" });
        expect(steps(events, CHANGES)).toContain(`update Service/${names.api}`);

        // Back to the deployed config: nothing to do, and nothing moved.
        await stack.removeConfig("go-demo-2:acknowledgeAddressChanges");
        await stack.setConfig("go-demo-2:tls", { value: "true" });
        await stack.setConfig("go-demo-2:tlsHostname", { value: dnsNames[0] });
        await stack.preview({ expectNoChanges: true, color: "never" });
        expect(liveObjects(namespace)).toEqual(live);
    });

    it("destroy leaves no object of the stack behind and the cluster's cert-manager untouched", async () => {
        // prod protects its data: lift that first, as README says to (an up that changes nothing else).
        await stack.setConfig("go-demo-2:dbStorageProtected", { value: "false" });
        await stack.up({ color: "never" });
        expect(kubectlJson("get", "configmap", names.destroyGuard, "-n", namespace).metadata.annotations[PROTECTED_ANNOTATION]).toBe("false");
        await timed("prod: destroy", () => stack.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
        const leftovers = kubectlJson("get", "issuers,certificates,certificaterequests,secrets,replicasets,services,pods", "-A");
        expect(leftovers.items.filter((o: { metadata: { namespace: string } }) => o.metadata.namespace === namespace)).toEqual([]);
        expect(certManagerCrds()).toEqual(crdsBefore);
    });
});

describe("the prod stack on a cluster without cert-manager", () => {
    const missingNamespace = "e2e-go-demo-2-prod-no-cert-manager";
    let stack: Stack | undefined;
    /** The CRDs as they can be created again: what the server adds (uid, status, ...) left out. */
    let saved: { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: unknown }[];

    beforeAll(() => {
        // Deleting a CRD deletes every object of its kind: only on the project's own local cluster,
        // and only while no Issuer or Certificate exists (say, of an `npm run up -- prod` there).
        if (process.env.KUBECONFIG !== path.join(root, ".cluster", "kubeconfig")) {
            throw new Error(`refusing to delete cert-manager's CRDs on a cluster this project did not start (KUBECONFIG=${process.env.KUBECONFIG})`);
        }
        const inUse = kubectl("get", "issuers,certificates", "-A", "--no-headers", "-o", "name").trim();
        if (inUse !== "") {
            throw new Error(`refusing to delete cert-manager's CRDs while these objects use them:\n${inUse}`);
        }
        // The CRDs, to put back afterwards.
        saved = kubectlJson("get", "crd", ...CERT_MANAGER_CRDS).items.map(
            (c: { apiVersion: string; kind: string; metadata: { name: string; labels?: unknown; annotations?: unknown }; spec: unknown }) => ({
                apiVersion: c.apiVersion,
                kind: c.kind,
                metadata: { name: c.metadata.name, labels: c.metadata.labels, annotations: c.metadata.annotations },
                spec: c.spec,
            }),
        );
        expect(saved).toHaveLength(CERT_MANAGER_CRDS.length);
        kubectl("delete", "crd", ...CERT_MANAGER_CRDS);
    });

    afterAll(async () => {
        await destroyTestStack(stack);
        execFileSync("kubectl", ["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: saved }) });
        kubectl("wait", "--for=condition=Established", ...CERT_MANAGER_CRDS.map((c) => `crd/${c}`), "--timeout=60s");
    });

    it("preview and up fail naming the missing CRD, and create nothing", async () => {
        stack = await testStack("prod", missingNamespace);
        const missing = /resource 'issuers\.cert-manager\.io' does not exist|resource 'certificates\.cert-manager\.io' does not exist/;
        await expect(stack.preview({ color: "never" })).rejects.toThrow(missing);
        // The Automation API's up skips the preview: the Namespace waiting on the CRD reads is what
        // keeps it from creating anything.
        await expect(timed("prod without cert-manager: up (fails)", () => stack!.up({ color: "never" }))).rejects.toThrow(missing);
        expect(exists("namespace", missingNamespace)).toBe(false);
        const state = await stack.exportStack();
        const created = ((state.deployment.resources ?? []) as { type: string; external?: boolean }[]).filter(
            (r) => r.type.startsWith("kubernetes:") && !r.external,
        );
        expect(created).toEqual([]);
    });
});
