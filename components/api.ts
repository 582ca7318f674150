import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { selectors } from "./labels";
import { MONGO_PORT } from "./mongodb";
import { ANNOTATION_PREFIX } from "./package";
import { shutdownDelay } from "./shutdown";
import { TLS_PROXY_IMAGE, tlsSidecar } from "./tls";
import { createWorkload, restrictedSecurityContext, Workload, WorkloadComponentArgs, workloadType } from "./workload";

export const API_PORT = 8080;
/** The API's health endpoint, the one the lab's probes use. */
export const API_HEALTH_PATH = "/demo/hello";
/** `nobody`: the go-demo-2 binary needs no user of its own. */
const API_UID = 65534;

export interface ApiContainerArgs {
    /** A go-demo-2 image. */
    image: string;
    /** The host the API reaches MongoDB at: the DB Service's name, or `localhost` in a shared Pod. */
    dbHost: string;
    /**
     * The `SERVICE_NAME` the API's metrics carry (the `service` label of go-demo-2's
     * `http_server_resp_time`), such as the name of the Service in front of it.
     * @default none: go-demo-2's own `go-demo`
     * @see https://github.com/vfarcic/go-demo-2/blob/master/main.go (the `service` label of `http_server_resp_time`)
     */
    serviceName?: string;
}

/** Seconds a TCP connect to MongoDB may take before it counts as refused (busybox nc's -w). */
export const DB_CONNECT_SECONDS = 2;
/**
 * `$DB:27017` takes a TCP connection: what the API needs before it dials, and all the probes ask of
 * MongoDB. mongod opens its port only once its storage is up, and what it answers to anything but
 * its own protocol differs by line (3.6 closes the connection on an HTTP request), so nothing more
 * is asked. `nc -z -w` is the nc_bloaty applet (NC_110_COMPAT) of the go-demo-2 image's busybox
 * (alpine 3.4: 1.24.2, whose usage lists `-z` and `-w SEC Timeout for connects`) and of the one
 * the tests run (1.35.0): -w bounds the connect with an alarm, -z closes once connected, exit 0.
 */
export const dbListens = `nc -z -w ${DB_CONNECT_SECONDS} "$DB" ${MONGO_PORT}`;

/**
 * Seconds the liveness gives `/demo/person` to fail. A wedged session fails at once (mgo returns
 * a dead socket's error without any I/O: vendor/gopkg.in/mgo.v2/socket.go, `Query`; go-demo-2's
 * `PersonServer` panics on it, and net/http answers a handler's panic by closing the connection);
 * an answer still on its way after this is a slow query (the handler reads the
 * whole collection), not a wedge, and must not restart the Pod.
 */
export const PERSON_FAILS_WITHIN_SECONDS = 3;

const api = (path: string) => `wget -q -O /dev/null http://127.0.0.1:${API_PORT}${path}`;

/**
 * The liveness script, cheapest check first. Every wait in it is bounded by the same means in
 * busybox 1.24.2 and 1.35.0 — nc's -w, ash's `&`/`wait`/`kill` and `sleep` — never by wget's -T,
 * which bounds only the connect in 1.24.2 (networking/wget.c: "FIXME: does not respect
 * FEATURE_WGET_TIMEOUT and -T N") but the whole request in 1.35.0. A hung `/demo/hello` is cut by
 * the probe's timeoutSeconds, which the kubelet counts as a failure, as it should.
 */
export const API_LIVENESS_SCRIPT = [
    // 1. The API answers at all: /demo/hello needs no database.
    `${api(API_HEALTH_PATH)} || exit 1`,
    // 2. MongoDB takes no connection (an outage, its node lost): a restart would only fail its dial and crash-loop.
    `${dbListens} || exit 0`,
    // 3. MongoDB takes connections: a request that needs it must not fail fast. wget exits 1 on any
    //    failure; killed while still waiting (a slow query), `wait` returns 143 and the probe passes.
    `${api("/demo/person")} & p=$!`,
    `{ sleep ${PERSON_FAILS_WITHIN_SECONDS}; kill $p; } >/dev/null 2>&1 &`,
    `wait $p`,
    `[ $? -ne 1 ]`,
].join("\n");

