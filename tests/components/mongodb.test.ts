import * as k8s from "@pulumi/kubernetes";

import { selectors } from "../../components/labels";
import {
    fractionalCacheSize,
    MONGO_HTTP_PORT,
    MONGO_PORT,
    MONGO_STARTUP_SECONDS,
    mongoContainer,
    MongoDb,
    WHOLE_GB_CACHE_MEMORY_LIMIT,
    wiredTigerCacheGB,
} from "../../components/mongodb";
import { SHUTDOWN_DELAY_SECONDS } from "../../components/shutdown";
import { TEMPLATE_HASH_LABEL } from "../../components/templateHash";
import { REVISION_ANNOTATION } from "../../components/serviceSpec";
import { PATCH_FORCE_ANNOTATION } from "../../components/forcedApply";
import { failureWindowSeconds } from "../../policy/policies";
import { installMocks, ofType, recorded, registered, resetRecorded, unwrap } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";
import { typeToken } from "../../components/package";
import { quantityBytes } from "../../components/quantity";

type Probe = k8s.types.input.core.v1.Probe;

installMocks();
beforeEach(resetRecorded);

describe("mongoContainer", () => {
    it("runs the lab's mongod --rest --httpinterface and exposes 28017 when asked", () => {
        const c = mongoContainer({ image: "mongo:3.3", httpInterface: true });
        expect(c).toMatchObject({
            name: "db",
            image: "mongo:3.3",
            command: ["mongod"],
            args: ["--rest", "--httpinterface", "--wiredTigerCacheSizeGB", "0.25"],
        });
        expect(c.ports).toEqual([
            { name: "mongodb", containerPort: MONGO_PORT, protocol: "TCP" },
            { name: "mongodb-http", containerPort: MONGO_HTTP_PORT, protocol: "TCP" },
        ]);
    });

    it("leaves the image's own entrypoint (which prefixes mongod to flags) and only 27017 without the HTTP interface", () => {
        const c = mongoContainer({ image: "mongo:4.4", httpInterface: false });
        expect(c).not.toHaveProperty("command");
        expect(c.args).toEqual(["--wiredTigerCacheSizeGB", "0.25"]);
        expect(c.ports).toEqual([{ name: "mongodb", containerPort: MONGO_PORT, protocol: "TCP" }]);
    });

    it.each(["mongo:3.0", "mongo:3.3", "mongo:4.4", "mongo:5.0.31", "mongo@sha256:" + "0".repeat(64)])(
        "%s: ready and alive while mongod takes connections, with no process of its own in the container; ten minutes to start",
        (image) => {
            const c = mongoContainer({ image, httpInterface: false, memoryLimit: "3Gi" });
            for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
                expect(probe).toMatchObject({ tcpSocket: { port: MONGO_PORT } });
                expect((probe as Probe).exec).toBeUndefined();
            }
            // The startup probe covers WiredTiger's recovery; liveness applies only after it.
            expect(failureWindowSeconds(c.startupProbe as Probe)).toBe(MONGO_STARTUP_SECONDS);
            expect((c.livenessProbe as Probe).initialDelaySeconds).toBeUndefined();
            expect(failureWindowSeconds(c.livenessProbe as Probe)).toBeGreaterThan(failureWindowSeconds(c.readinessProbe as Probe));
        },
    );

    it("runs the lab's `mongod --rest --httpinterface` only for images whose tag names a version before 3.6", () => {
        expect(mongoContainer({ image: "mongo:3.3", httpInterface: true })).toMatchObject({
            command: ["mongod"],
            args: ["--rest", "--httpinterface", "--wiredTigerCacheSizeGB", "0.25"],
        });
        // From 3.6 the entrypoint must run: it adds --bind_ip_all.
        expect(mongoContainer({ image: "mongo:3.6.23", httpInterface: false }).command).toBeUndefined();
        for (const image of ["mongo:3.6", "mongo@sha256:" + "0".repeat(64), "mongo:custom"]) {
            expect(() => mongoContainer({ image, httpInterface: true })).toThrow(/before 3\.6/);
        }
    });

    it("limits resources, ephemeral storage included, delays its shutdown and runs unprivileged on a read-only root", () => {
        const c = mongoContainer({ image: "mongo:3.3", httpInterface: false });
        // In an emptyDir the journal's preallocated files and FTDC's data are there from the start.
        expect(c.resources).toEqual({
            requests: { cpu: "100m", memory: "512Mi", "ephemeral-storage": "512Mi" },
            limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "2Gi" },
        });
        // On a claim it writes only its log there.
        expect(mongoContainer({ image: "mongo:3.3", httpInterface: false }, "claim").resources).toMatchObject({
            requests: { "ephemeral-storage": "256Mi" },
        });
        expect(c.lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } } });
        expect(c.securityContext).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 999,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
    });
});

