import { API_LIVENESS_SCRIPT } from "../../components/api";
import { CombinedBackend } from "../../components/combined";
import { TEMPLATE_HASH_LABEL } from "../../components/templateHash";
import { installMocks, recorded, resetRecorded } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";
import { typeToken } from "../../components/package";

installMocks();
beforeEach(resetRecorded);

describe("CombinedBackend", () => {
    it("is the lab's go-demo-2 ReplicaSet: db and api in one Pod over localhost", async () => {
        const backend = new CombinedBackend("go-demo-2", {
            namespace: "ns",
            db: { image: "mongo:3.3", httpInterface: true },
            apiImage: "vfarcic/go-demo-2",
        });
        const rs = await replicaSetOf(backend);
        expect(recorded[0].type).toBe(typeToken("CombinedBackend"));
        expect(rs.metadata.name).toBe(`go-demo-2-${backend.templateHash}`);
        expect(rs.spec.replicas).toBe(2);
        expect(rs.spec.selector.matchLabels).toEqual({ type: "backend", service: "go-demo-2", [TEMPLATE_HASH_LABEL]: backend.templateHash });
        expect(rs.spec.template.metadata.labels).toMatchObject({
            type: "backend",
            service: "go-demo-2",
            db: "mongo",
            language: "go",
        });
        const [db, api] = rs.spec.template.spec.containers;
        expect(db).toMatchObject({ name: "db", image: "mongo:3.3", command: ["mongod"], args: ["--rest", "--httpinterface", "--wiredTigerCacheSizeGB", "0.25"] });
        expect(db.ports).toContainEqual({ name: "mongodb-http", containerPort: 28017, protocol: "TCP" });
        expect(api).toMatchObject({ name: "api", image: "vfarcic/go-demo-2", env: [{ name: "DB", value: "localhost" }] });
        // The same liveness as the split API's: DB=localhost, mongod beside it.
        expect(api.livenessProbe.exec.command).toEqual(["sh", "-c", API_LIVENESS_SCRIPT]);
        // No init container: mongod, a sibling container, would start only after it ended.
        expect(rs.spec.template.spec.initContainers).toBeUndefined();
        expect(rs.spec.template.spec.securityContext.fsGroup).toBe(999);
    });

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const dbContainer = (rs: Record<string, any>): { args?: string[]; resources: { requests: object; limits: object } } =>
        rs.spec.template.spec.containers.find((c: { name: string }) => c.name === "db");

    it("combined: each Pod's mongod, beside the API, gets the cache its own memory limit allows", async () => {
        const backend = new CombinedBackend("go-demo-2", {
            namespace: "ns",
            db: { image: "mongo:3.3", httpInterface: true, memoryLimit: "4Gi" },
            apiImage: "vfarcic/go-demo-2",
        });
        const db = dbContainer(await replicaSetOf(backend));
        expect(db.args).toEqual(["--rest", "--httpinterface", "--wiredTigerCacheSizeGB", "1.5"]);
        expect(db.resources).toMatchObject({ requests: { memory: "4Gi" }, limits: { memory: "4Gi" } });
    });
});

