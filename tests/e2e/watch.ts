import { ChildProcess, spawn } from "child_process";

import { kubectl, labelSelector, readyEndpointsOf } from "./kube";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KubeObject = any;

/** Watches still running; a test that fails before it stops its watch must not leave kubectl behind. */
const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((child) => child.kill()));

/** A running watch: every measurement taken since it started, one per change seen. */
export interface Watching {
    /**
     * Ends the watch (after a moment for the events already on their way) and returns the
     * measurements, the first being the state it started from.
     */
    stop(): Promise<number[]>;
}

/** A running watch of every version of a collection's objects. */
export interface WatchingVersions {
    /**
     * Ends the watch (after a moment for the events already on their way) and returns the objects
     * the list found when it started, then every version an event carried, in the order the API
     * server wrote them (a DELETED event carries the last one).
     */
    stop(): Promise<{ initial: KubeObject[]; versions: KubeObject[] }>;
}

/**
 * Follows a collection on the API server: lists it first and watches from the list's
 * resourceVersion, so nothing is missed in between, and hands every event to `onEvent`.
 * `path` is the collection's API path, e.g. `/api/v1/namespaces/ns/pods` (a namespace that does
 * not exist yet lists empty and is watched all the same).
 */
function follow(
    path: string,
    selector: string,
    onEvent: (type: string, object: KubeObject) => void,
): { initial: KubeObject[]; stop(): Promise<void> } {
    const query = `labelSelector=${encodeURIComponent(selector)}`;
    const list = JSON.parse(kubectl("get", "--raw", `${path}?${query}`));

    const child: ChildProcess = spawn(
        "kubectl",
        ["get", "--raw", `${path}?${query}&watch=true&allowWatchBookmarks=false&resourceVersion=${list.metadata.resourceVersion}`],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    // Nor may it keep the test runner from exiting.
    running.add(child);
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stderr as unknown as { unref(): void }).unref();
    let buffered = "";
    let failure = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (!line) {
                continue;
            }
            const event = JSON.parse(line) as { type: string; object: KubeObject };
            if (event.type === "ERROR") {
                failure = `watch of ${path} failed: ${JSON.stringify(event.object)}`;
                continue;
            }
            onEvent(event.type, event.object);
        }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (failure += chunk));
    child.on("exit", (code, signal) => {
        if (signal !== "SIGTERM") {
            failure += `kubectl watch of ${path} exited early (code ${code})`;
        }
    });

    return {
        initial: list.items,
        async stop() {
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            child.kill("SIGTERM");
            running.delete(child);
            if (failure) {
                throw new Error(failure);
            }
        },
    };
}

/**
 * Follows a collection on the API server and measures it after every change — every change the
 * server reports, not samples — so a moment when, say, a Service had no ready endpoint cannot slip
 * between two polls.
 */
export function watch(path: string, selector: string, measure: (objects: KubeObject[]) => number): Watching {
    const objects = new Map<string, KubeObject>();
    const measurements: number[] = [];
    const followed = follow(path, selector, (type, object) => {
        if (type === "DELETED") {
            objects.delete(object.metadata.name);
        } else {
            objects.set(object.metadata.name, object);
        }
        measurements.push(measure([...objects.values()]));
    });
    followed.initial.forEach((o: KubeObject) => objects.set(o.metadata.name, o));
    measurements.unshift(measure([...objects.values()]));
    return {
        async stop() {
            await followed.stop();
            return measurements;
        },
    };
}

/** Follows every version of a collection's objects (see WatchingVersions). */
export function watchVersions(path: string, selector: string): WatchingVersions {
    const versions: KubeObject[] = [];
    const followed = follow(path, selector, (_type, object) => versions.push(object));
    return {
        async stop() {
            await followed.stop();
            return { initial: followed.initial, versions };
        },
    };
}

/**
 * Where a write falls in the API server's one order of writes: its resourceVersion, which on
 * this cluster's etcd is the store's revision — one counter over every object, so it orders
 * writes to Services and Pods against each other (a Pod's creationTimestamp has whole seconds).
 */
export const revision = (o: KubeObject): number => Number(o.metadata.resourceVersion);

const isReadyPod = (p: KubeObject): boolean =>
    !p.metadata.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");

