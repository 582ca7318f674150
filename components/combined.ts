import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { apiContainer } from "./api";
import { selectors } from "./labels";
import { mongoContainer, MongoContainer, mongoPod } from "./mongodb";
import { createWorkload, Workload, WorkloadComponentArgs, workloadType } from "./workload";

export interface CombinedBackendArgs extends WorkloadComponentArgs {
    /**
     * Labels the Pods carry and the Services in front of them select.
     * @default `{ type: "backend", service: "go-demo-2" }`, the lab's (`selectors.combined`)
     * @see selectors
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-selector
     */
    selector?: Record<string, string>;
    /**
     * How many Pods the ReplicaSet keeps running, each with its own MongoDB; with more than one,
     * a PodDisruptionBudget keeps all but one of them through a drain.
     * @default 2, as in the lab
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicas
     */
    replicas?: number;
    /** The `db` container of every Pod: its mongo image, HTTP interface and memory. */
    db: MongoContainer;
    /** A go-demo-2 image. */
    apiImage: string;
    /**
     * The `SERVICE_NAME` the API's metrics carry (the `service` label of go-demo-2's
     * `http_server_resp_time`), such as the name of the Service in front of the API.
     * @default none: go-demo-2's own `go-demo`
     * @see ApiContainerArgs.serviceName
     */
    apiServiceName?: string;
}

/**
 * The lab's first ReplicaSet: the API and MongoDB in one Pod, talking over localhost. It shows
 * why the lab moves on — API and DB can only scale together, and every replica has its own DB
 * (in an emptyDir, so a release that replaces the Pods starts each DB empty).
 *
 * @example
 * ```ts
 * import { CombinedBackend } from "go-demo-2";
 *
 * const backend = new CombinedBackend("go-demo-2-backend", {
 *     namespace: "go-demo-2",
 *     db: { image: "mongo:3.3", httpInterface: true },
 *     apiImage: "vfarcic/go-demo-2",
 * });
 * export const backendSelector = backend.selector; // { type: "backend", service: "go-demo-2" }
 * ```
 */
export class CombinedBackend extends pulumi.ComponentResource implements Workload {
    // Declared per class, not inherited: a component package's schema reads a class's own members.
    /** The ReplicaSet of the current Pod template. */
    declare public readonly replicaSet: k8s.apps.v1.ReplicaSet;
    /** The ReplicaSet's Kubernetes name: `<replicaSetName>-<templateHash>`. */
    declare public readonly replicaSetName: string;
    /** The hash of the Pod template, also its Pods' `pod-template-hash` label. */
    declare public readonly templateHash: string;
    /** The labels the Pods are selected by across releases. */
    declare public readonly selector: Record<string, string>;
    /** Keeps all but one Pod through a drain; present with more than one replica. */
    declare public readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;

    constructor(name: string, args: CombinedBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        const [type, options] = workloadType("CombinedBackend", opts);
        super(type, name, {}, options);
        Object.assign(
            this,
            createWorkload(this, name, {
                namespace: args.namespace,
                replicaSetName: args.replicaSetName,
                replicas: args.replicas ?? 2,
                selector: args.selector ?? selectors.combined,
                appName: "go-demo-2",
                component: "backend",
                labels: { db: "mongo", language: "go" },
                containers: [mongoContainer(args.db), apiContainer({ image: args.apiImage, dbHost: "localhost", serviceName: args.apiServiceName })],
                ...mongoPod,
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
                architectures: args.architectures,
            }),
        );
        this.registerOutputs({ replicaSetName: this.replicaSetName, selector: this.selector });
    }
}
