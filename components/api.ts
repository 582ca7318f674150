import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { selectors } from "./labels";
import { shutdownDelay } from "./shutdown";
import { tlsSidecar } from "./tls";
import { restrictedSecurityContext, Workload } from "./workload";

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
}

/** Seconds each wget of the probes below waits for an answer (busybox wget's -T). */
const WGET_TIMEOUT_SECONDS = 2;
const wget = (url: string) => `wget -q -T ${WGET_TIMEOUT_SECONDS} -O /dev/null ${url}`;
/**
 * `$DB:27017` answers: mongod answers a plain HTTP GET on its driver port with a short text
 * ("It looks like you are trying to access MongoDB over HTTP on the native driver port.",
 * HTTP/1.0 200) in every line the stack accepts — src/mongo/util/net/message_port.cpp (3.2–3.4)
 * and src/mongo/transport/session_asio.h (3.6–5.0) of mongodb/mongo — so busybox's wget, which
 * the go-demo-2 image (alpine 3.4) ships with sh and sleep, can ask without a MongoDB client.
 */
const dbAnswers = wget("http://$DB:27017/");

/** The API's resources, shared by its init container. The API writes nothing but its log. */
const apiResources: k8s.types.input.core.v1.ResourceRequirements = {
    requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "16Mi" },
    limits: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "64Mi" },
};

/**
 * The API's liveness: it fails only when MongoDB answers but the API cannot serve a request that
 * needs it. go-demo-2 dials MongoDB once at start (`mgo.Dial`, panicking if that fails) and keeps
 * one global session for its whole life; mgo hands a session's reserved socket back without
 * checking it (`Session.acquireSocket`), so once the MongoDB it dialled is replaced (a release, a
 * drain, node loss, an OOM kill) every `/demo/person` fails until the process restarts, while
 * `/demo/hello` still answers. A restart then dials the MongoDB that answers and serves again.
 * While MongoDB does not answer (an outage) the probe passes: restarting would only crash-loop on
 * the dial and take `/demo/hello` down too. Checked every 10 s, restarted after 3 failures: DB
 * requests come back at most ~30 s after MongoDB does (README, "What it survives").
 */
export const API_LIVENESS_PROBE: k8s.types.input.core.v1.Probe = {
    exec: { command: ["sh", "-c", `${wget(`http://localhost:${API_PORT}/demo/person`)} || ! ${dbAnswers}`] },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    // Both wgets may wait out their timeout.
    timeoutSeconds: 2 * WGET_TIMEOUT_SECONDS + 1,
    failureThreshold: 3,
};

/** The `api` container, in the split topology's API Pods and in the lab's combined Pod alike. */
export function apiContainer(args: ApiContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "api",
        image: args.image,
        env: [{ name: "DB", value: args.dbHost }],
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
 * An init container that holds the API back until MongoDB answers at `$DB:27017`: go-demo-2
 * panics when its one dial at start fails (mgo gives up after 10 s), and the kubelet then backs
 * off ever longer (10, 20, 40 … 300 s) before it tries again. Split topology only: in the lab's
 * combined Pod mongod is a sibling container, which starts only after the init containers end.
 */
export function waitForDbContainer(args: ApiContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "wait-for-db",
        image: args.image,
        env: [{ name: "DB", value: args.dbHost }],
        command: ["sh", "-c", `until ${dbAnswers}; do echo "waiting for MongoDB at $DB:27017"; sleep 1; done`],
        resources: apiResources,
        securityContext: restrictedSecurityContext(API_UID),
    };
}

/** The Pod annotation that carries the template hash of the MongoDB release the API Pods dialled. */
export const DB_RELEASE_ANNOTATION = "go-demo-2.local/db-release";

export interface GoDemo2ApiArgs extends ApiContainerArgs {
    namespace: pulumi.Input<string>;
    /** The ReplicaSet's name before its template hash. Defaults to the component name. */
    replicaSetName?: string;
    /** Defaults to 3, as in the lab. */
    replicas?: number;
    /**
     * A kubernetes.io/tls Secret to serve the API over HTTPS from; a name known up front, as the
     * Pod template is hashed (make the component depend on what writes the Secret). Defaults to
     * plain HTTP only.
     */
    tlsSecretName?: string;
    /** Seconds `pulumi up` waits for a release's Pods to be Ready. Defaults to Workload's default. */
    rolloutTimeoutSeconds?: number;
    /** Seconds the Pods stay on a node that stopped answering. Defaults to Workload's default. */
    nodeLossTolerationSeconds?: number;
    /**
     * The template hash of the MongoDB release the API talks to. It goes into the Pod template
     * (DB_RELEASE_ANNOTATION), so every MongoDB release is an API release too: new API Pods, which
     * dial the new MongoDB, replace those holding a session to the old one (see API_LIVENESS_PROBE).
     * Make the component depend on what is Ready only once that MongoDB answers. Defaults to none.
     */
    dbRelease?: string;
}

/** The go-demo-2 API as its own ReplicaSet, scaled independently of the DB it reaches by Service name. */
export class GoDemo2Api extends Workload {
    constructor(name: string, args: GoDemo2ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        const tls = args.tlsSecretName === undefined ? undefined : tlsSidecar(args.tlsSecretName, API_PORT, API_HEALTH_PATH);
        super(
            "go-demo-2:workloads:GoDemo2Api",
            name,
            {
                namespace: args.namespace,
                replicaSetName: args.replicaSetName,
                replicas: args.replicas ?? 3,
                selector: selectors.api,
                appName: "go-demo-2",
                component: "api",
                labels: { language: "go" },
                initContainers: [waitForDbContainer(args)],
                containers: [apiContainer(args), ...(tls ? [tls.container] : [])],
                podAnnotations: args.dbRelease === undefined ? undefined : { [DB_RELEASE_ANNOTATION]: args.dbRelease },
                volumes: tls ? [tls.volume] : undefined,
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
            },
            opts,
        );
    }
}
