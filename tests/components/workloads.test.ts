import * as k8s from "@pulumi/kubernetes";

import {
    API_HEALTH_PATH,
    API_LIVENESS_SCRIPT,
    API_PORT,
    apiContainer,
    DB_CONNECT_SECONDS,
    DB_RELEASE_ANNOTATION,
    GoDemo2Api,
    PERSON_FAILS_WITHIN_SECONDS,
    waitForDbContainer,
} from "../../components/api";
import { CombinedBackend } from "../../components/combined";
import { quantityBytes } from "../../components/quantity";
import { disruptionBudgetSpec } from "../../components/disruptionBudget";
import { selectors } from "../../components/labels";
import { typeToken } from "../../components/package";
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
import { TLS_PORT } from "../../components/tls";
import { replicaSetWaitFor, Workload, workloadType } from "../../components/workload";
import { REVISION_ANNOTATION } from "../../components/serviceSpec";
import { failureWindowSeconds } from "../../policy/policies";
import { installMocks, ofType, recorded, registered, resetRecorded, unwrap } from "../support/mocks";

type Probe = k8s.types.input.core.v1.Probe;

installMocks();
beforeEach(resetRecorded);

/** The ReplicaSet a workload registered, as the engine received it (inputs and options). */
async function registeredReplicaSet(workload: Workload) {
    const urn = await unwrap(workload.replicaSet.urn);
    const [rs] = ofType("kubernetes:apps/v1:ReplicaSet").filter((r) => urn.endsWith(`::${r.name}`));
    return rs;
}

/** The ReplicaSet a workload registered, as the engine received it. */
async function replicaSetOf(workload: Workload) {
    return (await registeredReplicaSet(workload)).inputs;
}

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

describe("apiContainer", () => {
    it("points DB at the given host and probes the lab's /demo/hello on 8080", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.env).toEqual([{ name: "DB", value: "go-demo-2-db" }]);
        expect(c.readinessProbe).toMatchObject({ httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 });
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    });

    it("is restarted only when it does not answer, or MongoDB takes connections but a DB request fails (tests/pods runs it)", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.livenessProbe).toEqual({
            exec: { command: ["sh", "-c", API_LIVENESS_SCRIPT] },
            initialDelaySeconds: 5,
            periodSeconds: 10,
            timeoutSeconds: DB_CONNECT_SECONDS + PERSON_FAILS_WITHIN_SECONDS + 1,
            failureThreshold: 3,
        });
        // Cheapest first: /demo/hello, then a TCP connect to MongoDB, then /demo/person within its window.
        const lines = API_LIVENESS_SCRIPT.split("\n");
        expect(lines[0]).toBe(`wget -q -O /dev/null http://127.0.0.1:${API_PORT}${API_HEALTH_PATH} || exit 1`);
        expect(lines[1]).toBe(`nc -z -w ${DB_CONNECT_SECONDS} "$DB" ${MONGO_PORT} || exit 0`);
        expect(lines.slice(2).join("\n")).toContain(`sleep ${PERSON_FAILS_WITHIN_SECONDS}`);
        // No wget -T: busybox 1.24.2 (the image's) bounds only its connect with it.
        expect(API_LIVENESS_SCRIPT).not.toContain("-T");
        // Restarted after 30 s of a wedged session; out of the endpoints after 3 s of no /demo/hello.
        expect(failureWindowSeconds(c.livenessProbe as Probe)).toBe(30);
        expect(failureWindowSeconds(c.readinessProbe as Probe)).toBe(3);
        expect(c.readinessProbe).toEqual({ httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 });
    });

    it("waits, in an init container of its own image, until MongoDB takes connections at $DB:27017, with the API's limits and privileges", () => {
        const args = { image: "vfarcic/go-demo-2:2.0", dbHost: "go-demo-2-db" };
        const init = waitForDbContainer(args);
        const api = apiContainer(args);
        expect(init).toEqual({
            name: "wait-for-db",
            image: "vfarcic/go-demo-2:2.0",
            env: [{ name: "DB", value: "go-demo-2-db" }],
            command: ["sh", "-c", `until nc -z -w ${DB_CONNECT_SECONDS} "$DB" 27017; do echo "waiting for MongoDB at $DB:27017"; sleep 1; done`],
            resources: api.resources,
            securityContext: api.securityContext,
        });
    });

    it("keeps serving for the shutdown delay and bounds its ephemeral storage", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } } });
        expect(c.resources).toEqual({
            requests: expect.objectContaining({ "ephemeral-storage": "16Mi" }),
            limits: expect.objectContaining({ "ephemeral-storage": "64Mi" }),
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
            "pulumi.com/patchForce": "true",
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

describe("GoDemo2Api", () => {
    it("scales on its own and reaches the DB by its Service name", async () => {
        const api = new GoDemo2Api("go-demo-2-api", {
            namespace: "ns",
            image: "vfarcic/go-demo-2",
            dbHost: "go-demo-2-db",
            replicas: 5,
        });
        const rs = await replicaSetOf(api);
        expect(recorded[0].type).toBe(typeToken("GoDemo2Api"));
        expect(rs.spec.replicas).toBe(5);
        expect(JSON.parse(rs.metadata.annotations["pulumi.com/waitFor"])[1]).toBe("jsonpath={.status.readyReplicas}=5");
        expect(rs.spec.selector.matchLabels).toEqual({ ...selectors.api, [TEMPLATE_HASH_LABEL]: api.templateHash });
        expect(rs.spec.template.metadata.labels).toMatchObject({ ...selectors.api, language: "go" });
        const [container] = rs.spec.template.spec.containers;
        expect(container.env).toEqual([{ name: "DB", value: "go-demo-2-db" }]);
        expect(rs.spec.template.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(["wait-for-db"]);
    });

    it("carries the MongoDB release it talks to in its Pod template, so a new MongoDB is a new API release", async () => {
        const api = (name: string, dbRelease?: string) =>
            new GoDemo2Api(name, { namespace: "ns", image: "i", dbHost: "db", replicaSetName: "go-demo-2-api", dbRelease });
        const first = api("a", "0123456789");
        const rs = await replicaSetOf(first);
        expect(rs.spec.template.metadata.annotations).toEqual({ [DB_RELEASE_ANNOTATION]: "0123456789" });
        expect(api("b", "abcdefabcd").templateHash).not.toBe(first.templateHash);
        expect(api("c", "0123456789").templateHash).toBe(first.templateHash);
        expect(api("d").templateHash).not.toBe(first.templateHash);
    });

    it("defaults to 3 replicas, as in the lab", async () => {
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db" });
        expect((await replicaSetOf(api)).spec.replicas).toBe(3);
    });

    it("is scheduled on amd64 nodes only unless told other architectures (the image is x86-64 only)", async () => {
        const archOf = async (w: Workload) =>
            (await replicaSetOf(w)).spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        expect(await archOf(new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db" }))).toEqual([
            { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] },
        ]);
        const db = new MongoDb("db", { namespace: "ns", image: "mongo:4.4", httpInterface: false, architectures: ["amd64", "arm64"] });
        expect(await archOf(db)).toEqual([{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }]);
    });

    it("adds a TLS sidecar serving 8443 from the certificate's Secret", async () => {
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db", tlsSecretName: "api-tls" });
        const pod = (await replicaSetOf(api)).spec.template.spec;
        expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(["api", "tls"]);
        const tls = pod.containers[1];
        expect(tls.image).toMatch(/:v\d+\.\d+\.\d+$/);
        expect(tls.args).toEqual(
            expect.arrayContaining([`--listen=0.0.0.0:${TLS_PORT}`, `--target=127.0.0.1:${API_PORT}`]),
        );
        expect(tls.volumeMounts).toEqual([{ name: "tls", mountPath: "/tls", readOnly: true }]);
        // Ready only when HTTPS reaches the API through the tunnel; alive while it accepts connections.
        expect(tls.readinessProbe).toMatchObject({ httpGet: { scheme: "HTTPS", path: API_HEALTH_PATH, port: TLS_PORT } });
        expect(tls.livenessProbe).toMatchObject({ tcpSocket: { port: TLS_PORT } });
        expect(failureWindowSeconds(tls.livenessProbe)).toBeGreaterThan(failureWindowSeconds(tls.readinessProbe));
        expect(tls.lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } } });
        expect(tls.resources.limits["ephemeral-storage"]).toBe("64Mi");
        expect(pod.volumes).toEqual([{ name: "tls", secret: { secretName: "api-tls" } }]);
    });
});

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
});

