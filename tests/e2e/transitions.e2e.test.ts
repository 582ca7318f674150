/**
 * Config changes on a deployed stack, as users make them (`pulumi config set`, then `up`), on the
 * real engine and control plane. Each change: the preview names exactly the objects it changes,
 * `up` succeeds, the live objects show the change, every Service and ReplicaSet the state records
 * is the live object (spec, labels, annotations), a no-op preview follows, and every Service that
 * exists before and after keeps its object (uid) and cluster IP, with the API's ready endpoints
 * never fewer than its replicas while it happens. A change the deployed stack refuses (a new
 * namespace, a claim deleted without acknowledgement) fails at preview and at up, and leaves the
 * state and every live object as they were. Steps build on each other, so they run in order.
 */
import { Stack } from "@pulumi/pulumi/automation";

import { selectors } from "../../components/labels";
import { names } from "../../stack";
import { previewSummary } from "../../tools/review/review";
import { exists, kubectlJson, labelSelector, liveObjects, recordedAndLive } from "./kube";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";
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
/** The live Pods a selector matches, not being deleted. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const livePods = (selector: Record<string, string>): any[] =>
    kubectlJson("get", "pods", "-n", namespace, "-l", labelSelector(selector)).items.filter(
        (p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp,
    );
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
 * (`op Kind/name`, a release's ReplicaSet as `name-*`), runs `up` while watching the API Service's ready endpoints (never fewer than
 * `minReady`, by default the replicas), checks the state against the live objects, then that a
 * preview finds nothing left to do.
 */
async function change(
    label: string,
    config: Record<string, Setting>,
    expected: string[],
    minReady = REPLICAS,
): Promise<Record<string, Record<string, string>>> {
    for (const [key, value] of Object.entries(config)) {
        await set(key, value);
    }
    const review = await previewSummary(stack.workspace.workDir, "dev");
    // A release's ReplicaSet is named after its template hash: `-*` in `expected` stands for one.
    const release = (step: string) => step.replace(/-[0-9a-f]{10}$/, "-*");
    expect([label, review?.summary.changes.map(release)]).toEqual([label, expected.map(release).sort()]);
    // What the review's Addresses section says of each Service: address → verdict.
    const addresses: Record<string, Record<string, string>> = {};
    for (const row of review?.addresses ?? []) {
        addresses[row.service] = { ...addresses[row.service], [row.address]: row.verdict };
    }
    const endpoints = watchReadyEndpoints(namespace, names.api);
    await timed(`transitions: up (${label})`, () => stack.up({ color: "never" }));
    const ready = await endpoints.stop();
    process.stdout.write(`transitions: ${names.api} ready endpoints during ${label}: ${ready.join(" ")}\n`);
    expect([label, Math.min(...ready)]).toEqual([label, minReady]);
    const { recorded, live } = recordedAndLive((await stack.exportStack()).deployment.resources);
    expect([label, recorded]).toEqual([label, live]);
    await stack.preview({ expectNoChanges: true, color: "never" });
    return addresses;
}

/**
 * Applies config changes the deployed stack must refuse (they stay set for the next step), and
 * checks that preview and up both fail saying `reason`, with the state and every live object of
 * the namespace unchanged.
 */
async function refused(label: string, config: Record<string, Setting>, reason: RegExp): Promise<void> {
    const state = (await stack.exportStack()).deployment.resources;
    const live = liveObjects(namespace);
    for (const [key, value] of Object.entries(config)) {
        await set(key, value);
    }
    await expect(stack.preview({ color: "never" })).rejects.toThrow(reason);
    await timed(`transitions: up refused (${label})`, () => expect(stack.up({ color: "never" })).rejects.toThrow(reason));
    expect([label, (await stack.exportStack()).deployment.resources]).toEqual([label, state]);
    expect([label, liveObjects(namespace)]).toEqual([label, live]);
}

