/**
 * Config changes on a deployed stack, as users make them (`pulumi config set`, then `up`), on the
 * real engine and control plane. Each change: the preview names exactly the objects it changes,
 * `up` succeeds, the live objects show the change, a no-op preview follows, and every Service that
 * exists before and after keeps its object (uid) and cluster IP, with the API's ready endpoints
 * never fewer than its replicas while it happens. Steps build on each other, so they run in order.
 */
import { Stack } from "@pulumi/pulumi/automation";

import { names } from "../../stack";
import { previewSummary } from "../../tools/review";
import { destroyTestStack, printTimings, testStack, timed } from "../../tools/workspace";
import { kubectlJson } from "./kube";
import { watchReadyEndpoints } from "./watch";

jest.setTimeout(15 * 60_000);

const namespace = "e2e-go-demo-2-transitions";
/** Pulumi.dev.yaml's replicas. */
const REPLICAS = 3;
let stack: Stack;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const service = (name: string): any => kubectlJson("get", "service", name, "-n", namespace);
const identity = (name: string) => {
    const live = service(name);
    return { uid: live.metadata.uid, clusterIP: live.spec.clusterIP };
};
const outputs = async () => Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));

/** A config value as `pulumi config set` takes it: a string, a list or map (set by path), or removed. */
type Setting = string | string[] | Record<string, string> | undefined;

async function set(key: string, value: Setting): Promise<void> {
    const full = `go-demo-2:${key}`;
    if (typeof value === "string") {
        return stack.setConfig(full, { value });
    }
    await stack.removeConfig(full);
    // A list or map is written element by element (`pulumi config set --path key[0] v`), the form
    // the CLI takes for structured values; the project declares the list keys' types.
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value ?? {}).map(([k, v]) => [`["${k}"]`, v]);
    for (const [suffix, v] of entries) {
        await stack.setConfig(`${full}${suffix}`, { value: v }, true);
    }
}

/**
 * Applies config changes (undefined removes a key), checks the preview lists exactly `expected`
 * (`op Kind/name`), runs `up` while watching the API Service's ready endpoints, then checks that
 * a preview finds nothing left to do.
 */
async function change(label: string, config: Record<string, Setting>, expected: string[]): Promise<void> {
    for (const [key, value] of Object.entries(config)) {
        await set(key, value);
    }
    const review = await previewSummary(stack.workspace.workDir, "dev");
    expect([label, review?.summary.changes]).toEqual([label, [...expected].sort()]);
    const endpoints = watchReadyEndpoints(namespace, names.api);
    await timed(`transitions: up (${label})`, () => stack.up({ color: "never" }));
    const ready = await endpoints.stop();
    process.stdout.write(`transitions: ${names.api} ready endpoints during ${label}: ${ready.join(" ")}\n`);
    expect([label, Math.min(...ready)]).toEqual([label, REPLICAS]);
    await stack.preview({ expectNoChanges: true, color: "never" });
}

beforeAll(async () => {
    stack = await testStack("dev", namespace);
    await stack.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "60" });
    await timed("transitions: up (dev)", () => stack.up({ color: "never" }));
});

afterAll(async () => {
    await destroyTestStack(stack);
    printTimings();
});

describe("the API Service's type follows loadBalancer, in place", () => {
    it("loadBalancer false: the same Service object becomes ClusterIP, keeping its cluster IP; its node port and address go", async () => {
        const before = identity(names.api);
        expect(service(names.api).spec.type).toBe("LoadBalancer");
        await change("loadBalancer false", { loadBalancer: "false", loadBalancerWaitSeconds: undefined }, [`update Service/${names.api}`]);
        const live = service(names.api);
        expect(live.spec.type).toBe("ClusterIP");
        expect(identity(names.api)).toEqual(before);
        expect(live.spec.ports.map((p: { nodePort?: number }) => p.nodePort)).toEqual([undefined]);
        const out = await outputs();
        expect(Object.keys(out.nodePorts as object)).toEqual([names.dbHttp]);
        expect(out.loadBalancerIngress).toBeUndefined();
        expect((out.clusterIPs as Record<string, string>)[names.api]).toBe(before.clusterIP);
    });

    it("loadBalancer true: the same object becomes LoadBalancer again, with a node port and an address", async () => {
        const before = identity(names.api);
        await change("loadBalancer true", { loadBalancer: "true", loadBalancerWaitSeconds: "60" }, [`update Service/${names.api}`]);
        const live = service(names.api);
        expect(live.spec.type).toBe("LoadBalancer");
        expect(identity(names.api)).toEqual(before);
        const out = await outputs();
        expect((out.nodePorts as Record<string, number>)[names.api]).toBe(live.spec.ports[0].nodePort);
        const ingress = live.status.loadBalancer.ingress?.[0];
        expect(out.loadBalancerIngress).toBe(ingress?.ip ?? ingress?.hostname);
        expect(out.loadBalancerIngress).toBeTruthy();
    });

    it("source ranges and annotations are set and removed in place", async () => {
        const before = identity(names.api);
        await change(
            "loadBalancerSourceRanges, loadBalancerAnnotations set",
            { loadBalancerSourceRanges: ["10.0.0.0/8"], loadBalancerAnnotations: { "example.com/lb": "internal" } },
            [`update Service/${names.api}`],
        );
        let live = service(names.api);
        expect(live.spec.loadBalancerSourceRanges).toEqual(["10.0.0.0/8"]);
        expect(live.metadata.annotations["example.com/lb"]).toBe("internal");
        expect(identity(names.api)).toEqual(before);

        await change(
            "loadBalancerSourceRanges, loadBalancerAnnotations unset",
            { loadBalancerSourceRanges: undefined, loadBalancerAnnotations: undefined },
            [`update Service/${names.api}`],
        );
        live = service(names.api);
        expect(live.spec.loadBalancerSourceRanges).toBeUndefined();
        expect(live.metadata.annotations["example.com/lb"]).toBeUndefined();
        expect(identity(names.api)).toEqual(before);
    });
});

describe("a node port set, changed and unset on a deployed NodePort Service", () => {
    const nodePort = () => service(names.dbHttp).spec.ports[0].nodePort;

    it("set, then changed: the Service moves to the configured port in place", async () => {
        const before = identity(names.dbHttp);
        for (const port of [30080, 30081]) {
            await change(`nodePort ${port}`, { nodePort: String(port) }, [`update Service/${names.dbHttp}`]);
            expect(nodePort()).toBe(port);
            expect(identity(names.dbHttp)).toEqual(before);
            expect(((await outputs()).nodePorts as Record<string, number>)[names.dbHttp]).toBe(port);
        }
    });

    it("unset: the Service keeps the port it has (Kubernetes keeps an allocated node port)", async () => {
        const before = identity(names.dbHttp);
        await change("nodePort unset", { nodePort: undefined }, [`update Service/${names.dbHttp}`]);
        expect(nodePort()).toBe(30081);
        expect(identity(names.dbHttp)).toEqual(before);
    });
});

it("externalName changed: the ExternalName Service aliases the new host, in place", async () => {
    const uid = service(names.external).metadata.uid;
    await change("externalName example.com", { externalName: "example.com" }, [`update Service/${names.external}`]);
    const live = service(names.external);
    expect([live.metadata.uid, live.spec.externalName]).toEqual([uid, "example.com"]);
    expect((await outputs()).externalName).toBe("example.com");
});