describe("disruption", () => {
    const api = (replicas: number, nodeLossTolerationSeconds?: number) =>
        new GoDemo2Api("go-demo-2-api", { namespace: "ns", image: "i", dbHost: "db", replicas, nodeLossTolerationSeconds });

    it("spreads the Pods over nodes, preferring and never requiring it, counting only the same release", async () => {
        const w = api(3);
        const pod = (await replicaSetOf(w)).spec.template.spec;
        expect(pod.topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selectors.api },
                matchLabelKeys: [TEMPLATE_HASH_LABEL],
            },
        ]);
    });

    it("leaves a lost node after 30 s by default, after the given seconds when set", async () => {
        const tolerations = async (w: Workload) => (await replicaSetOf(w)).spec.template.spec.tolerations;
        expect(await tolerations(api(3))).toEqual([
            { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
        ]);
        resetRecorded();
        expect((await tolerations(api(3, 5))).map((t: { tolerationSeconds: number }) => t.tolerationSeconds)).toEqual([5, 5]);
    });

    it("gives stopping Pods more time than the shutdown delay", async () => {
        const pod = (await replicaSetOf(api(3))).spec.template.spec;
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_DELAY_SECONDS);
    });

    it("budgets disruptions of several replicas on the stable selector, named after the workload", async () => {
        const w = api(3);
        await registered(w.replicaSet, w.disruptionBudget!);
        const [pdb] = ofType("kubernetes:policy/v1:PodDisruptionBudget");
        expect(pdb.inputs.metadata).toMatchObject({ name: "go-demo-2-api", namespace: "ns" });
        expect(pdb.inputs.spec).toEqual({
            maxUnavailable: 1,
            selector: { matchLabels: selectors.api },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
    });

    it("keeps the same budget whatever the replicas, so scaling updates the ReplicaSet alone", () => {
        expect(disruptionBudgetSpec(selectors.api, 2)).toEqual(disruptionBudgetSpec(selectors.api, 100));
        expect(disruptionBudgetSpec(selectors.api, 1)).toBeUndefined();
    });

    it("gives a single Pod no budget, so its node always drains", async () => {
        const db = new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true });
        await registered(db.replicaSet);
        expect(ofType("kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
    });
});

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
        ["an annotation (metadata only: no generation bump to tell the copy before it by)", { ...metadata, annotations: { ...metadata.annotations, "pulumi.com/patchForce": "true" } }, 3],
        ["the replicas", metadata, 4],
    ])("gives a new revision for %s", (_, changed, replicas) => {
        expect(replicaSetWaitFor(changed, replicas)[REVISION_ANNOTATION]).not.toBe(replicaSetWaitFor(metadata, 3)[REVISION_ANNOTATION]);
    });

    it("gives the same revision for the same metadata and replicas", () => {
        expect(replicaSetWaitFor({ ...metadata }, 3)).toEqual(replicaSetWaitFor(metadata, 3));
    });
});