/** The uid and cluster IP of every Service that exists before and after a step. */
const identities = () => [names.db, names.dbHttp, names.api, names.external].map((name) => [name, identity(name)]);

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
        const addresses = await change("loadBalancer false", { loadBalancer: "false", loadBalancerWaitSeconds: undefined }, [
            `update Service/${names.api}`,
        ]);
        // The review said, before up, which of its addresses go.
        expect(addresses).toEqual({
            [names.api]: { "cluster IP": "stays", "node port http": "goes", "DNS name": "stays", "load-balancer address": "goes" },
        });
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
        const addresses = await change("loadBalancer true", { loadBalancer: "true", loadBalancerWaitSeconds: "60" }, [
            `update Service/${names.api}`,
        ]);
        expect(addresses).toEqual({
            [names.api]: { "cluster IP": "stays", "node port http": "new", "DNS name": "stays", "load-balancer address": "new" },
        });
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
        const stays = { "cluster IP": "stays", "node port http": "stays", "DNS name": "stays", "load-balancer address": "stays" };
        let addresses = await change(
            "loadBalancerSourceRanges, loadBalancerAnnotations set",
            { loadBalancerSourceRanges: ["10.0.0.0/8"], loadBalancerAnnotations: { "example.com/lb": "internal" } },
            [`update Service/${names.api}`],
        );
        expect(addresses).toEqual({ [names.api]: stays });
        let live = service(names.api);
        expect(live.spec.loadBalancerSourceRanges).toEqual(["10.0.0.0/8"]);
        expect(live.metadata.annotations["example.com/lb"]).toBe("internal");
        expect(identity(names.api)).toEqual(before);

        addresses = await change(
            "loadBalancerSourceRanges, loadBalancerAnnotations unset",
            { loadBalancerSourceRanges: undefined, loadBalancerAnnotations: undefined },
            [`update Service/${names.api}`],
        );
        expect(addresses).toEqual({ [names.api]: stays });
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
            const addresses = await change(`nodePort ${port}`, { nodePort: String(port) }, [`update Service/${names.dbHttp}`]);
            expect(addresses[names.dbHttp]).toEqual({ "cluster IP": "stays", "node port mongodb-http": "changes", "DNS name": "stays" });
            expect(nodePort()).toBe(port);
            expect(identity(names.dbHttp)).toEqual(before);
            expect(((await outputs()).nodePorts as Record<string, number>)[names.dbHttp]).toBe(port);
        }
    });

    it("unset: the Service keeps the port it has (Kubernetes keeps an allocated node port)", async () => {
        const before = identity(names.dbHttp);
        const addresses = await change("nodePort unset", { nodePort: undefined }, [`update Service/${names.dbHttp}`]);
        expect(addresses[names.dbHttp]).toEqual({ "cluster IP": "stays", "node port mongodb-http": "stays", "DNS name": "stays" });
        expect(nodePort()).toBe(30081);
        expect(identity(names.dbHttp)).toEqual(before);
    });
});

it("externalName changed: the ExternalName Service aliases the new host, in place", async () => {
    const uid = service(names.external).metadata.uid;
    const addresses = await change("externalName example.com", { externalName: "example.com" }, [`update Service/${names.external}`]);
    expect(addresses).toEqual({ [names.external]: { "DNS name": "stays" } });
    const live = service(names.external);
    expect([live.metadata.uid, live.spec.externalName]).toEqual([uid, "example.com"]);
    expect((await outputs()).externalName).toBe("example.com");
});

describe("replicas down and up: the API's ReplicaSet scales in place", () => {
    const apiReplicaSet = () =>
        kubectlJson("get", "replicasets", "-n", namespace)
            .items.map((rs: { metadata: { name: string } }) => rs.metadata.name)
            .filter((n: string) => n.startsWith(`${names.api}-`));

    it("3 → 1: the same ReplicaSet keeps one Pod, and one Pod needs no disruption budget", async () => {
        const [rs] = apiReplicaSet();
        const addresses = await change("replicas 1", { replicas: "1" }, [`update ReplicaSet/${rs}`, `delete PodDisruptionBudget/${names.api}`], 1);
        expect(addresses).toEqual({});
        expect(apiReplicaSet()).toEqual([rs]);
        expect(kubectlJson("get", "replicaset", rs, "-n", namespace).status.readyReplicas).toBe(1);
        expect(exists("poddisruptionbudget", names.api, "-n", namespace)).toBe(false);
    });

    it("1 → 3: it scales back, with its budget", async () => {
        const [rs] = apiReplicaSet();
        await change("replicas 3", { replicas: "3" }, [`update ReplicaSet/${rs}`, `create PodDisruptionBudget/${names.api}`], 1);
        expect(apiReplicaSet()).toEqual([rs]);
        expect(kubectlJson("get", "replicaset", rs, "-n", namespace).status.readyReplicas).toBe(REPLICAS);
        expect(kubectlJson("get", "poddisruptionbudget", names.api, "-n", namespace).spec.maxUnavailable).toBe(1);
    });
});

