import { PACKAGE } from "./package";

/** The lab's app label: every object of the stack carries `service: go-demo-2`, the name the package bears (package.ts). */
export const APP = PACKAGE;

/** Labels a ReplicaSet selects its Pods by, and that its Services select them by. */
export type Selector = Record<string, string>;

/** The lab's selectors, kept exactly so that its kubectl commands keep working. */
export const selectors = {
    /** The lab's first ReplicaSet: API and DB in one Pod. */
    combined: { type: "backend", service: APP },
    db: { type: "db", service: APP },
    api: { type: "api", service: APP },
} as const satisfies Record<string, Selector>;

/**
 * Labels for an object of the stack: the recommended `app.kubernetes.io/*` set, so that
 * dashboards and `kubectl -l app.kubernetes.io/part-of=go-demo-2` find everything.
 *
 * @param name the `app.kubernetes.io/name` (the software: `mongodb`, `go-demo-2`)
 * @param component the `app.kubernetes.io/component` (`database`, `api`, `backend`)
 * @param instance the `app.kubernetes.io/instance`: the Kubernetes object name
 */
export function recommendedLabels(name: string, component: string, instance: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/part-of": APP,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}
