/**
 * The Pulumi package name of these components: the first part of every type token
 * (`go-demo-2:index:ClusterIPService`), and the name a component package registers.
 */
export const PACKAGE = "go-demo-2";