describe("dbHttpInterface off and on: go-demo-2-svc goes and comes back; MongoDB's data stays on its claim", () => {
    const claim = () => kubectlJson("get", "persistentvolumeclaims", "-n", namespace).items.map((c: { metadata: { uid: string } }) => c.metadata.uid);

    it.each([
        ["false", false],
        ["true", true],
    ])("dbHttpInterface %s", async (value, present) => {
        const claims = claim();
        expect(claims).toHaveLength(1);
        // Without --rest MongoDB's Pod template changes: it is recreated on the same claim, and
        // the API rolls onto it (see GoDemo2Api's dbRelease); the DB's policy loses port 28017.
        const addresses = await change(`dbHttpInterface ${value}`, { dbHttpInterface: value }, [
            `${present ? "create" : "delete"} Service/${names.dbHttp}`,
            `create ReplicaSet/${names.api}-*`,
            `delete ReplicaSet/${names.api}-*`,
            `replace ReplicaSet/${names.db}-*`,
            `create-replacement ReplicaSet/${names.db}-*`,
            `delete-replaced ReplicaSet/${names.db}-*`,
            `update NetworkPolicy/${names.db}`,
            `update NetworkPolicy/${names.smoke}`,
        ]);
        const verdict = present ? "new" : "goes";
        expect(addresses[names.dbHttp]).toEqual({ "cluster IP": verdict, "node port mongodb-http": verdict, "DNS name": verdict });
        expect(exists("service", names.dbHttp, "-n", namespace)).toBe(present);
        expect(claim()).toEqual(claims);
        // The live MongoDB Pod: one, Ready, on that claim, with --rest exactly when asked.
        const [db, ...others] = livePods(selectors.db);
        expect(others).toEqual([]);
        expect(db.status.conditions.find((c: { type: string }) => c.type === "Ready")?.status).toBe("True");
        const claimName = kubectlJson("get", "persistentvolumeclaims", "-n", namespace).items[0].metadata.name;
        expect(db.spec.volumes.map((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName)).toContain(claimName);
        expect(JSON.stringify(db.spec.containers[0]).includes("--rest")).toBe(present);
        const out = await outputs();
        expect(names.dbHttp in (out.nodePorts as object)).toBe(present);
    });
});

describe("tls on and off: cert-manager's certificate and the TLS sidecar come and go; the API Service stays the same object", () => {
    it.each([
        ["true", "https", 443, "http"],
        ["false", "http", 8080, "https"],
    ])("tls %s: the API Service serves %s on %s, same uid and cluster IP", async (value, portName, port, oldPortName) => {
        const before = identity(names.api);
        const on = value === "true";
        const addresses = await change(`tls ${value}`, { tls: value }, [
            `${on ? "create" : "delete"} Certificate/${names.apiTls}`,
            `${on ? "create" : "delete"} Issuer/${names.apiTls}-selfsigned`,
            `create ReplicaSet/${names.api}-*`,
            `delete ReplicaSet/${names.api}-*`,
            `update NetworkPolicy/${names.api}`,
            `update NetworkPolicy/${names.smoke}`,
            `update Service/${names.api}`,
        ]);
        // The port is renamed, so the review says its node port goes and another one comes.
        expect(addresses[names.api]).toEqual({
            "cluster IP": "stays",
            [`node port ${oldPortName}`]: "goes",
            [`node port ${portName}`]: "new",
            "DNS name": "stays",
            "load-balancer address": "stays",
        });
        const live = service(names.api);
        expect(live.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port])).toEqual([[portName, port]]);
        expect(identity(names.api)).toEqual(before);
        expect(exists("certificate.cert-manager.io", names.apiTls, "-n", namespace)).toBe(on);
        // Every live API Pod runs the TLS sidecar exactly when tls is on.
        const apiPods = livePods(selectors.api);
        expect(apiPods).toHaveLength(REPLICAS);
        expect(apiPods.map((pod) => pod.spec.containers.some((c: { name: string }) => c.name === "tls"))).toEqual(apiPods.map(() => on));
        // cert-manager keeps the Secret it wrote when its Certificate goes (the stack never owned it).
        expect(exists("secret", names.apiTls, "-n", namespace)).toBe(true);
    });
});

describe("a new namespace is refused: the stack never moves as an update", () => {
    it("preview and up fail naming both namespaces and the way to move; nothing is created or changed", async () => {
        const elsewhere = `${namespace}-elsewhere`;
        await refused("namespace changed", { namespace: elsewhere }, new RegExp(`the stack is deployed in namespace "${namespace}"`));
        expect(exists("namespace", elsewhere)).toBe(false);
        await set("namespace", namespace);
        await stack.preview({ expectNoChanges: true, color: "never" });
    });
});

