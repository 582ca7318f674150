/**
 * The real node leaves the host as it found it: `npm run cluster -- real-node stop` (which
 * `npm run cluster -- stop`, `npm run down` and the end of the e2e wrapper run) restores what its
 * start changed. scripts/cluster/node/host-state.sh snapshots sysctls, links, addresses, routes,
 * netfilter tables, ipsets, mounts, cgroups and the directories a node writes; the start took one
 * before it changed anything, the stop takes one once it is done, and the two must be equal. Then
 * the node starts again for the tests that follow.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { root } from "../../tools/project/root";
import { assertRealNodeReady, realNodeWanted } from "./realNode";

const cluster = (...args: string[]) =>
    execFileSync("bash", ["scripts/cluster/cluster.sh", ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
const d = realNodeWanted() ? describe : describe.skip;

d("the real node's stop", () => {
    it("leaves sysctls, links, addresses, routes, netfilter, mounts, cgroups and directories as before its start", () => {
        assertRealNodeReady();
        const dir = path.join(root, ".cluster", "real-node-host");
        fs.rmSync(dir, { recursive: true, force: true });
        const t0 = Date.now();
        cluster("real-node", "stop");
        const stopped = (Date.now() - t0) / 1000;
        const before = fs.readFileSync(path.join(dir, "before.txt"), "utf8");
        const after = fs.readFileSync(path.join(dir, "after.txt"), "utf8");
        // A fresh snapshot too: nothing the stop left running changes the host afterwards.
        const now = execFileSync("bash", ["scripts/cluster/node/host-state.sh"], { cwd: root, encoding: "utf8" });
        const diff = (a: string, b: string) => {
            const A = new Set(a.split("\n"));
            const B = new Set(b.split("\n"));
            return { gone: [...A].filter((l) => !B.has(l)), added: [...B].filter((l) => !A.has(l)) };
        };
        expect(before.split("\n").length).toBeGreaterThan(100);
        expect(diff(before, after)).toEqual({ gone: [], added: [] });
        expect(diff(before, now)).toEqual({ gone: [], added: [] });
        console.log(`real node stopped and the host restored in ${stopped.toFixed(1)} s`);

        const t1 = Date.now();
        cluster("real-node", "start");
        assertRealNodeReady();
        console.log(`real node started again in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    }, 600_000);
});
