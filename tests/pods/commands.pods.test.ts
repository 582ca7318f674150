/**
 * Every command the stacks run inside a Pod (init containers, exec probes, preStop hooks), run with
 * a real busybox as `nobody` in network namespaces made here, against peers that behave as mongod
 * and go-demo-2 do (peer.mjs); then, from what each run measurably did, what the kubelet makes of it
 * over a fault's timeline (kubelet.ts). The busybox is 1.35.0 built by scripts/toolchain/busybox.sh; the
 * go-demo-2 image has 1.24.2, and the commands use only what behaves the same in both (see the
 * comments in components/api.ts).
 */
import { API_LIVENESS_PROBE, API_LIVENESS_SCRIPT, API_PORT, PERSON_FAILS_WITHIN_SECONDS } from "../../components/api";
import { MONGO_PORT } from "../../components/mongodb";
import { SHUTDOWN_DELAY_SECONDS, TERMINATION_GRACE_SECONDS } from "../../components/shutdown";
import { parseConfig } from "../../config";
import { createStack } from "../../stack";
import { installMocks, ofType, registered, resetRecorded } from "../support/mocks";
import { STACKS, stackFileConfig } from "../../tools/project/stackFiles";
import { DbAt, Fault, Liveness, simulate } from "./kubelet";
import { LEGACY } from "./legacy";
import { busyboxPath, DB_ADDRESS, DB_HOST, PodNetwork, Run } from "./sandbox";

/** The parts of a rendered container these tests read: plain values, as the program registers them. */
interface Exec {
    exec?: { command: string[] };
}
type Probe = Exec & { timeoutSeconds?: number };
interface Container {
    name: string;
    command?: string[];
    env?: { name: string; value: string }[];
    livenessProbe?: Probe;
    readinessProbe?: Probe;
    startupProbe?: Probe;
    lifecycle?: { preStop?: Exec };
}

installMocks();
jest.setTimeout(120_000);

/** One command a stack runs in a Pod, where and with what it runs. */
interface InPod {
    where: string;
    command: string[];
    env: Record<string, string>;
    /** The probe's timeoutSeconds, for probes. */
    timeoutSeconds?: number;
}

/** Every exec command of every Pod template the three stacks register. */
async function renderedCommands(): Promise<InPod[]> {
    const found: InPod[] = [];
    for (const name of STACKS) {
        resetRecorded();
        const stack = createStack(parseConfig(stackFileConfig(name), name));
        await registered(stack.db.replicaSet, stack.api.replicaSet);
        for (const rs of ofType("kubernetes:apps/v1:ReplicaSet")) {
            const spec = rs.inputs.spec.template.spec;
            const containers: [string, Container][] = [
                ...(spec.initContainers ?? []).map((c: Container) => ["init", c] as [string, Container]),
                ...spec.containers.map((c: Container) => ["container", c] as [string, Container]),
            ];
            for (const [kind, c] of containers) {
                const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
                const where = `${name}: ${rs.inputs.metadata.name}/${c.name}`;
                if (kind === "init") found.push({ where: `${where} (init)`, command: c.command!, env });
                for (const [probeName, probe] of [
                    ["liveness", c.livenessProbe],
                    ["readiness", c.readinessProbe],
                    ["startup", c.startupProbe],
                ] as [string, Probe | undefined][]) {
                    if (probe?.exec) {
                        found.push({ where: `${where} ${probeName}`, command: probe.exec.command, env, timeoutSeconds: probe.timeoutSeconds ?? 1 });
                    }
                }
                const preStop = c.lifecycle?.preStop;
                if (preStop?.exec) found.push({ where: `${where} preStop`, command: preStop.exec.command as string[], env });
            }
        }
    }
    return found;
}

const script = (c: InPod) => c.command.join(" ");
const passes = (run: Run, timeoutSeconds: number) => run.code === 0 && run.seconds < timeoutSeconds;

const DB_BEHAVIOURS = { "mongod 3.2–3.4, 4.0–5.0": "mongod-http", "mongod 3.6": "mongod-3.6" } as const;
const API_BEHAVIOURS = ["api-healthy", "api-wedged-errors", "api-wedged-hangs", "api-slow", "api-hung", "crashed"] as const;
type DbCase = keyof typeof DB_BEHAVIOURS | "refused" | "dropped";
type ApiCase = (typeof API_BEHAVIOURS)[number];
const DB_CASES: DbCase[] = ["mongod 3.2–3.4, 4.0–5.0", "mongod 3.6", "refused", "dropped"];

