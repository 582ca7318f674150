import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { GI, quantityBytes } from "./quantity";
import { imageVersion, lineBefore } from "./imageVersion";
import { selectors } from "./labels";
import { shutdownDelay } from "./shutdown";
import { createWorkload, restrictedSecurityContext, Workload, WorkloadComponentArgs, workloadType } from "./workload";

export const MONGO_PORT = 27017;
/** The REST/HTTP interface of MongoDB before 3.6, which the lab exposes to prove a Service works. */
export const MONGO_HTTP_PORT = 28017;
/** The `mongodb` user of the official mongo images, which owns /data/db. */
const MONGO_UID = 999;

export interface MongoContainer {
    /** A mongo image the API can use (see unusableMongoImage). */
    image: string;
    /** Run `mongod --rest --httpinterface` and expose 28017 (MongoDB older than 3.6 only). */
    httpInterface: boolean;
    /**
     * mongod's memory request and limit, `<n>Mi` or `<n>Gi`; WiredTiger's cache is sized from it.
     * @default `512Mi` (DEFAULT_DB_MEMORY_LIMIT): enough for WiredTiger's smallest cache and mongod itself
     * @see DEFAULT_DB_MEMORY_LIMIT
     * @see https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-storage.wiredTiger.engineConfig.cacheSizeGB
     */
    memoryLimit?: string;
}

/**
 * Seconds mongod has to open its port after it starts (the startupProbe) before the kubelet
 * restarts it; the liveness below applies only after that. Recovery after an unclean stop replays
 * the journal from the last checkpoint (WiredTiger checkpoints every 60 s), so ten minutes leave
 * a wide margin on a slow volume; a mongod that never opens its port is restarted after them.
 */
export const MONGO_STARTUP_SECONDS = 600;

/** The mongod memory limit when none is configured: enough for WiredTiger's smallest cache (256 MB) and mongod itself. */
export const DEFAULT_DB_MEMORY_LIMIT = "512Mi";

/**
 * The MongoDB lines the go-demo-2 API can use. Newest: go-demo-2 vendors mgo (gopkg.in/mgo.v2),
 * which sends every command as OP_QUERY; MongoDB 5.0 deprecated it and 5.1 rejects it for every
 * command but the handshake (SERVER-57391, SERVER-58338), and 6.0 dropped the legacy opcodes for
 * good. Oldest: 3.0, the first line with WiredTiger, whose cache mongoContainer sizes.
 */
export const MONGO_LINES = { oldest: [3, 0], newest: [5, 0] } as const;

const line = ([major, minor]: readonly [number, number]) => `${major}.${minor}`;

/**
 * Why the API cannot use a mongo image, or undefined when it can. An untagged or `latest` image
 * is a current MongoDB, newer than 5.0; a digest or a tag that names no version cannot be read,
 * so the operator's choice stands.
 */
export function unusableMongoImage(imageRef: string): string | undefined {
    const version = imageVersion(imageRef);
    const accepted = `use a mongo image from ${line(MONGO_LINES.oldest)} to ${line(MONGO_LINES.newest)}`;
    if (version === "latest" || (version !== undefined && lineBefore(MONGO_LINES.newest, version))) {
        const which = version === "latest" ? "an untagged or latest image is a current MongoDB, which is" : `MongoDB ${line(version)} is`;
        return (
            `${which} newer than ${line(MONGO_LINES.newest)}, the last line the API can talk to: go-demo-2's mgo driver ` +
            `sends every command as OP_QUERY, which MongoDB rejects from 5.1 on; ${accepted}`
        );
    }
    if (version !== undefined && lineBefore(version, MONGO_LINES.oldest)) {
        return (
            `MongoDB ${line(version)} is older than ${line(MONGO_LINES.oldest)}, the first line with WiredTiger, whose cache ` +
            `the stack sizes (--wiredTigerCacheSizeGB); ${accepted}`
        );
    }
    return undefined;
}

/** The first MongoDB line without `--rest`/`--httpinterface`. */
export const MONGO_WITHOUT_HTTP = [3, 6] as const;

