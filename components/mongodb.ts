import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { imageVersion } from "./imageVersion";
import { selectors } from "./labels";
import { shutdownDelay } from "./shutdown";
import { restrictedSecurityContext, Workload } from "./workload";

export const MONGO_PORT = 27017;
/** The REST/HTTP interface of MongoDB before 3.6, which the lab exposes to prove a Service works. */
export const MONGO_HTTP_PORT = 28017;
/** The `mongodb` user of the official mongo images, which owns /data/db. */
const MONGO_UID = 999;

export interface MongoContainerArgs {
    /** A mongo image. */
    image: string;
    /** Run `mongod --rest --httpinterface` and expose 28017 (MongoDB older than 3.6 only). */
    httpInterface: boolean;
}

/** The first MongoDB line whose images ship only `mongosh` (6.0 removed the legacy `mongo` shell). */
const MONGOSH_ONLY_FROM = 6;

/**
 * The MongoDB shell a mongo image ships: `mongo` up to 5.0, only `mongosh` from 6.0 and in an
 * untagged or `latest` image. Where the version cannot be read (a digest, a custom tag), `mongo`.
 */
export function mongoShell(imageRef: string): "mongo" | "mongosh" {
    const version = imageVersion(imageRef);
    return version === "latest" || (version !== undefined && version[0] >= MONGOSH_ONLY_FROM) ? "mongosh" : "mongo";
}

/** The `db` container, in the split topology's DB Pods and in the lab's combined Pod alike. */
export function mongoContainer(args: MongoContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "db",
        image: args.image,
        // The lab's own command; without the HTTP interface the image's entrypoint starts mongod
        // with the right bind options for its version (3.6+ listens on localhost only by default).
        ...(args.httpInterface ? { command: ["mongod"], args: ["--rest", "--httpinterface"] } : {}),
        ports: [
            { name: "mongodb", containerPort: MONGO_PORT, protocol: "TCP" },
            ...(args.httpInterface ? [{ name: "mongodb-http", containerPort: MONGO_HTTP_PORT, protocol: "TCP" }] : []),
        ],
        // Ready: mongod answers a command, asked with the MongoDB shell the image ships (an exec
        // probe needs no shell of the operating system).
        readinessProbe: {
            exec: { command: [mongoShell(args.image), "--quiet", "--eval", "db.adminCommand('ping')"] },
            periodSeconds: 10,
            timeoutSeconds: 5,
        },
        // Alive: mongod still accepts connections, for a whole minute. A mongod busy with a long
        // operation is taken out of the endpoints, not killed mid-write.
        livenessProbe: { tcpSocket: { port: MONGO_PORT }, initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
        lifecycle: shutdownDelay,
        resources: {
            // Its log and, in the emptyDir topologies, the data itself count as ephemeral storage.
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "2Gi" },
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
    volumes: [{ name: "db-data", emptyDir: {} }, mongoTmp],
    fsGroup: MONGO_UID,
};

/** A PersistentVolumeClaim for MongoDB's data, kept across releases. */
export interface MongoStorageArgs {
    /** Requested size, a Kubernetes quantity such as `10Gi`. */
    size: string;
    /** Storage class. Defaults to the cluster's default class. */
    storageClass?: string;
    /** Protect the claim from `pulumi destroy`. Defaults to false. */
    protect?: boolean;
}

export interface MongoDbArgs extends MongoContainerArgs {
    namespace: pulumi.Input<string>;
    /** The ReplicaSet's name before its template hash. Defaults to the component name. */
    replicaSetName?: string;
    /** Where the data lives. Defaults to an emptyDir, lost with the Pod, as in the lab. */
    storage?: MongoStorageArgs;
    /** Seconds `pulumi up` waits for the new Pod to be Ready. Defaults to Workload's default. */
    rolloutTimeoutSeconds?: number;
    /** Seconds the Pod stays on a node that stopped answering. Defaults to Workload's default. */
    nodeLossTolerationSeconds?: number;
}

/**
 * MongoDB as its own ReplicaSet, so the API can scale without it. Always one replica: mongod
 * without replica-set configuration cannot run as several Pods behind one Service. A release
 * recreates the Pod (old gone first): two mongods must never open the same data.
 */
export class MongoDb extends Workload {
    constructor(name: string, args: MongoDbArgs, opts?: pulumi.ComponentResourceOptions) {
        const baseName = args.replicaSetName ?? name;
        super(
            "go-demo-2:workloads:MongoDb",
            name,
            {
                namespace: args.namespace,
                replicaSetName: args.replicaSetName,
                replicas: 1,
                selector: selectors.db,
                appName: "mongodb",
                component: "database",
                labels: { vendor: "MongoLabs" },
                containers: [mongoContainer(args)],
                release: "recreate",
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
                fsGroup: mongoPod.fsGroup,
                ...(args.storage
                    ? {
                          volumes: [mongoTmp],
                          claims: [{ volume: "db-data", claimName: `${baseName}-data`, ...args.storage }],
                      }
                    : { volumes: mongoPod.volumes }),
            },
            opts,
        );
    }
}
