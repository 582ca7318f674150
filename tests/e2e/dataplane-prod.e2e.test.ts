/**
 * The prod stack on the local cluster's real node: HTTPS served by its TLS sidecar, ghostunnel
 * v1.8.4 itself (built here from its module: images/ghostunnel, not a stand-in) with the
 * certificate the cluster's real cert-manager issued, in front of the go-demo-2 STAND-IN; the API's
 * metrics port open to the scraper's namespace only, with real packets; `npm run smoke` passes for
 * real over HTTPS. The claim is left unprotected so that the run can destroy the stack.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { X509Certificate } from "crypto";

import { names } from "../../stack";
import { kubectl, kubectlJson, pods } from "./kube";
import {
    apply,
    assertRealNodeReady,
    canConnect,
    createNamespace,
    execIn,
    getOnce,
    guardDropped,
    LOCAL_TLS_PROXY,
    placeOnRealNode,
    podOnRealNode,
    REAL_NODE,
    REAL_NODE_IP,
    realNodeWanted,
    smokeOnRealNode,
    STAND_IN,
    waitRunning,
} from "./realNode";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

const namespace = "e2e-dataplane-prod";
const scraperNs = "e2e-dataplane-scraper";
const probeNs = "e2e-dataplane-prod-probe";
const API_LABELS = { type: "api", service: "go-demo-2" };
const d = realNodeWanted() ? describe : describe.skip;

let stack: Stack | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let outputs: Record<string, any> = {};

d("the prod stack on the real node: HTTPS through ghostunnel, metrics for the scraper only", () => {
    beforeAll(async () => {
        assertRealNodeReady();
        for (const ns of [scraperNs, probeNs]) {
            createNamespace(ns);
        }
        apply(podOnRealNode(scraperNs, "scraper", ["sleep", "3600"]));
        apply(podOnRealNode(probeNs, "client", ["sleep", "3600"]));
        stack = await testStack("prod", namespace);
        await stack.setAllConfig({
            "go-demo-2:apiImage": { value: STAND_IN.api },
            "go-demo-2:dbImage": { value: STAND_IN.mongo },
            "go-demo-2:tlsProxyImage": { value: LOCAL_TLS_PROXY },
            "go-demo-2:dbStorageSize": { value: "1Gi" },
            "go-demo-2:dbStorageProtected": { value: "false" },
            "go-demo-2:monitoring": { value: "annotations" },
            "go-demo-2:monitoringNamespace": { value: scraperNs },
        });
        await placeOnRealNode(stack);
        await timed("dataplane: prod up with ghostunnel and the stand-ins on the real node", () => stack!.up({ color: "never" }));
        outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));
        await waitRunning(scraperNs, "scraper");
        await waitRunning(probeNs, "client");
    }, 15 * 60_000);

    afterAll(async () => {
        await timed("dataplane: prod destroy", () => destroyTestStack(stack));
        for (const ns of [scraperNs, probeNs]) {
            kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
        }
    }, 10 * 60_000);

    it("runs every Pod on the real node, each API Pod with its ghostunnel sidecar Ready", () => {
        for (const p of kubectlJson("get", "pods", "-n", namespace).items) {
            expect([p.metadata.name, p.spec.nodeName]).toEqual([p.metadata.name, REAL_NODE]);
        }
        const api = kubectlJson("get", "pods", "-n", namespace, "-l", "type=api").items;
        expect(api.length).toBe(3);
        for (const p of api) {
            const statuses = Object.fromEntries(p.status.containerStatuses.map((c: { name: string; ready: boolean; image: string }) => [c.name, [c.ready, c.image]]));
            expect(statuses.tls).toEqual([true, expect.stringContaining("go-demo-2.local/ghostunnel:v1.8.4")]);
            expect(statuses.api[0]).toBe(true);
        }
    });

    it("serves /demo/hello over HTTPS at its cluster IP, node port and load-balancer address, with the certificate cert-manager issued", async () => {
        const secret = kubectlJson("get", "secret", names.apiTls, "-n", namespace);
        const issued = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64")).fingerprint256;
        const port = 443;
        const lb = kubectl("get", "service", "-n", namespace, names.api, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
        expect(lb).toMatch(/^172\.31\./);
        for (const url of [
            `https://${outputs.clusterIPs[names.api]}:${port}/demo/hello`,
            `https://${REAL_NODE_IP}:${outputs.nodePorts[names.api]}/demo/hello`,
            `https://${lb}:${port}/demo/hello`,
        ]) {
            expect([url, await getOnce(url, 5_000)]).toEqual([url, { body: "hello, world!\n", fingerprint: issued }]);
        }
    });

    it("opens the API's metrics port 8080 to the scraper's namespace only, and 8443 to every Pod, with real packets", () => {
        const api = pods(namespace, API_LABELS)[0];
        expect(canConnect(scraperNs, "scraper", api.ip, 8080)).toBe(true);
        const metrics = execIn(scraperNs, "scraper", "wget", "-q", "-T", "5", "-O", "-", `http://${names.apiMetrics}.${namespace}.svc.cluster.local:8080/metrics`);
        expect(metrics).toContain("http_server_resp_time");
        expect(canConnect(probeNs, "client", api.ip, 8080)).toBe(false);
        expect(canConnect(probeNs, "client", api.ip, 8443)).toBe(true);
    });

    it("passes npm run smoke for real, over HTTPS", async () => {
        const { code, stdout } = await smokeOnRealNode("prod", stack!.workspace.workDir);
        expect(stdout).toContain("https://");
        expect(stdout).toContain("PASSED");
        expect(code).toBe(0);
    });

    it("let nothing leave the machine: the leak guard dropped no packet", () => {
        expect(guardDropped()).toBe(0);
    });
});
