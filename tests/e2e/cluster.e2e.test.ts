/**
 * `up` on the clusters users have, with the real engine and the real API server: a cluster
 * without a load-balancer controller (kind, minikube — here the local cluster with
 * `npm run cluster -- lb off`), and a stack bound to a context its kubeconfig does not have.
 * Each `it` builds on the one before, so the steps run in order.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { noAddressWarning } from "../../components/services";
import { REVISION_ANNOTATION, serviceWaitFor } from "../../components/serviceSpec";
import { names } from "../../stack";
import { stackIn } from "../../tools/project/workspace";
import { root } from "../../tools/project/root";
import { eventually, exists, kubectlJson } from "./kube";
import { currentContext, destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(10 * 60_000);

afterAll(printTimings);

const cluster = (...args: string[]) =>
    execFileSync("bash", [path.join(root, "scripts", "cluster", "cluster.sh"), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The Kubernetes objects a stack's state holds (not those it only reads). */
async function createdObjects(stack: Stack): Promise<string[]> {
    const state = await stack.exportStack();
    return ((state.deployment.resources ?? []) as { type: string; urn: string; external?: boolean }[])
        .filter((r) => r.type.startsWith("kubernetes:") && !r.external)
        .map((r) => r.urn);
}

const liveServiceNames = (namespace: string): string[] =>
    kubectlJson("get", "services", "-n", namespace).items.map((s: { metadata: { name: string } }) => s.metadata.name);

describe("dev on a cluster without a load-balancer controller", () => {
    const namespace = "e2e-go-demo-2-no-lb";
    let stack: Stack | undefined;
    const liveApi = () => kubectlJson("get", "service", names.api, "-n", namespace);

    beforeAll(async () => {
        // lb restarts the local cluster's kwok controller: never on a cluster this project did not start.
        if (process.env.KUBECONFIG !== path.join(root, ".cluster", "kubeconfig")) {
            throw new Error(`refusing to turn the load balancer off on a cluster this project did not start (KUBECONFIG=${process.env.KUBECONFIG})`);
        }
        cluster("lb", "off");
        stack = await testStack("dev", namespace);
    });

    afterAll(async () => {
        await destroyTestStack(stack);
        // Later tests expect the load balancer, whatever failed here.
        cluster("lb", "on");
    });

    it("up succeeds: the live Service has no address, loadBalancerIngress is null, and no warning: the Service is new, its address may come a moment later", async () => {
        const events: EngineEvent[] = [];
        const result = await timed("dev without a load balancer: up", () => stack!.up({ color: "never", onEvent: (e) => events.push(e) }));
        expect(result.summary.result).toBe("succeeded");

        const live = liveApi();
        expect(live.spec.type).toBe("LoadBalancer");
        // up waited for the updated object only, not for an address.
        const annotations = live.metadata.annotations;
        expect(annotations["pulumi.com/waitFor"]).toBe(serviceWaitFor({ type: "LoadBalancer", addressWaitSeconds: 0 }, annotations[REVISION_ANNOTATION])["pulumi.com/waitFor"]);
        expect(annotations["pulumi.com/waitFor"]).not.toContain("loadBalancer");
        expect(live.status.loadBalancer?.ingress).toBeUndefined();
        expect(result.outputs.loadBalancerIngress.value).toBeNull();
        expect((result.outputs.nodePorts.value as Record<string, number>)[names.api]).toBe(live.spec.ports[0].nodePort);

        const warnings = events.flatMap((e) => (e.diagnosticEvent?.severity === "warning" ? [e.diagnosticEvent.message] : []));
        expect(warnings).toEqual([]);

        // Nothing gives it one later either: the controller really is gone.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(liveApi().status.loadBalancer?.ingress).toBeUndefined();
    });

    const WAIT_S = 10;

    it(`a stack that waits for the address fails after its loadBalancerWaitSeconds (${WAIT_S}), naming the Service and what it waited for`, async () => {
        await stack!.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: String(WAIT_S) });
        const started = Date.now();
        const failure = await timed("dev waiting for a load balancer that never comes: up (fails)", () =>
            stack!.up({ color: "never" }).then(
                () => undefined,
                (e: Error) => e,
            ),
        );
        const seconds = (Date.now() - started) / 1000;
        const errorLines = failure?.message.split("\n").filter((l) => /timed out|selected nothing/.test(l)) ?? [];
        process.stdout.write(`waiting up failed after ${seconds.toFixed(1)} s:\n${[...new Set(errorLines)].join("\n")}\n`);
        expect(failure).toBeInstanceOf(Error);
        expect(failure!.message).toContain(`"${namespace}/${names.api}" failed to fully initialize or become live: timed out waiting for the condition`);
        expect(failure!.message).toContain("{.status.loadBalancer.ingress} selected nothing");
        expect(seconds).toBeGreaterThanOrEqual(WAIT_S);
        expect(liveApi().status.loadBalancer?.ingress).toBeUndefined();
    });

    it("warns on a plain up while the Service has no address, and once a controller gives it one, the next plain up records it", async () => {
        const warningsOf = (events: EngineEvent[]) =>
            events.flatMap((e) => (e.diagnosticEvent?.severity === "warning" ? [{ urn: e.diagnosticEvent.urn ?? "", message: e.diagnosticEvent.message }] : []));
        // Back to not waiting: the failed update converges, still without an address. The Service
        // existed before this update, so its missing address is news: a warning on the Service.
        await stack!.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "0" });
        const waitingEvents: EngineEvent[] = [];
        const waiting = await timed("dev back to not waiting: up", () => stack!.up({ color: "never", onEvent: (e) => waitingEvents.push(e) }));
        expect(liveApi().status.loadBalancer?.ingress).toBeUndefined();
        expect(waiting.outputs.loadBalancerIngress.value).toBeNull();
        expect(warningsOf(waitingEvents).filter((w) => w.message.includes(noAddressWarning(names.api)))).toEqual([
            { urn: expect.stringMatching(/kubernetes:core\/v1:Service::go-demo-2-api-service$/), message: expect.any(String) },
        ]);
        expect(waiting.stdout).toContain(`Service ${names.api} has no load-balancer address`);

        cluster("lb", "on");
        const ingress = await eventually(() => {
            const first = liveApi().status.loadBalancer?.ingress?.[0];
            expect(first?.ip).toBeTruthy();
            return first.ip as string;
        }, 30_000, 500);
        // A plain up, no --refresh: the address is read from the live Service on every run.
        const events: EngineEvent[] = [];
        const next = await timed("dev after the load balancer came: a plain up", () => stack!.up({ color: "never", onEvent: (e) => events.push(e) }));
        expect(next.outputs.loadBalancerIngress.value).toBe(ingress);
        expect(next.summary.resourceChanges).not.toHaveProperty("update");
        expect(warningsOf(events)).toEqual([]);
    });
});

