/**
 * The Pulumi package name of these components: the first part of every type token
 * (`go-demo-2:index:ClusterIPService`), and the name a component package registers. It is also
 * the name of the application the components deploy (the lab's `service` label, `app.kubernetes.io/part-of`:
 * see labels.ts APP): one name, one constant.
 */
export const PACKAGE = "go-demo-2";

/**
 * A component type token, `<package>:<module>:<Type>`. New tokens live in the `index` module, as
 * component packages require; the other modules are those of the first releases, kept as aliases.
 * A token is part of every URN under it: changing one replaces every component of that type.
 */
export function typeToken(type: string, module: "index" | "services" | "workloads" | "tls" = "index"): string {
    return `${PACKAGE}:${module}:${type}`;
}

/**
 * The prefix of every annotation key the components and the stack own (`go-demo-2.local/revision`):
 * a domain name, as Kubernetes asks of a key's prefix, under `.local` because nobody owns it publicly.
 */
export const ANNOTATION_PREFIX = `${PACKAGE}.local/`;