/**
 * Whether a mongo image still has `--rest`/`--httpinterface` (removed in 3.6): only when its tag
 * names a version before 3.6. An untagged or `latest` image is a current MongoDB; a digest or a
 * tag that names no version cannot be read, and guessing "yes" would start a 3.6+ mongod with an
 * option it rejects.
 */
export function supportsHttpInterface(imageRef: string): boolean {
    const version = imageVersion(imageRef);
    return Array.isArray(version) && lineBefore(version as readonly [number, number], MONGO_WITHOUT_HTTP);
}

/**
 * Whether mongod takes a fractional `--wiredTigerCacheSizeGB`: from 3.3.5 on (the 3.4 line's
 * development releases, so the lab's mongo:3.3, which is 3.3.15; documented as "changed in 3.4":
 * a float, at least 0.25). 3.0 and 3.2 take a whole number of GB, at least 1. An image whose
 * version cannot be read is taken to be within 3.4–5.0.
 */
export function fractionalCacheSize(imageRef: string): boolean {
    const version = imageVersion(imageRef);
    if (version === undefined || version === "latest") {
        return true;
    }
    if (version[0] === 3 && version[1] === 3) {
        const patch = /:3\.3\.(\d+)/.exec(imageRef);
        return patch === null || Number(patch[1]) >= 5;
    }
    return !lineBefore(version, [3, 4]);
}

/**
 * The least memory limit under which a mongod that takes only whole GB of cache (see
 * fractionalCacheSize) keeps MongoDB's rule: its smallest cache, 1 GB, is 50% of (memory − 1 GB)
 * only from 3Gi; below that wiredTigerCacheGB still gives 1, more than the rule allows.
 */
export const WHOLE_GB_CACHE_MEMORY_LIMIT = "3Gi";

/**
 * WiredTiger's cache for a mongod limited to `memoryLimit`: MongoDB's own default rule, 50% of
 * (memory − 1 GB), at least 0.25 GB — applied to the container's limit. mongod cannot be left to
 * apply it itself: it reads the node's RAM (3.x), or a cgroup v1 limit (later 3.6 and 4.0 releases,
 * 4.2–5.0: SERVER-16571) but never a cgroup v2 one (SERVER-60412), which is what current nodes
 * run; on a 16 GB node its cache alone would outgrow a 512Mi limit and the kubelet would OOM-kill
 * it. In GB of 1024 MB, as mongod reads it; rounded down to whole GB where a fraction is not
 * accepted (see fractionalCacheSize), never below 1 there.
 */
export function wiredTigerCacheGB(imageRef: string, memoryLimit: string): number {
    const half = 0.5 * (quantityBytes(memoryLimit) / GI - 1);
    return fractionalCacheSize(imageRef) ? Math.max(0.25, Math.floor(half * 100) / 100) : Math.max(1, Math.floor(half));
}

/**
 * What mongod writes under /data/db before any data, the part of an emptyDir's use that is there
 * from the start: WiredTiger's journal, in files of up to 100 MB of which it keeps the current one
 * and preallocates more (two on an idle server: 300 MB), and FTDC's diagnostic.data, capped at
 * 200 MB. 500 MB, so 512Mi requested; the emptyDir holds that plus up to ~500 MB of data.
 */
const EMPTYDIR_DATA = { request: "512Mi", sizeLimit: "1Gi" } as const;

/** Where the `db` container's /data/db lives: an emptyDir (the lab), or a claim (then it writes only its log). */
export type MongoData = "emptyDir" | "claim";

