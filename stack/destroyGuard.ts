import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { forcedApply } from "go-demo-2";

/**
 * Whether the guard is protected, on the live object, for whoever reads the cluster. The one key
 * not under ANNOTATION_PREFIX (`go-demo-2.local/`): it is already on the guard ConfigMap of every
 * stack with a claim (dev, prod), and a new key would be an in-place update of that ConfigMap in
 * their next preview, which a move of code must not cause. A new annotation takes ANNOTATION_PREFIX.
 */
export const PROTECTED_ANNOTATION = "go-demo-2/protected";

export interface DestroyGuardArgs {
    namespace: pulumi.Input<string>;
    /** Whether `pulumi destroy` must refuse. */
    protect: boolean;
    /** What the guard keeps: a claim name, for the people who read the ConfigMap. */
    guards: string;
    /** Every other resource of the stack (components stand for all their children). */
    dependsOn: pulumi.Resource[];
    labels: Record<string, string>;
}

/**
 * A ConfigMap that makes a protected stack's `pulumi destroy` refuse before it deletes anything.
 * Destroy deletes dependents before what they depend on, and `protect` stops only the resource it
 * is on: a protected claim alone is reached last, after the API, its Services and the workloads
 * are gone. The guard depends on every other resource, so destroy reaches it first and, when it is
 * protected, stops there. It exists whenever there is data to keep, so that turning protection off
 * is an `up` that changes only the guard, shown as such in the preview. Its state is an annotation,
 * not data: the provider replaces a ConfigMap whose data changes, and a protected one cannot be.
 */
export function destroyGuard(name: string, args: DestroyGuardArgs): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(
        name,
        {
            metadata: {
                name,
                namespace: args.namespace,
                labels: args.labels,
                annotations: forcedApply({ [PROTECTED_ANNOTATION]: String(args.protect) }),
            },
            data: {
                guards: args.guards,
                unprotect: "pulumi config set go-demo-2:dbStorageProtected false && pulumi up; then pulumi destroy deletes everything",
            },
        },
        { protect: args.protect, dependsOn: args.dependsOn },
    );
}
