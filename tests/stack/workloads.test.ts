import { DB_RELEASE_ANNOTATION } from "../../components/api";
import { selectors } from "../../components/labels";
import { TLS_PROXY_IMAGE } from "../../components/tls";
import { parseConfig } from "../../config";
import { names } from "../../stack";
import { installMocks, ofType, registeredOfType, resetRecorded, unwrap } from "../support/mocks";
import { run, fromFile, replicaSetSpecs, specsByName } from "../support/stack";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { typeToken } from "../../components/package";

installMocks();
beforeEach(resetRecorded);

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
});

describe("the API and its MongoDB", () => {
    it("creates the API's ReplicaSet only after go-demo-2-db exists, which waits for MongoDB to be Ready", async () => {
        const { stack } = await run(fromFile("dev"));
        const dbService = registeredOfType("kubernetes:core/v1:Service").find((r) => r.inputs.metadata.name === names.db)!;
        const dbServiceURN = await unwrap(stack.services[names.db].service.urn);
        // The component's dependency holds back its children: they register under its URN, which
        // resolves only once the engine has finished the Service (as the e2e tests watch).
        const [apiComponent] = ofType(typeToken("GoDemo2Api"));
        expect(apiComponent.dependencies).toContain(dbServiceURN);
        expect(dbService.dependencies).toContain(await unwrap(stack.db.replicaSet.urn));
    });

    it.each(["dev", "prod"])("in %s, the API's Pod template names the MongoDB release it talks to", async (name) => {
        const { stack } = await run(fromFile(name));
        expect(replicaSetSpecs()[names.api].template.metadata.annotations).toEqual({ [DB_RELEASE_ANNOTATION]: stack.db.templateHash });
    });

    it("prod: the API's TLS sidecar runs tlsProxyImage where it is set, and the component's image where not", async () => {
        const sidecarImage = async (raw: Record<string, string>) => {
            resetRecorded();
            await run(parseConfig({ ...stackFileConfig("prod"), ...raw }, "prod"));
            return replicaSetSpecs()[names.api].template.spec.containers.find((c: { name: string }) => c.name === "tls").image;
        };
        expect(await sidecarImage({})).toBe(TLS_PROXY_IMAGE);
        expect(await sidecarImage({ tlsProxyImage: "go-demo-2.local/ghostunnel:v1.8.4" })).toBe("go-demo-2.local/ghostunnel:v1.8.4");
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

describe("config variations", () => {
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
