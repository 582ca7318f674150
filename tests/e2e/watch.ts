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

/**
 * Follows a collection on the API server and measures it after every change — every change the
 * server reports, not samples — so a moment when, say, a Service had no ready endpoint cannot slip
 * between two polls. Lists first and watches from the list's resourceVersion, so nothing is missed
 * in between. `path` is the collection's API path, e.g. `/api/v1/namespaces/ns/pods`.
 */
export function watch(path: string, selector: string, measure: (objects: KubeObject[]) => number): Watching {
    const query = `labelSelector=${encodeURIComponent(selector)}`;
    const list = JSON.parse(kubectl("get", "--raw", `${path}?${query}`));
    const objects = new Map<string, KubeObject>(list.items.map((o: KubeObject) => [o.metadata.name, o]));
    const measurements = [measure([...objects.values()])];

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
            if (event.type === "DELETED") {
                objects.delete(event.object.metadata.name);
            } else {
                objects.set(event.object.metadata.name, event.object);
            }
            measurements.push(measure([...objects.values()]));
        }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (failure += chunk));
    child.on("exit", (code, signal) => {
        if (signal !== "SIGTERM") {
            failure += `kubectl watch of ${path} exited early (code ${code})`;
        }
    });

    return {
        async stop() {
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            child.kill("SIGTERM");
            running.delete(child);
            if (failure) {
                throw new Error(failure);
            }
            return measurements;
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
