/**
 * How `npm run bench` measures: whole commands timed by wall clock, engine runs split at what the
 * program's own Node.js process reports (probe.js), medians of paired runs, and a report of
 * figures and ratios against their targets.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { root } from "../project/root";

/** Wall seconds of a command run in `cwd` (output discarded); fails loudly if it fails, unless `ok` accepts the status. */
export function timeCommand(
    cmd: string,
    args: string[],
    { ok = (status: number) => status === 0, cwd = root }: { ok?: (status: number) => boolean; cwd?: string } = {},
): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status === null || !ok(result.status)) {
        throw new Error(`${cmd} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The median of some figures. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** What probe.js reports of one Node.js process the engine started (times in wall-clock ms). */
interface ProcessReport {
    script?: string;
    startedAt: number;
    loadStartedAt?: number;
    loadEndedAt?: number;
    exitedAt: number;
    maxRssKiB: number;
}

/** One engine command, timed, with the report of the process that ran the program. */
export interface ProbedRun {
    startedAt: number;
    endedAt: number;
    seconds: number;
    program: Required<ProcessReport>;
}

/**
 * Runs an engine command with probe.js preloaded into every Node.js process the engine starts,
 * and returns its wall time and the program process's report (the language host starts the
 * program through @pulumi/pulumi's cmd/run).
 */
export function probed(work: () => unknown): ProbedRun {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-probe-")), "processes.jsonl");
    const added: Record<string, string> = {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "probe.js")}`.trim(),
        GO_DEMO_2_PROBE_FILE: file,
    };
    const saved = Object.fromEntries(Object.keys(added).map((k) => [k, process.env[k]]));
    Object.assign(process.env, added);
    const startedAt = Date.now();
    try {
        work();
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
    const endedAt = Date.now();
    const reports = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as ProcessReport);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const program = reports.find((r) => /cmd[/\\]run([/\\]index\.js)?$/.test(r.script ?? "") && r.loadStartedAt !== undefined);
    if (!program) {
        throw new Error(`no process reported loading the program; processes seen: ${reports.map((r) => r.script).join(", ")}`);
    }
    return { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000, program: program as Required<ProcessReport> };
}

/** The run with the median wall time (of an odd number of runs). */
export function medianRun<T extends { seconds: number }>(runs: T[]): T {
    return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
}

/** Where a run's time went, from the engine's start to its end, split at the program process's reports. */
export function phases(run: ProbedRun): string {
    const p = run.program;
    const part = (label: string, from: number, to: number) => `${label} ${((to - from) / 1000).toFixed(2)} s`;
    return [
        part("engine until the program's Node.js process starts", run.startedAt, p.startedAt),
        part("Node.js and the SDK's runner", p.startedAt, p.loadStartedAt),
        part("loading the program", p.loadStartedAt, p.loadEndedAt),
        part("running it (registrations, provider start, diffs)", p.loadEndedAt, p.exitedAt),
        part("engine after it", p.exitedAt, run.endedAt),
    ].join("; ");
}

export const seconds = (value: number) => `${value.toFixed(2)} s`;

/** One line of the report: a figure, and where it has one, its target and whether it is met. */
interface Row {
    label: string;
    value: string;
    target?: string;
    met?: boolean;
}

/** The figures of one run, printed as they come and as a table at the end. */
export class Report {
    private readonly rows: Row[] = [];

    /** A figure without a target. */
    figure(label: string, value: string): void {
        this.add({ label, value });
    }

    /** `a` as a multiple of `b`, against a target multiple. */
    ratio(label: string, a: number, b: number, target: number, detail: string): void {
        this.add({ label, value: `${(a / b).toFixed(1)}× (${detail})`, target: `≤ ${target}×`, met: a / b <= target });
    }

    /** `a - b` in seconds, against a target difference. */
    overhead(label: string, a: number, b: number, target: number, detail: string): void {
        this.add({ label, value: `${seconds(a - b)} (${detail})`, target: `≤ ${seconds(target)}`, met: a - b <= target });
    }

    /** The labels of the figures this run produced. */
    labels(): string[] {
        return this.rows.map((r) => r.label);
    }

    table(): string {
        const width = Math.max(...this.rows.map((r) => r.label.length));
        return this.rows
            .map((r) => `${r.label.padEnd(width)}  ${r.value}${r.target ? `  target ${r.target}: ${r.met ? "met" : "NOT met"}` : ""}`)
            .join("\n");
    }

    private add(row: Row): void {
        this.rows.push(row);
        const target = row.target ? ` [target ${row.target}: ${row.met ? "met" : "NOT met"}]` : "";
        process.stderr.write(`[bench] ${row.label}: ${row.value}${target}\n`);
    }
}
