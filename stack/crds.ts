import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Reads CustomResourceDefinitions the stack's objects need from the cluster. A read of a missing one
 * fails the preview and the update, so a stack whose Namespace depends on these reads (and every
 * object of the stack lives in the Namespace) creates nothing on a cluster without them; a read
 * object is never deleted by the stack. Each read is named `<name>-requires-<crd>`.
 */
export function requireCrds(
    name: string,
    crds: readonly string[],
    opts?: pulumi.CustomResourceOptions,
): k8s.apiextensions.v1.CustomResourceDefinition[] {
    return crds.map((crd) => k8s.apiextensions.v1.CustomResourceDefinition.get(`${name}-requires-${crd}`, crd, opts));
}