/** The API's resources, shared by its init container. The API writes nothing but its log. */
const apiResources: k8s.types.input.core.v1.ResourceRequirements = {
    requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "16Mi" },
    limits: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "64Mi" },
};

/**
 * The API's liveness: it fails when the API does not answer, or when MongoDB takes connections but
 * the API cannot serve a request that needs it. go-demo-2 dials MongoDB once at start (main.go,
 * `setupDb`: `mgo.Dial`, which gives up after 10 s, then `panic`) and keeps one global session for
 * its whole life; mgo hands a session's reserved socket back without checking it
 * (vendor/gopkg.in/mgo.v2/session.go, `acquireSocket`), so once the
 * MongoDB it dialled is replaced (a release, a drain, node loss, an OOM kill) every `/demo/person`
 * fails until the process restarts, while `/demo/hello` still answers. A restart then dials the
 * MongoDB that answers and serves again. While MongoDB takes no connection the probe passes:
 * restarting would only crash-loop on the dial and take `/demo/hello` down too. Every 10 s,
 * restarted after 3 failures; what that gives per fault is measured by tests/pods (docs/operations.md,
 * "What it survives").
 */
export const API_LIVENESS_PROBE: k8s.types.input.core.v1.Probe = {
    exec: { command: ["sh", "-c", API_LIVENESS_SCRIPT] },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    // The script's own bounds (nc's connect, the /demo/person window) and a second for the rest.
    timeoutSeconds: DB_CONNECT_SECONDS + PERSON_FAILS_WITHIN_SECONDS + 1,
    failureThreshold: 3,
};

/** The `api` container, in the split topology's API Pods and in the lab's combined Pod alike. */
export function apiContainer(args: ApiContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "api",
        image: args.image,
        env: [
            { name: "DB", value: args.dbHost },
            ...(args.serviceName === undefined ? [] : [{ name: "SERVICE_NAME", value: args.serviceName }]),
        ],
        ports: [{ name: "http", containerPort: API_PORT, protocol: "TCP" }],
        // Ready: the API answers HTTP (3 s without an answer takes the Pod out of the endpoints).
        // /demo/hello needs no database, so a DB outage costs DB requests only.
        readinessProbe: { httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 },
        livenessProbe: API_LIVENESS_PROBE,
        lifecycle: shutdownDelay,
        resources: apiResources,
        securityContext: restrictedSecurityContext(API_UID),
    };
}

/**
 * An init container that holds the API back until MongoDB takes connections at `$DB:27017`: go-demo-2
 * panics when its one dial at start fails (mgo gives up after 10 s), and the kubelet then backs
 * off ever longer (10, 20, 40 … 300 s) before it tries again. Split topology only: in the lab's
 * combined Pod mongod is a sibling container, which starts only after the init containers end.
 */
export function waitForDbContainer(args: ApiContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "wait-for-db",
        image: args.image,
        env: [{ name: "DB", value: args.dbHost }],
        command: ["sh", "-c", `until ${dbListens}; do echo "waiting for MongoDB at $DB:27017"; sleep 1; done`],
        resources: apiResources,
        securityContext: restrictedSecurityContext(API_UID),
    };
}

/** The Pod annotation that carries the template hash of the MongoDB release the API Pods dialled. */
export const DB_RELEASE_ANNOTATION = `${ANNOTATION_PREFIX}db-release`;