describe("MongoDB's claim goes only when acknowledged, the topology switches both ways, and the claim comes back", () => {
    const claims = (): { name: string; uid: string }[] =>
        kubectlJson("get", "persistentvolumeclaims", "-n", namespace).items.map((c: { metadata: { name: string; uid: string } }) => ({
            name: c.metadata.name,
            uid: c.metadata.uid,
        }));
    /** The volume MongoDB's live Pod keeps its data in: the claim's name, or "emptyDir". */
    const dataVolume = (selector: Record<string, string>) => {
        const [pod, ...others] = livePods(selector);
        expect(others).toEqual([]);
        const volume = pod.spec.volumes.find((v: { name: string }) => v.name === "db-data");
        return volume.persistentVolumeClaim?.claimName ?? Object.keys(volume).filter((k) => k !== "name")[0];
    };
    let claim: { name: string; uid: string };

    it("dbStorageSize unset: refused, naming the claim's uid, with the claim and everything else untouched", async () => {
        [claim] = claims();
        await refused(
            "dbStorageSize unset",
            { dbStorageSize: undefined },
            new RegExp(`deletes the claim ${claim.name} .*acknowledgeDataLoss ${claim.uid}`, "s"),
        );
        expect(claims()).toEqual([claim]);
    });

    it("acknowledged with that uid: the claim goes, MongoDB starts again on an emptyDir, the Services stay", async () => {
        const before = identities();
        const addresses = await change("dbStorageSize unset, acknowledged", { acknowledgeDataLoss: claim.uid }, [
            `delete PersistentVolumeClaim/${claim.name}`,
            `delete ConfigMap/${names.destroyGuard}`,
            `replace ReplicaSet/${names.db}-*`,
            `create-replacement ReplicaSet/${names.db}-*`,
            `delete-replaced ReplicaSet/${names.db}-*`,
            `create ReplicaSet/${names.api}-*`,
            `delete ReplicaSet/${names.api}-*`,
        ]);
        expect(addresses).toEqual({});
        expect(claims()).toEqual([]);
        expect(dataVolume(selectors.db)).toBe("emptyDir");
        expect(identities()).toEqual(before);
        expect((await outputs()).deployment).not.toHaveProperty("dbClaim");
    });

    it("topology combined: the lab's one ReplicaSet; every Service is the same object with the same cluster IP, now in front of it", async () => {
        const before = identities();
        const addresses = await change("topology combined", { topology: "combined", acknowledgeDataLoss: undefined }, [
            `create ReplicaSet/${names.combined}-*`,
            `create PodDisruptionBudget/${names.combined}`,
            `update Service/${names.db}`,
            `update Service/${names.dbHttp}`,
            `update Service/${names.api}`,
            `update NetworkPolicy/${names.db}`,
            `update NetworkPolicy/${names.smoke}`,
            `delete NetworkPolicy/${names.api}`,
            `delete ReplicaSet/${names.db}-*`,
            `delete ReplicaSet/${names.api}-*`,
            `delete PodDisruptionBudget/${names.api}`,
        ]);
        for (const name of [names.db, names.dbHttp, names.api]) {
            expect(addresses[name]).toEqual(expect.objectContaining({ "cluster IP": "stays", "DNS name": "stays" }));
        }
        expect(identities()).toEqual(before);
        expect(livePods(selectors.combined)).toHaveLength(REPLICAS);
        expect(livePods(selectors.db)).toEqual([]);
        expect(livePods(selectors.api)).toEqual([]);
        expect(service(names.api).spec.selector).toEqual(selectors.combined);
        expect(service(names.db).spec.selector).toEqual(selectors.combined);
    });

    it("topology split: MongoDB and the API in their own ReplicaSets again, behind the same Services", async () => {
        const before = identities();
        await change("topology split", { topology: "split" }, [
            `create ReplicaSet/${names.db}-*`,
            `create ReplicaSet/${names.api}-*`,
            `create PodDisruptionBudget/${names.api}`,
            `create NetworkPolicy/${names.api}`,
            `update Service/${names.db}`,
            `update Service/${names.dbHttp}`,
            `update Service/${names.api}`,
            `update NetworkPolicy/${names.db}`,
            `update NetworkPolicy/${names.smoke}`,
            `delete ReplicaSet/${names.combined}-*`,
            `delete PodDisruptionBudget/${names.combined}`,
        ]);
        expect(identities()).toEqual(before);
        expect(livePods(selectors.combined)).toEqual([]);
        expect(livePods(selectors.api)).toHaveLength(REPLICAS);
        expect(service(names.api).spec.selector).toEqual(selectors.api);
        expect(service(names.db).spec.selector).toEqual(selectors.db);
    });

    it("dbStorageSize set again: a new, empty claim, and MongoDB recreated on it", async () => {
        const before = identities();
        await change("dbStorageSize 1Gi", { dbStorageSize: "1Gi" }, [
            `create PersistentVolumeClaim/${claim.name}`,
            `create ConfigMap/${names.destroyGuard}`,
            `replace ReplicaSet/${names.db}-*`,
            `create-replacement ReplicaSet/${names.db}-*`,
            `delete-replaced ReplicaSet/${names.db}-*`,
            `create ReplicaSet/${names.api}-*`,
            `delete ReplicaSet/${names.api}-*`,
        ]);
        const [now] = claims();
        expect(now.name).toBe(claim.name);
        expect(now.uid).not.toBe(claim.uid);
        expect(dataVolume(selectors.db)).toBe(claim.name);
        expect(identities()).toEqual(before);
        expect((await outputs()).deployment).toMatchObject({ dbClaim: { name: claim.name, uid: now.uid, size: "1Gi" } });
    });
});