describe("a stack bound to another cluster", () => {
    const namespace = "e2e-go-demo-2-bound";
    let stack: Stack | undefined;
    let kubeconfigDir: string | undefined;

    afterAll(async () => {
        await destroyTestStack(stack);
        if (kubeconfigDir) {
            fs.rmSync(kubeconfigDir, { recursive: true, force: true });
        }
    });

    it("refuses to preview and to deploy, naming the expected and the actual cluster, with nothing created", async () => {
        stack = await testStack("dev", namespace);
        const actual = currentContext();
        await stack.setConfig("kubernetes:context", { value: "go-demo-2-elsewhere" });
        const refusal = new RegExp(
            `kubernetes:context = "go-demo-2-elsewhere": the stack deploys only to this kubeconfig context, but ` +
                `KUBECONFIG=${process.env.KUBECONFIG} has no such context; its current context is "${actual}" \\(server https://`,
        );
        await expect(timed("bound elsewhere: preview (fails)", () => stack!.preview({ color: "never" }))).rejects.toThrow(refusal);
        // The Automation API's up skips the preview: the program itself refuses before registering anything.
        await expect(timed("bound elsewhere: up (fails)", () => stack!.up({ color: "never" }))).rejects.toThrow(refusal);
        expect(exists("namespace", namespace)).toBe(false);
        expect(await createdObjects(stack)).toEqual([]);
    });

    it("a deployed stack, bound afterwards, keeps every object and deploys to its context while another one is current", async () => {
        await stack!.removeConfig("kubernetes:context");
        await timed("unbound: up", () => stack!.up({ color: "never" }));
        const uids = () =>
            [kubectlJson("get", "namespace", namespace), ...kubectlJson("get", "replicasets,services,persistentvolumeclaims", "-n", namespace).items].map(
                (o: { kind: string; metadata: { name: string; uid: string } }) => `${o.kind}/${o.metadata.name} ${o.metadata.uid}`,
            );
        const before = uids();

        // The run's kubeconfig plus a context on a server where nothing listens, made current.
        kubeconfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-kubeconfig-"));
        const kubeconfig = path.join(kubeconfigDir, "config");
        fs.copyFileSync(process.env.KUBECONFIG!, kubeconfig);
        const kc = (...args: string[]) => execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
        kc("config", "set-cluster", "nowhere", "--server=https://127.0.0.1:9");
        kc("config", "set-context", "nowhere", "--cluster=nowhere", "--user=nobody");
        kc("config", "use-context", "nowhere");
        const bound = await stackIn(stack!.workspace.workDir, stack!.name, { KUBECONFIG: kubeconfig });
        stack = bound;
        await bound.setConfig("kubernetes:context", { value: currentContext() });

        const events: EngineEvent[] = [];
        await timed("bound afterwards: preview", () => bound.preview({ color: "never", onEvent: (e) => events.push(e) }));
        const changes = events.flatMap((e) =>
            // (A read, such as the load balancer's live address, is no change.)
            e.resourcePreEvent && !["same", "read"].includes(e.resourcePreEvent.metadata.op)
                ? [`${e.resourcePreEvent.metadata.op} ${e.resourcePreEvent.metadata.type}`]
                : [],
        );
        // The default provider's config gains the context; no object is touched, let alone replaced.
        expect(changes).toEqual(["update pulumi:providers:kubernetes"]);

        const result = await timed("bound afterwards, another context current: up", () => bound.up({ color: "never" }));
        expect(result.summary.result).toBe("succeeded");
        expect(uids()).toEqual(before);
        expect(liveServiceNames(namespace)).toContain(names.api);
    });
});