describe("WiredTiger cache", () => {
    it.each([
        // 50% of (limit − 1 GiB), at least 0.25, in hundredths of a GB.
        ["mongo:3.3", "512Mi", 0.25],
        ["mongo:4.4", "1Gi", 0.25],
        ["mongo:4.4", "1536Mi", 0.25],
        ["mongo:4.4", "2Gi", 0.5],
        ["mongo:5.0", "3Gi", 1],
        ["mongo:3.6.23", "4Gi", 1.5],
        ["mongo:3.4", "2500Mi", 0.72],
        ["mongo@sha256:" + "0".repeat(64), "2Gi", 0.5],
        // Whole GB, at least 1, where a fraction is not accepted (3.0 to 3.3.4).
        ["mongo:3.2", "3Gi", 1],
        ["mongo:3.2.22", "4Gi", 1],
        ["mongo:3.0", "5Gi", 2],
        ["mongo:3.3.4", "4Gi", 1],
        ["mongo:3.3.5", "4Gi", 1.5],
    ])("%s limited to %s gets %d GB", (image, limit, gb) => {
        expect(wiredTigerCacheGB(image, limit)).toBe(gb);
    });

    it("keeps a whole-GB cache within 50% of (limit − 1 GB) from WHOLE_GB_CACHE_MEMORY_LIMIT on, and not 1Mi below it", () => {
        const half = (limit: string) => 0.5 * (quantityBytes(limit) / 2 ** 30 - 1);
        const least = WHOLE_GB_CACHE_MEMORY_LIMIT;
        const below = `${quantityBytes(least) / 2 ** 20 - 1}Mi`;
        expect(wiredTigerCacheGB("mongo:3.2", least)).toBeLessThanOrEqual(half(least));
        expect(wiredTigerCacheGB("mongo:3.2", below)).toBeGreaterThan(half(below));
    });

    it.each([
        ["mongo:3.0", false],
        ["mongo:3.2", false],
        ["mongo:3.3.4", false],
        ["mongo:3.3.5", true],
        ["mongo:3.3", true],
        ["mongo:3.4", true],
        ["mongo:5.0", true],
        ["mongo:custom-build", true],
    ])("%s takes a fractional cache: %s", (image, fractional) => {
        expect(fractionalCacheSize(image)).toBe(fractional);
    });

    const cacheFlag = (container: { args?: string[] }) => container.args?.slice(container.args.indexOf("--wiredTigerCacheSizeGB"));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const dbContainer = (rs: Record<string, any>): { args?: string[]; resources: { requests: object; limits: object } } =>
        rs.spec.template.spec.containers.find((c: { name: string }) => c.name === "db");

    it("split: the MongoDB Pod's mongod gets the cache its memory limit allows, and requests the memory it is limited to", async () => {
        const db = dbContainer(await replicaSetOf(new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:4.4", httpInterface: false, memoryLimit: "2Gi" })));
        expect(cacheFlag(db)).toEqual(["--wiredTigerCacheSizeGB", "0.5"]);
        expect(db.resources).toMatchObject({ requests: { memory: "2Gi" }, limits: { memory: "2Gi" } });
    });

    it("bounds the lab's emptyDir for /data/db, which its ephemeral-storage request covers", async () => {
        const rs = await replicaSetOf(new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true }));
        expect(rs.spec.template.spec.volumes).toContainEqual({ name: "db-data", emptyDir: { sizeLimit: "1Gi" } });
        expect(dbContainer(rs).resources.requests).toMatchObject({ "ephemeral-storage": "512Mi" });
    });
});


