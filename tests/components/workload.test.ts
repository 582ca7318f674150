import { GoDemo2Api } from "../../components/api";
import { selectors } from "../../components/labels";
import { MongoDb } from "../../components/mongodb";
import { TEMPLATE_HASH_LABEL } from "../../components/templateHash";
import { replicaSetWaitFor, workloadType } from "../../components/workload";
import { REVISION_ANNOTATION } from "../../components/serviceSpec";
import { PATCH_FORCE_ANNOTATION } from "../../components/forcedApply";
import { installMocks, ofType, registered, resetRecorded } from "../support/mocks";
import { registeredReplicaSet } from "../support/workloads";
import { typeToken } from "../../components/package";

installMocks();
beforeEach(resetRecorded);

describe("releases", () => {
    const api = (name: string, args: Partial<ConstructorParameters<typeof GoDemo2Api>[1]> = {}) =>
        new GoDemo2Api(name, { namespace: "ns", image: "vfarcic/go-demo-2", dbHost: "db", ...args });

    it("names the ReplicaSet after its template hash, which labels its Pods and narrows its selector", async () => {
        const w = api("go-demo-2-api");
        const rs = await registeredReplicaSet(w);
        expect(w.templateHash).toMatch(/^[0-9a-f]{10}$/);
        expect(w.replicaSetName).toBe(`go-demo-2-api-${w.templateHash}`);
        expect(rs.inputs.spec.template.metadata.labels[TEMPLATE_HASH_LABEL]).toBe(w.templateHash);
        // The Services' selector stays the lab's: it spans releases.
        expect(w.selector).toEqual(selectors.api);
        expect(rs.inputs.spec.template.metadata.labels["app.kubernetes.io/instance"]).toBe("go-demo-2-api");
    });

    it.each([
        ["image", { image: "vfarcic/go-demo-2:2.0" }],
        ["env", { dbHost: "other-db" }],
        ["a volume and a container", { tlsSecretName: "api-tls" }],
    ])("gives a changed template (%s) a new ReplicaSet, registered as a resource of its own", async (_what, change) => {
        const before = api("a", { replicaSetName: "go-demo-2-api" });
        const after = api("b", { replicaSetName: "go-demo-2-api", ...change });
        await registered(before.replicaSet, after.replicaSet);
        expect(after.templateHash).not.toBe(before.templateHash);
        const logical = ofType("kubernetes:apps/v1:ReplicaSet").map((r) => r.name);
        expect(logical).toEqual([`a-replicaset-${before.templateHash}`, `b-replicaset-${after.templateHash}`]);
    });

    it("keeps the ReplicaSet and its name when only replicas or the timeout change (an in-place update)", async () => {
        const three = api("a", { replicaSetName: "go-demo-2-api", replicas: 3 });
        const five = api("b", { replicaSetName: "go-demo-2-api", replicas: 5, rolloutTimeoutSeconds: 60 });
        const rs = await registeredReplicaSet(five);
        expect(five.templateHash).toBe(three.templateHash);
        expect(rs.inputs.metadata.annotations["pulumi.com/timeoutSeconds"]).toBe("60");
        expect(rs.deleteBeforeReplace).toBe(false);
    });

    it("lets the API surge: a new ReplicaSet beside the old, never delete-first", async () => {
        const rs = await registeredReplicaSet(api("go-demo-2-api"));
        expect(rs.name).toMatch(/^go-demo-2-api-replicaset-[0-9a-f]{10}$/);
        expect(rs.deleteBeforeReplace).toBe(false);
    });

    it("recreates MongoDB: one resource, replaced delete-first, so two mongods never share its data", async () => {
        const one = new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true });
        const rs = await registeredReplicaSet(one);
        expect(rs.name).toBe("go-demo-2-db-replicaset");
        expect(rs.deleteBeforeReplace).toBe(true);
        const other = new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.4", httpInterface: true });
        expect(other.replicaSetName).not.toBe(one.replicaSetName);
    });
});

describe("workloadType", () => {
    it("gives the index-module token and aliases the first releases' go-demo-2:workloads token, keeping the caller's aliases", () => {
        const [type, opts] = workloadType("MongoDb", { aliases: [{ name: "old" }] });
        expect(type).toBe(typeToken("MongoDb"));
        expect(opts.aliases).toEqual([{ name: "old" }, { type: typeToken("MongoDb", "workloads") }]);
    });
});

describe("replicaSetWaitFor", () => {
    const metadata = { labels: { a: "1" }, annotations: { "pulumi.com/timeoutSeconds": "300" } };

    it("waits first for this update's revision, then for every replica Ready", () => {
        const waits = replicaSetWaitFor(metadata, 3);
        expect(JSON.parse(waits["pulumi.com/waitFor"])).toEqual([
            `jsonpath={.metadata.annotations['${REVISION_ANNOTATION}']}=${waits[REVISION_ANNOTATION]}`,
            "jsonpath={.status.readyReplicas}=3",
        ]);
    });

    it.each([
        ["a label", { ...metadata, labels: { a: "2" } }, 3],
        ["an annotation (metadata only: no generation bump to tell the copy before it by)", { ...metadata, annotations: { ...metadata.annotations, [PATCH_FORCE_ANNOTATION]: "true" } }, 3],
        ["the replicas", metadata, 4],
    ])("gives a new revision for %s", (_, changed, replicas) => {
        expect(replicaSetWaitFor(changed, replicas)[REVISION_ANNOTATION]).not.toBe(replicaSetWaitFor(metadata, 3)[REVISION_ANNOTATION]);
    });

    it("gives the same revision for the same metadata and replicas", () => {
        expect(replicaSetWaitFor({ ...metadata }, 3)).toEqual(replicaSetWaitFor(metadata, 3));
    });
});
