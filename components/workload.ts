import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { recommendedLabels, Selector } from "./labels";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

/** What every workload of the stack is: a ReplicaSet of identical Pods. */
export interface WorkloadArgs {
    /** Namespace the ReplicaSet and its Pods live in. */
    namespace: pulumi.Input<string>;
    /** The ReplicaSet's Kubernetes name. Defaults to the component name. */
    replicaSetName?: string;
    /** How many Pods the ReplicaSet keeps running. */
    replicas: number;
    /** Labels the ReplicaSet, and the Services in front of it, select Pods by. */
    selector: Selector;
    /** The software, for `app.kubernetes.io/name` (`mongodb`, `go-demo-2`). */
    appName: string;
    /** Its role, for `app.kubernetes.io/component` (`database`, `api`, `backend`). */
    component: string;
    /** Further labels on the ReplicaSet and its Pods, such as the lab's own. Defaults to none. */
    labels?: Record<string, string>;
    containers: Container[];
    /** Defaults to none. */
    volumes?: Volume[];
    /** Group that owns the Pod's volumes, for images that run as a fixed non-root user. Defaults to unset. */
    fsGroup?: number;
}

/**
 * A ReplicaSet whose `pulumi up` waits until every replica is Ready: ReplicaSets have no
 * awaiter of their own, and a Service in front of Pods that are not Ready has no endpoints.
 */
export class Workload extends pulumi.ComponentResource {
    public readonly replicaSet: k8s.apps.v1.ReplicaSet;
    /** The ReplicaSet's Kubernetes name. */
    public readonly replicaSetName: pulumi.Output<string>;
    /** Labels that select this workload's Pods; Services in front of it use exactly these. */
    public readonly selector: Selector;

    protected constructor(type: string, name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);

        this.selector = args.selector;
        const replicaSetName = args.replicaSetName ?? name;
        const labels = {
            ...args.labels,
            ...recommendedLabels(args.appName, args.component, replicaSetName),
            ...args.selector,
        };
        this.replicaSet = new k8s.apps.v1.ReplicaSet(
            `${name}-replicaset`,
            {
                metadata: {
                    name: replicaSetName,
                    namespace: args.namespace,
                    labels,
                    annotations: { "pulumi.com/waitFor": `jsonpath={.status.readyReplicas}=${args.replicas}` },
                },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: args.selector },
                    template: {
                        metadata: { labels },
                        spec: {
                            containers: args.containers,
                            volumes: args.volumes,
                            // Neither container talks to the Kubernetes API.
                            automountServiceAccountToken: false,
                            securityContext: {
                                runAsNonRoot: true,
                                seccompProfile: { type: "RuntimeDefault" },
                                fsGroup: args.fsGroup,
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
        this.replicaSetName = this.replicaSet.metadata.name;
        this.registerOutputs({ replicaSetName: this.replicaSetName, selector: this.selector });
    }
}

/** The container settings every container of the stack shares: no privileges, read-only root. */
export function restrictedSecurityContext(uid: number): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsUser: uid,
        runAsGroup: uid,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    };
}