let net: PodNetwork;
let commands: InPod[];
const report: string[] = [];

beforeAll(async () => {
    commands = await renderedCommands();
    net = new PodNetwork(busyboxPath());
});
afterAll(async () => {
    await net?.close();
    if (report.length > 0) process.stdout.write(`\nIn-Pod commands, run (busybox 1.35.0):\n${report.join("\n")}\n`);
});

/** Puts MongoDB in a state: a peer listening at the DB Service's name, none (refused), or its packets dropped. */
async function withDb<T>(db: DbCase, body: () => Promise<T>): Promise<T> {
    const peer = db in DB_BEHAVIOURS ? await net.startPeer(net.db, DB_BEHAVIOURS[db as keyof typeof DB_BEHAVIOURS], DB_ADDRESS, MONGO_PORT) : undefined;
    if (db === "dropped") net.dropDbPackets(true);
    try {
        return await body();
    } finally {
        if (db === "dropped") net.dropDbPackets(false);
        if (peer) await net.stopPeer(peer);
    }
}

async function withApi<T>(api: ApiCase, body: () => Promise<T>): Promise<T> {
    const peer = api === "crashed" ? undefined : await net.startPeer(net.pod, api, "127.0.0.1", API_PORT);
    try {
        return await body();
    } finally {
        if (peer) await net.stopPeer(peer);
    }
}

/** Runs a liveness script in each MongoDB × API state; the probe's verdict and the run, by state. */
async function livenessMatrix(command: string[], timeoutSeconds: number, dbs: readonly DbCase[] = DB_CASES, apis: readonly ApiCase[] = API_BEHAVIOURS) {
    const results = new Map<string, Run>();
    for (const db of dbs) {
        for (const api of apis) {
            const run = await withDb(db, () => withApi(api, () => net.run(command, { DB: DB_HOST }, timeoutSeconds + 2)));
            results.set(`${db} / ${api}`, run);
        }
    }
    return results;
}

/** The model's liveness, from the measured runs: a lost MongoDB leaves /demo/person hanging (mgo's socket timeout). */
function measuredLiveness(results: Map<string, Run>, timeoutSeconds: number): Liveness {
    return (db, api) => {
        const dbCase: DbCase = db === "listening" ? "mongod 3.6" : db;
        const apiCase = api === "hung" ? "api-hung" : api === "wedged" ? "api-wedged-errors" : db === "dropped" ? "api-wedged-hangs" : "api-healthy";
        return passes(results.get(`${dbCase} / ${apiCase}`)!, timeoutSeconds);
    };
}

describe("the commands the stacks render", () => {
    it("are the ones these tests run: the API's wait-for-db and liveness, and the preStop delay", () => {
        const wait = commands.filter((c) => c.where.endsWith("wait-for-db (init)"));
        const liveness = commands.filter((c) => c.where.endsWith("/api liveness"));
        const preStop = commands.filter((c) => c.where.endsWith("preStop"));
        expect(wait.length).toBeGreaterThan(0);
        expect(liveness.length).toBeGreaterThan(0);
        expect(new Set(wait.map(script)).size).toBe(1);
        expect(new Set(liveness.map(script)).size).toBe(1);
        expect(new Set(preStop.map(script))).toEqual(new Set([`sleep ${SHUTDOWN_DELAY_SECONDS}`]));
        // Anything else run in a Pod would be untested here.
        expect(commands.filter((c) => !wait.includes(c) && !liveness.includes(c) && !preStop.includes(c)).map((c) => c.where)).toEqual([]);
        expect(liveness[0].command).toEqual(["sh", "-c", API_LIVENESS_SCRIPT]);
    });
});