/** The `db` container, in the split topology's DB Pods and in the lab's combined Pod alike. */
export function mongoContainer(args: MongoContainer, data: MongoData = "emptyDir"): k8s.types.input.core.v1.Container {
    if (args.httpInterface && !supportsHttpInterface(args.image)) {
        throw new Error(
            `mongoContainer: httpInterface needs a mongo image whose tag names a version before 3.6 (--rest and ` +
                `--httpinterface were removed in 3.6), got ${JSON.stringify(args.image)}`,
        );
    }
    const memory = args.memoryLimit ?? DEFAULT_DB_MEMORY_LIMIT;
    const cache = ["--wiredTigerCacheSizeGB", String(wiredTigerCacheGB(args.image, memory))];
    return {
        name: "db",
        image: args.image,
        // The lab's own command, for images before 3.6 only (checked above), which listen on every
        // address by default. Otherwise the image's entrypoint starts mongod (it prefixes arguments
        // that start with '-') and adds --bind_ip_all when no bind option is given (docker-library/mongo,
        // 3.6/docker-entrypoint.sh: "MongoDB 3.6+ defaults to localhost-only binding"): `command`
        // would skip it.
        ...(args.httpInterface ? { command: ["mongod"], args: ["--rest", "--httpinterface", ...cache] } : { args: cache }),
        ports: [
            { name: "mongodb", containerPort: MONGO_PORT, protocol: "TCP" },
            ...(args.httpInterface ? [{ name: "mongodb-http", containerPort: MONGO_HTTP_PORT, protocol: "TCP" }] : []),
        ],
        // mongod opens its port only once its storage is up (src/mongo/db/db.cpp, `_initAndListen`:
        // the transport layer starts last) — after WiredTiger's recovery of an unclean stop, which
        // on a claim can take minutes — so a TCP connect is the readiness, as
        // it is all the API's wait-for-db asks. Nothing runs in the container for it: a `mongo`
        // shell started every 10 s would take its memory from mongod's own limit. Each probe logs a
        // connection accepted and ended.
        startupProbe: { tcpSocket: { port: MONGO_PORT }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: MONGO_STARTUP_SECONDS / 10 },
        readinessProbe: { tcpSocket: { port: MONGO_PORT }, periodSeconds: 10, timeoutSeconds: 5 },
        // Alive: mongod still accepts connections, for a whole minute. A mongod busy with a long
        // operation is taken out of the endpoints, not killed mid-write. The same check as
        // readiness with a longer budget, on purpose (kube-score flags it): docs/stacks.md traces why.
        livenessProbe: { tcpSocket: { port: MONGO_PORT }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
        lifecycle: shutdownDelay,
        resources: {
            // Memory requested as much as limited: the cache above fills up to its size and stays,
            // and a database using more than it requested is the first Pod evicted when its node
            // runs short. Its log and, in an emptyDir, the data itself count as ephemeral storage.
            requests: {
                cpu: "100m",
                memory,
                "ephemeral-storage": data === "emptyDir" ? EMPTYDIR_DATA.request : "256Mi",
            },
            limits: { cpu: "1", memory, "ephemeral-storage": "2Gi" },
        },
        securityContext: restrictedSecurityContext(MONGO_UID),
        volumeMounts: [
            { name: "db-data", mountPath: "/data/db" },
            { name: "db-tmp", mountPath: "/tmp" },
        ],
    };
}

/** The scratch volume mongoContainer mounts at /tmp. */
const mongoTmp: k8s.types.input.core.v1.Volume = { name: "db-tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } };

/**
 * Pod settings mongoContainer needs, with its data in an emptyDir as in the lab: the data goes
 * with the Pod, which is the lab's point about Pods. The mongodb group owns the data volume.
 */
export const mongoPod: { volumes: k8s.types.input.core.v1.Volume[]; fsGroup: number } = {
    volumes: [{ name: "db-data", emptyDir: { sizeLimit: EMPTYDIR_DATA.sizeLimit } }, mongoTmp],
    fsGroup: MONGO_UID,
};

/** A PersistentVolumeClaim for MongoDB's data, kept across releases. */
export interface MongoStorage {
    /** Requested size, a Kubernetes quantity such as `10Gi`. */
    size: string;
    /**
     * Storage class of the claim.
     * @default unset: the cluster's default StorageClass
     * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
     */
    storageClass?: string;
    /**
     * Protect the claim from `pulumi destroy` (Pulumi's `protect` resource option).
     * @default false: `pulumi destroy` deletes the claim, and with it the data
     * @see https://www.pulumi.com/docs/iac/concepts/options/protect/
     */
    protect?: boolean;
}

/**
 * MongoDB's arguments. Its claim lives in `namespace` too, named `<replicaSetName>-data`. The stack
 * gives MongoDB its own `nodeLossTolerationSeconds` (dbNodeLossTolerationSeconds): evicting it does
 * not free its ReadWriteOnce claim, which stays attached to the lost node for minutes more, and
 * replaces a MongoDB whose node may yet come back.
 */
export interface MongoDbArgs extends MongoContainer, WorkloadComponentArgs {
    /**
     * Labels MongoDB's Pod carries and the Services in front of it select.
     * @default `{ type: "db", service: "go-demo-2" }`, the lab's (`selectors.db`)
     * @see selectors
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-selector
     */
    selector?: Record<string, string>;
    /**
     * Where the data lives: a PersistentVolumeClaim, kept across releases.
     * @default none: an emptyDir (at most 1Gi), lost with the Pod, as in the lab
     * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
     */
    storage?: MongoStorage;
}

/** The Kubernetes name of the claim MongoDB named `baseName` keeps its data on. */
export function mongoClaimName(baseName: string): string {
    return `${baseName}-data`;
}

/**
 * MongoDB as its own ReplicaSet, so the API can scale without it. Always one replica: mongod
 * without replica-set configuration cannot run as several Pods behind one Service. A release
 * recreates the Pod (old gone first): two mongods must never open the same data.
 *
 * @example
 * ```ts
 * import { ClusterIPService, MONGO_PORT, MongoDb } from "go-demo-2";
 *
 * const db = new MongoDb("go-demo-2-db", {
 *     namespace: "go-demo-2",
 *     image: "mongo:3.6.23",
 *     httpInterface: false,
 *     memoryLimit: "1Gi",
 *     storage: { size: "10Gi", protect: true },
 * });
 * new ClusterIPService(
 *     "go-demo-2-db",
 *     { namespace: "go-demo-2", selector: db.selector, ports: [{ name: "mongodb", port: MONGO_PORT }] },
 *     { dependsOn: [db] },
 * );
 * ```
 */
export class MongoDb extends pulumi.ComponentResource implements Workload {
    // Declared per class, not inherited: a component package's schema reads a class's own members.
    /** The ReplicaSet of the current Pod template. */
    declare public readonly replicaSet: k8s.apps.v1.ReplicaSet;
    /** The ReplicaSet's Kubernetes name: `<replicaSetName>-<templateHash>`. */
    declare public readonly replicaSetName: string;
    /** The hash of the Pod template, also its Pod's `pod-template-hash` label. */
    declare public readonly templateHash: string;
    /** The labels MongoDB's Pod is selected by across releases. */
    declare public readonly selector: Record<string, string>;
    /** The claim MongoDB's data lives on, when `storage` is set. */
    public readonly claim?: k8s.core.v1.PersistentVolumeClaim;

    constructor(name: string, args: MongoDbArgs, opts?: pulumi.ComponentResourceOptions) {
        const [type, options] = workloadType("MongoDb", opts);
        super(type, name, {}, options);
        const baseName = args.replicaSetName ?? name;
        const { claims, ...parts } = createWorkload(this, name, {
            namespace: args.namespace,
            replicaSetName: args.replicaSetName,
            replicas: 1,
            selector: args.selector ?? selectors.db,
            appName: "mongodb",
            component: "database",
            labels: { vendor: "MongoLabs" },
            containers: [mongoContainer(args, args.storage ? "claim" : "emptyDir")],
            release: "recreate",
            rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
            nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
            architectures: args.architectures,
            fsGroup: mongoPod.fsGroup,
            ...(args.storage
                ? {
                      volumes: [mongoTmp],
                      claims: [{ volume: "db-data", claimName: mongoClaimName(baseName), ...args.storage }],
                  }
                : { volumes: mongoPod.volumes }),
        });
        Object.assign(this, parts);
        this.claim = claims[0];
        this.registerOutputs({ replicaSetName: this.replicaSetName, selector: this.selector });
    }
}
