import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Stand-ins for the commands a probe or init script runs (`wget`, `nc`), so its behaviour can be
 * tested without a Pod: each logs its arguments and answers as the environment tells it —
 * HELLO, PERSON (wget of /demo/hello, of /demo/person) and NC: `ok`, `fail`, or `hang` (wget only).
 * tests/pods runs the same scripts in the image's busybox against a real API and MongoDB.
 */
const STUBS: Record<string, string> = {
    wget: `echo "wget $*" >>"$CALLS"
case "$*" in *"/demo/person"*) mode=$PERSON ;; *) mode=$HELLO ;; esac
case $mode in ok) exit 0 ;; hang) exec sleep 30 ;; *) exit 1 ;; esac`,
    nc: `echo "nc $*" >>"$CALLS"
[ "$NC" = ok ]`,
};

/** Runs `sh -c script` with the stand-ins first on PATH; returns its exit status (null if killed by the timeout) and the commands it ran. */
export function runWithStubs(script: string, env: Record<string, string>, timeoutMs = 10_000): { status: number | null; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stubs-"));
    try {
        for (const [name, body] of Object.entries(STUBS)) {
            fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        }
        const calls = path.join(dir, "calls");
        fs.writeFileSync(calls, "");
        const result = spawnSync("sh", ["-c", script], {
            env: { PATH: `${dir}:${process.env.PATH}`, CALLS: calls, ...env },
            timeout: timeoutMs,
            stdio: "ignore",
        });
        return { status: result.status, calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