export interface GoDemo2ApiArgs extends ApiContainerArgs, WorkloadComponentArgs {
    /**
     * Labels the API's Pods carry and the Services in front of them select.
     * @default `{ type: "api", service: "go-demo-2" }`, the lab's (`selectors.api`)
     * @see selectors
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-selector
     */
    selector?: Record<string, string>;
    /**
     * How many API Pods the ReplicaSet keeps running; with more than one, a PodDisruptionBudget
     * keeps all but one of them through a drain.
     * @default 3, as in the lab
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicas
     */
    replicas?: number;
    /**
     * A kubernetes.io/tls Secret to serve the API over HTTPS from; a name known up front, as the
     * Pod template is hashed (make the component depend on what writes the Secret). With it, a
     * `tls` sidecar terminates HTTPS on TLS_PORT in front of the API.
     * @default none: plain HTTP on API_PORT only, no sidecar
     * @see TLS_PORT
     * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
     */
    tlsSecretName?: string;
    /**
     * The `tls` sidecar's image, with `tlsSecretName`: ghostunnel (its entrypoint), and a `sleep`
     * for the shutdown delay, as the official image's Alpine base has. A mirror's copy of it, for
     * a cluster that pulls from a registry of its own.
     * @default TLS_PROXY_IMAGE (`ghostunnel/ghostunnel:v1.8.4`)
     * @see TLS_PROXY_IMAGE
     */
    tlsProxyImage?: string;
    /**
     * The template hash of the MongoDB release the API talks to. It goes into the Pod template
     * (DB_RELEASE_ANNOTATION), so every MongoDB release is an API release too: new API Pods, which
     * dial the new MongoDB, replace those holding a session to the old one (see API_LIVENESS_PROBE).
     * Make the component depend on what is Ready only once that MongoDB answers.
     * @default none: the Pods carry no DB_RELEASE_ANNOTATION, and a MongoDB release does not replace them
     * @see DB_RELEASE_ANNOTATION
     * @see DB_RELEASE_ANNOTATION
     */
    dbRelease?: string;
}

/**
 * The go-demo-2 API as its own ReplicaSet, scaled independently of the DB it reaches by Service name.
 *
 * @example
 * ```ts
 * import { GoDemo2Api, MongoDb } from "go-demo-2";
 *
 * const db = new MongoDb("go-demo-2-db", { namespace: "go-demo-2", image: "mongo:3.3", httpInterface: false });
 * const api = new GoDemo2Api(
 *     "go-demo-2-api",
 *     {
 *         namespace: "go-demo-2",
 *         image: "vfarcic/go-demo-2",
 *         dbHost: "go-demo-2-db", // the name of the ClusterIPService in front of db
 *         dbRelease: db.templateHash,
 *     },
 *     { dependsOn: [db] },
 * );
 * ```
 */
export class GoDemo2Api extends pulumi.ComponentResource implements Workload {
    // Declared per class, not inherited: a component package's schema reads a class's own members.
    /** The ReplicaSet of the current Pod template. */
    declare public readonly replicaSet: k8s.apps.v1.ReplicaSet;
    /** The ReplicaSet's Kubernetes name: `<replicaSetName>-<templateHash>`. */
    declare public readonly replicaSetName: string;
    /** The hash of the Pod template, also its Pods' `pod-template-hash` label. */
    declare public readonly templateHash: string;
    /** The labels the API's Pods are selected by across releases. */
    declare public readonly selector: Record<string, string>;
    /** Keeps all but one Pod through a drain; present with more than one replica. */
    declare public readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;

    constructor(name: string, args: GoDemo2ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        const [type, options] = workloadType("GoDemo2Api", opts);
        super(type, name, {}, options);
        const tls = args.tlsSecretName === undefined ? undefined : tlsSidecar(args.tlsSecretName, API_PORT, API_HEALTH_PATH, args.tlsProxyImage ?? TLS_PROXY_IMAGE);
        Object.assign(
            this,
            createWorkload(this, name, {
                namespace: args.namespace,
                replicaSetName: args.replicaSetName,
                replicas: args.replicas ?? 3,
                selector: args.selector ?? selectors.api,
                appName: "go-demo-2",
                component: "api",
                labels: { language: "go" },
                initContainers: [waitForDbContainer(args)],
                containers: [apiContainer(args), ...(tls ? [tls.container] : [])],
                podAnnotations: args.dbRelease === undefined ? undefined : { [DB_RELEASE_ANNOTATION]: args.dbRelease },
                volumes: tls ? [tls.volume] : undefined,
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
                architectures: args.architectures,
            }),
        );
        this.registerOutputs({ replicaSetName: this.replicaSetName, selector: this.selector });
    }
}
