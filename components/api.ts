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

/** The `api` container, in the split topology's API Pods and in the lab's combined Pod alike. */
export function apiContainer(args: ApiContainerArgs): k8s.types.input.core.v1.Container {
    return {
        name: "api",
        image: args.image,
        env: [{ name: "DB", value: args.dbHost }],
        ports: [{ name: "http", containerPort: API_PORT, protocol: "TCP" }],
        // Ready: the API answers HTTP (3 s without an answer takes the Pod out of the endpoints).
        readinessProbe: { httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 },
        // Alive: the process still accepts connections, for a whole minute. A slow API or a busy
        // MongoDB only takes the Pod out of the endpoints; a restart would not make either faster.
        livenessProbe: { tcpSocket: { port: API_PORT }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
        lifecycle: shutdownDelay,
        resources: {
            // The API writes nothing but its log.
            requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "16Mi" },
            limits: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "64Mi" },
        },
        securityContext: restrictedSecurityContext(API_UID),
    };
}

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
                containers: [apiContainer(args), ...(tls ? [tls.container] : [])],
                volumes: tls ? [tls.volume] : undefined,
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
            },
            opts,
        );
    }
}
