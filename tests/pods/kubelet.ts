/**
 * What the kubelet makes of the API container's liveness over a fault's timeline, from what each
 * probe run measurably did (tests/pods/commands.pods.test.ts runs them): the kubelet's probe rules
 * (pkg/kubelet/prober: the first run after initialDelaySeconds, then one every periodSeconds; a run
 * passes when it exits 0 within timeoutSeconds; failureThreshold consecutive failures restart the
 * container) and its restart back-off (pkg/kubelet/kuberuntime: 10 s, doubled per restart, at most
 * 300 s, forgotten after 10 minutes of running), with go-demo-2's start (main.go: one `mgo.Dial`,
 * which tries for 10 s and panics when it fails). One-second steps.
 */
import * as k8s from "@pulumi/kubernetes";

/** Which MongoDB takes connections at `$DB:27017`: an instance's id, or how none does. */
export type DbAt = { instance: string } | "refused" | "dropped";

export interface Fault {
    /** Seconds of the timeline. */
    horizon: number;
    db: (t: number) => DbAt;
    /** From when the API process then running stops serving altogether (it still runs; a restarted one serves). */
    apiHangsAt?: number;
}

/** What the API process is like when probed, which selects the measured run. */
export type ApiState = "healthy" | "wedged" | "hung";

/** Whether a liveness run passes, for MongoDB's state and the API's (the measured runs). */
export type Liveness = (db: "listening" | "refused" | "dropped", api: ApiState) => boolean;

export interface Timeline {
    /** When the kubelet restarted the container, for a failed liveness or a crash. */
    restarts: number[];
    /** When go-demo-2 panicked on its dial. */
    crashes: number[];
    /** From when on the API serves requests that need MongoDB (its session's MongoDB is the current one), undefined if never again. */
    servingSince?: number;
}

/** go-demo-2's one dial: when it got a session, to which MongoDB, in the process started when. */
interface Dial {
    at: number;
    session: string;
    started: number;
}

const DIAL_SECONDS = 10;
const BACKOFF = { initial: 10, max: 300, resetAfter: 600 } as const;

export function simulate(probe: k8s.types.input.core.v1.Probe, liveness: Liveness, fault: Fault): Timeline {
    const initialDelay = Number(probe.initialDelaySeconds ?? 0);
    const period = Number(probe.periodSeconds ?? 10);
    const threshold = Number(probe.failureThreshold ?? 3);
    const restarts: number[] = [];
    const crashes: number[] = [];
    let backoff = 0;
    let started = 0;
    let previousStart = -Infinity;
    let dial: Dial | undefined;
    while (started < fault.horizon) {
        if (started - previousStart >= BACKOFF.resetAfter) backoff = 0;
        previousStart = started;
        dial = undefined;
        // go-demo-2's dial: the first second within DIAL_SECONDS at which a MongoDB takes connections.
        let t = started;
        for (; t < started + DIAL_SECONDS && t < fault.horizon; t++) {
            const db = fault.db(t);
            if (typeof db === "object") {
                dial = { at: t, session: db.instance, started };
                break;
            }
        }
        let stopped: number | undefined;
        if (dial === undefined) {
            if (t >= fault.horizon) break;
            crashes.push(t);
            stopped = t;
        } else {
            let failures = 0;
            for (let p = started + initialDelay; p < fault.horizon; p += period) {
                failures = liveness(...observe(fault, dial, p)) ? 0 : failures + 1;
                if (failures >= threshold) {
                    stopped = p;
                    break;
                }
            }
        }
        if (stopped === undefined) break;
        restarts.push(stopped);
        backoff = backoff === 0 ? BACKOFF.initial : Math.min(BACKOFF.max, backoff * 2);
        started = stopped + backoff;
    }
    return { restarts, crashes, servingSince: dial && servingSince(fault, dial) };
}

/** MongoDB's state and the API's, as a probe at t finds them. */
function observe(fault: Fault, dial: Dial, t: number): [db: "listening" | "refused" | "dropped", api: ApiState] {
    const db = fault.db(t);
    const hung = fault.apiHangsAt !== undefined && dial.started < fault.apiHangsAt && t >= fault.apiHangsAt;
    const api: ApiState = hung ? "hung" : typeof db === "object" && db.instance !== dial.session ? "wedged" : "healthy";
    return [typeof db === "object" ? "listening" : db, api];
}

/** From when on, to the horizon, the last process serves requests that need MongoDB. */
function servingSince(fault: Fault, dial: Dial): number | undefined {
    let since: number | undefined;
    for (let t = dial.at; t < fault.horizon; t++) {
        const [db, api] = observe(fault, dial, t);
        const serving = db === "listening" && api === "healthy";
        since = serving ? (since ?? t) : undefined;
    }
    return since;
}