describe("wait-for-db, the API's init container", () => {
    const waitFor = () => commands.find((c) => c.where.endsWith("wait-for-db (init)"))!;

    it.each(Object.keys(DB_BEHAVIOURS))("ends at once when %s listens", async (db) => {
        const run = await withDb(db as DbCase, () => net.run(waitFor().command, waitFor().env, 10));
        report.push(`  wait-for-db, ${db} listening: exit ${run.code} after ${run.seconds.toFixed(2)} s`);
        expect(run.code).toBe(0);
        expect(run.seconds).toBeLessThan(1);
    });

    it("ends within seconds of MongoDB 3.6 starting to listen (prod's start), and waits in bounded steps before", async () => {
        const running = net.run(waitFor().command, waitFor().env, 20);
        await new Promise((r) => setTimeout(r, 3000));
        const listening = process.hrtime.bigint();
        const run = await withDb("mongod 3.6", async () => {
            const r = await running;
            return { ...r, afterListening: Number(process.hrtime.bigint() - listening) / 1e9 };
        });
        report.push(`  wait-for-db, refused for 3 s then mongod 3.6 listens: exit ${run.code} ${run.afterListening.toFixed(2)} s after it listens`);
        expect(run.code).toBe(0);
        expect(run.afterListening).toBeLessThan(1.5);
        expect(run.output).toContain(`waiting for MongoDB at ${DB_HOST}:${MONGO_PORT}`);
    });

    it("keeps waiting, one bounded try after another, while MongoDB's packets are dropped", async () => {
        const run = await withDb("dropped", () => net.run(waitFor().command, waitFor().env, 8));
        const tries = run.output.split("\n").filter((l) => l.startsWith("waiting")).length;
        report.push(`  wait-for-db, packets dropped: still waiting after ${run.seconds.toFixed(1)} s, ${tries} tries`);
        expect(run.code).toBeNull();
        expect(tries).toBeGreaterThanOrEqual(2);
    });
});

describe("the API's liveness", () => {
    const timeoutSeconds = Number(API_LIVENESS_PROBE.timeoutSeconds);
    let results: Map<string, Run>;
    beforeAll(async () => {
        results = await livenessMatrix(["sh", "-c", API_LIVENESS_SCRIPT], timeoutSeconds);
        report.push(`  API liveness (timeoutSeconds ${timeoutSeconds}), MongoDB / API: exit code, seconds`);
        for (const [k, r] of results) report.push(`    ${k}: ${r.code ?? "cut at deadline"}, ${r.seconds.toFixed(2)} s → ${passes(r, timeoutSeconds) ? "pass" : "FAIL"}`);
    }, 600_000);

    it("fails where a restart helps, and only there", () => {
        const verdicts = Object.fromEntries([...results].map(([k, r]) => [k, passes(r, timeoutSeconds) ? "pass" : "fail"]));
        const expected: Record<string, string> = {};
        for (const db of DB_CASES) {
            const listening = db in DB_BEHAVIOURS;
            expected[`${db} / api-healthy`] = "pass";
            // A wedged session is restarted only while MongoDB takes connections: else the dial would fail.
            expected[`${db} / api-wedged-errors`] = listening ? "fail" : "pass";
            // A hanging request cannot be told from a slow one; mgo's socket timeout turns it into errors after a minute.
            expected[`${db} / api-wedged-hangs`] = "pass";
            expected[`${db} / api-slow`] = "pass";
            expected[`${db} / api-hung`] = "fail";
            expected[`${db} / crashed`] = "fail";
        }
        expect(verdicts).toEqual(expected);
    });

    it("never waits longer than its bounds: a slow /demo/person is let go after its window", () => {
        for (const [k, r] of results) {
            if (!k.endsWith("api-hung")) expect([k, r.seconds < timeoutSeconds]).toEqual([k, true]);
        }
        const slow = results.get("mongod 3.6 / api-slow")!;
        expect(slow.seconds).toBeGreaterThanOrEqual(PERSON_FAILS_WITHIN_SECONDS);
        expect(slow.seconds).toBeLessThan(PERSON_FAILS_WITHIN_SECONDS + 1);
    });

    describe("over a fault's timeline (kubelet rules, from the runs above)", () => {
        const db = (...phases: [until: number, at: DbAt][]) => (t: number) => phases.find(([until]) => t < until)![1];
        const A = { instance: "A" };
        const B = { instance: "B" };
        const model = (fault: Fault) => simulate(API_LIVENESS_PROBE, measuredLiveness(results, timeoutSeconds), fault);

        it("MongoDB's node lost for 10 minutes: no API restart; DB requests back within 40 s of its replacement listening", () => {
            const t = model({ horizon: 1200, db: db([60, A], [660, "dropped"], [Infinity, B]) });
            report.push(`  model, DB node lost 60–660 s, replacement from 660 s: restarts at ${t.restarts.join(", ") || "none"}; DB requests back at ${t.servingSince} s`);
            expect(t.restarts.filter((r) => r < 660)).toEqual([]);
            expect(t.crashes).toEqual([]);
            expect(t.servingSince! - 660).toBeLessThanOrEqual(40);
        });

        it("MongoDB refused for 10 minutes: no API restart", () => {
            const t = model({ horizon: 1200, db: db([60, A], [660, "refused"], [Infinity, B]) });
            report.push(`  model, MongoDB refused 60–660 s, back from 660 s: restarts at ${t.restarts.join(", ") || "none"}; DB requests back at ${t.servingSince} s`);
            expect(t.restarts.filter((r) => r < 660)).toEqual([]);
            expect(t.servingSince! - 660).toBeLessThanOrEqual(40);
        });

        it("MongoDB replaced (a release, an OOM kill): one API restart, DB requests back within 40 s", () => {
            const t = model({ horizon: 600, db: db([100, A], [105, "refused"], [Infinity, B]) });
            report.push(`  model, MongoDB replaced at 100–105 s: restarts at ${t.restarts.join(", ")}; DB requests back at ${t.servingSince} s`);
            expect(t.restarts).toHaveLength(1);
            expect(t.servingSince! - 105).toBeLessThanOrEqual(40);
        });

        it("the API stops serving: restarted within 3 periods and a timeout", () => {
            const t = model({ horizon: 600, db: db([Infinity, A]), apiHangsAt: 100 });
            expect(t.restarts).toHaveLength(1);
            expect(t.restarts[0] - 100).toBeLessThanOrEqual(3 * Number(API_LIVENESS_PROBE.periodSeconds) + timeoutSeconds);
        });
    });
});