describe("MongoDb", () => {
    it("is one replica of mongo selected by the lab's db labels, waited for until Ready", async () => {
        const db = new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true });
        const rs = await replicaSetOf(db);
        expect(recorded[0].type).toBe(typeToken("MongoDb"));
        expect(rs.metadata).toMatchObject({
            name: `go-demo-2-db-${db.templateHash}`,
            namespace: "ns",
        });
        const revision = rs.metadata.annotations[REVISION_ANNOTATION];
        expect(rs.metadata.annotations).toEqual({
            [REVISION_ANNOTATION]: expect.stringMatching(/^[0-9a-f]{10}$/),
            "pulumi.com/waitFor": JSON.stringify([`jsonpath={.metadata.annotations['${REVISION_ANNOTATION}']}=${revision}`, "jsonpath={.status.readyReplicas}=1"]),
            "pulumi.com/timeoutSeconds": "300",
            [PATCH_FORCE_ANNOTATION]: "true",
        });
        expect(rs.spec.replicas).toBe(1);
        expect(rs.spec.selector.matchLabels).toEqual({ ...selectors.db, [TEMPLATE_HASH_LABEL]: db.templateHash });
        expect(rs.spec.template.metadata.labels).toMatchObject({
            ...selectors.db,
            vendor: "MongoLabs",
            "app.kubernetes.io/name": "mongodb",
            "app.kubernetes.io/component": "database",
            "app.kubernetes.io/instance": "go-demo-2-db",
            "app.kubernetes.io/part-of": "go-demo-2",
        });
        expect(rs.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["db"]);
        expect(rs.spec.template.spec.securityContext).toMatchObject({
            runAsNonRoot: true,
            fsGroup: 999,
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(rs.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(["db-data", "db-tmp"]);
        expect(db.selector).toEqual(selectors.db);
        expect(await unwrap(db.replicaSet.urn)).toContain(`${typeToken("MongoDb")}$kubernetes:apps/v1:ReplicaSet`);
    });
});

describe("MongoDB storage", () => {
    const db = (storage?: { size: string; storageClass?: string; protect?: boolean }) =>
        new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true, storage });

    it("keeps the lab's emptyDir without storage, and creates no claim", async () => {
        const rs = await replicaSetOf(db());
        expect(rs.spec.template.spec.volumes).toContainEqual({ name: "db-data", emptyDir: { sizeLimit: "1Gi" } });
        expect(ofType("kubernetes:core/v1:PersistentVolumeClaim")).toEqual([]);
    });

    it("mounts a claim of a fixed name at /data/db, so every release's Pod gets the same data", async () => {
        const first = db({ size: "1Gi", storageClass: "fast" });
        const rs = await replicaSetOf(first);
        const [claim] = ofType("kubernetes:core/v1:PersistentVolumeClaim");
        expect(claim.inputs.metadata).toMatchObject({ name: "go-demo-2-db-data", namespace: "ns" });
        expect(claim.inputs.spec).toEqual({
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "1Gi" } },
            storageClassName: "fast",
        });
        expect(claim.protect).toBe(false);
        expect(rs.spec.template.spec.volumes).toEqual([
            { name: "db-tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
            { name: "db-data", persistentVolumeClaim: { claimName: "go-demo-2-db-data" } },
        ]);
        expect(rs.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "db-data", mountPath: "/data/db" });
    });

    it("protects the claim from pulumi destroy when asked", async () => {
        await registered(db({ size: "10Gi", protect: true }).replicaSet);
        const [claim] = ofType("kubernetes:core/v1:PersistentVolumeClaim");
        expect(claim.protect).toBe(true);
    });
});
