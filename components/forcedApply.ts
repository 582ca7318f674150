/**
 * The annotation that makes the Kubernetes provider force its Server-Side Apply on one object
 * (pulumi-kubernetes 4.x; it applies with `force: true`, as `kubectl apply --server-side
 * --force-conflicts` does). Without it, a field another field manager has taken over since the
 * last `up` (`kubectl scale` owns `.spec.replicas` through the scale subresource, `kubectl patch`
 * and `kubectl label --overwrite` the fields they changed) fails the next refreshing preview and
 * `up` with a field conflict instead of being set back. Forcing makes the stack's values win and
 * the stack the field's manager again; fields the stack never sets (a label kubectl added) keep
 * their other manager and their value.
 */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/**
 * `annotations` plus the forced apply: the annotations of every object the stack creates but a
 * claim (workload.ts says why not a claim). The forced apply is added last, so it cannot be
 * turned off object by object.
 */
export function forcedApply(annotations: Record<string, string> = {}): Record<string, string> {
    return { ...annotations, [PATCH_FORCE_ANNOTATION]: "true" };
}