/** The revisions at which the API started against its MongoDB, from the API server's watch. */
export interface StartOrder {
    /** go-demo-2-db's creation, or its revision when the watch began if it already existed. */
    dbService: number;
    /** The first version of a MongoDB Pod new since the watch began that was Ready. */
    dbPodReady: number;
    /** The creation of the first API Pod new since the watch began. */
    firstApiPod: number;
    /** The new MongoDB and API Pods, by name. */
    newDbPods: string[];
    newApiPods: string[];
}

/**
 * Watches a namespace's go-demo-2-db Service and its MongoDB and API Pods (the split topology's
 * labels, see components/labels.ts) while something creates new ones, and reports in which
 * order the API server saw them: the DB Service, a Ready MongoDB Pod, the first API Pod.
 * Missing steps are reported as Infinity.
 */
export function watchStartOrder(namespace: string, labels: { db: Record<string, string>; api: Record<string, string> }, dbService: string): {
    stop(): Promise<StartOrder>;
} {
    const services = watchVersions(`/api/v1/namespaces/${namespace}/services`, `app.kubernetes.io/instance=${dbService}`);
    const dbPods = watchVersions(`/api/v1/namespaces/${namespace}/pods`, labelSelector(labels.db));
    const apiPods = watchVersions(`/api/v1/namespaces/${namespace}/pods`, labelSelector(labels.api));
    const fresh = ({ initial, versions }: { initial: KubeObject[]; versions: KubeObject[] }) => {
        const old = new Set(initial.map((o) => o.metadata.name));
        return versions.filter((o) => !old.has(o.metadata.name));
    };
    const first = (revisions: number[]) => Math.min(Infinity, ...revisions);
    return {
        async stop() {
            const [svc, db, api] = await Promise.all([services.stop(), dbPods.stop(), apiPods.stop()]);
            const newDb = fresh(db);
            const newApi = fresh(api);
            return {
                dbService: first([...svc.initial, ...svc.versions].map(revision)),
                dbPodReady: first(newDb.filter(isReadyPod).map(revision)),
                firstApiPod: first(newApi.map(revision)),
                newDbPods: [...new Set(newDb.map((p) => p.metadata.name as string))],
                newApiPods: [...new Set(newApi.map((p) => p.metadata.name as string))],
            };
        },
    };
}

/** How many ready addresses a Service's EndpointSlices list. */
function readyEndpoints(slices: KubeObject[]): number {
    return slices.flatMap((s) => readyEndpointsOf(s)).reduce((n, e) => n + e.addresses.length, 0);
}

/** Watches the ready endpoints of a Service. */
export function watchReadyEndpoints(namespace: string, service: string): Watching {
    return watch(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        `kubernetes.io/service-name=${service}`,
        readyEndpoints,
    );
}

/** Watches how many Pods a selector matches, terminating ones included (they still run). */
export function watchPodCount(namespace: string, selector: Record<string, string>): Watching {
    return watch(`/api/v1/namespaces/${namespace}/pods`, labelSelector(selector), (pods) => pods.length);
}

/** Watches how many Pods a selector matches that are Ready and not terminating. */
export function watchReadyPods(namespace: string, selector: Record<string, string>): Watching {
    return watch(`/api/v1/namespaces/${namespace}/pods`, labelSelector(selector), (pods) =>
        pods.filter(
            (p) =>
                !p.metadata.deletionTimestamp &&
                (p.status.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
        ).length,
    );
}

/**
 * The API started only against a MongoDB that answers: the API server wrote go-demo-2-db and a
 * Ready MongoDB Pod before the first API Pod (go-demo-2 dials MongoDB once at start and panics).
 */
export function expectApiStartedAfterDb(stack: string, order: StartOrder, replicas: number): void {
    process.stdout.write(
        `${stack}: revisions: go-demo-2-db ${order.dbService}, MongoDB Pod Ready ${order.dbPodReady}, first API Pod ${order.firstApiPod}\n`,
    );
    expect([order.newDbPods.length, order.newApiPods.length]).toEqual([1, replicas]);
    expect(order.dbService).toBeLessThan(order.firstApiPod);
    expect(order.dbPodReady).toBeLessThan(order.firstApiPod);
}
