import * as pulumi from "@pulumi/pulumi";

import { apiContainer } from "./api";
import { selectors } from "./labels";
import { mongoContainer, MongoContainerArgs, mongoPod } from "./mongodb";
import { Workload } from "./workload";

export interface CombinedBackendArgs {
    namespace: pulumi.Input<string>;
    /** The ReplicaSet's name before its template hash. Defaults to the component name. */
    replicaSetName?: string;
    /** Defaults to 2, as in the lab. */
    replicas?: number;
    db: MongoContainerArgs;
    /** A go-demo-2 image. */
    apiImage: string;
    /** Seconds `pulumi up` waits for a release's Pods to be Ready. Defaults to Workload's default. */
    rolloutTimeoutSeconds?: number;
    /** Seconds the Pods stay on a node that stopped answering. Defaults to Workload's default. */
    nodeLossTolerationSeconds?: number;
    /** Node architectures (`kubernetes.io/arch`) its images run on. Defaults to Workload's default (amd64). */
    architectures?: readonly string[];
}

/**
 * The lab's first ReplicaSet: the API and MongoDB in one Pod, talking over localhost. It shows
 * why the lab moves on — API and DB can only scale together, and every replica has its own DB
 * (in an emptyDir, so a release that replaces the Pods starts each DB empty).
 */
export class CombinedBackend extends Workload {
    constructor(name: string, args: CombinedBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "go-demo-2:workloads:CombinedBackend",
            name,
            {
                namespace: args.namespace,
                replicaSetName: args.replicaSetName,
                replicas: args.replicas ?? 2,
                selector: selectors.combined,
                appName: "go-demo-2",
                component: "backend",
                labels: { db: "mongo", language: "go" },
                containers: [mongoContainer(args.db), apiContainer({ image: args.apiImage, dbHost: "localhost" })],
                ...mongoPod,
                rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
                nodeLossTolerationSeconds: args.nodeLossTolerationSeconds,
                architectures: args.architectures,
            },
            opts,
        );
    }
}