describe("the preStop delay", () => {
    it(`keeps the container for ${SHUTDOWN_DELAY_SECONDS} s, well within the grace period`, async () => {
        const preStop = commands.find((c) => c.where.endsWith("preStop"))!;
        const run = await net.run(preStop.command, {}, TERMINATION_GRACE_SECONDS);
        expect(run.code).toBe(0);
        expect(run.seconds).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_SECONDS);
        expect(run.seconds).toBeLessThan(SHUTDOWN_DELAY_SECONDS + 1);
    });
});

describe("the commands before they were run (0.1.0) fail here as they would in the Pods", () => {
    it("wait-for-db never ends on MongoDB 3.6, which closes an HTTP request: prod never started", async () => {
        const run = await withDb("mongod 3.6", () => net.run(["sh", "-c", LEGACY.waitForDb], { DB: DB_HOST }, 15));
        report.push(`  0.1.0 wait-for-db, mongod 3.6 listening: ${run.code === null ? "still looping" : `exit ${run.code}`} after ${run.seconds.toFixed(1)} s`);
        expect(run.code).toBeNull();
    });

    it("the liveness passes a wedged API on MongoDB 3.6, so it is never restarted", async () => {
        const runs = await livenessMatrix(["sh", "-c", LEGACY.liveness], LEGACY.livenessTimeoutSeconds, ["mongod 3.6"], ["api-healthy", "api-wedged-errors", "api-wedged-hangs"]);
        for (const [k, r] of runs) report.push(`  0.1.0 liveness, ${k}: exit ${r.code}, ${r.seconds.toFixed(2)} s`);
        const legacy: Liveness = measuredLiveness(runs, LEGACY.livenessTimeoutSeconds);
        expect(legacy("listening", "wedged")).toBe(true);
        expect(passes(runs.get("mongod 3.6 / api-wedged-hangs")!, LEGACY.livenessTimeoutSeconds)).toBe(true);
        const t = simulate({ ...API_LIVENESS_PROBE, timeoutSeconds: LEGACY.livenessTimeoutSeconds }, legacy, {
            horizon: 1200,
            db: (t) => (t < 100 ? { instance: "A" } : { instance: "B" }),
        });
        report.push(`  0.1.0 liveness, MongoDB 3.6 replaced at 100 s: restarts ${t.restarts.length}, DB requests back: ${t.servingSince ?? "never"}`);
        expect(t.restarts).toEqual([]);
        expect(t.servingSince).toBeUndefined();
    }, 600_000);
});
