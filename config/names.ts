/**
 * The object names the config's rules and reference speak of. They are the stack's (stack/names.ts
 * takes them from here), but config/ depends on nothing above it, so the name lives where both reach it.
 */

/** The NodePort Service the lab's `kubectl expose` creates, in front of MongoDB's HTTP interface. */
export const DB_HTTP_SERVICE = "go-demo-2-svc";
