/**
 * A stack deployed by the program before the components became a package (type tokens
 * `go-demo-2:services:*` and `go-demo-2:workloads:*`, components imported from files) keeps every
 * resource when the current program takes it over: its preview plans no change, and `up` keeps
 * every object (uid) in the cluster. That release is read from git history; the run needs the
 * repository's history (a clone, not an archive).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { copyProject, root, stackIn } from "../../tools/workspace";
import { exists, liveObjects } from "./kube";
import { currentContext } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

/** The last commit before the components became a package: the release deployed stacks run. */
const PREVIOUS_RELEASE = "010b6563a34e8ee8e6123ea32e47dfda79b5c57e";
const namespace = "e2e-go-demo-2-upgrade";

it("dev deployed by the previous release previews no change with this program, and up keeps every object", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-upgrade-"));
    const previous = path.join(tmp, "previous");
    execFileSync("git", ["-C", root, "worktree", "add", "--detach", "--quiet", previous, PREVIOUS_RELEASE]);
    const workDir = copyProject(["dev"], previous, tmp);
    const stack = await stackIn(workDir, "dev");
    try {
        await stack.workspace.removeStack("dev", { force: true, preserveConfig: true }).catch(() => undefined);
        const fresh = await stackIn(workDir, "dev");
        await fresh.setAllConfig({
            "go-demo-2:namespace": { value: namespace },
            "kubernetes:context": { value: currentContext() },
        });
        await timed("upgrade: up (previous release)", () => fresh.up({ color: "never" }));
        const state = (await fresh.exportStack()).deployment.resources.map((r: { type: string }) => r.type);
        expect(state).toContain("go-demo-2:services:LoadBalancerService");
        expect(state).toContain("go-demo-2:workloads:MongoDb");
        const live = liveObjects(namespace);

        // The current program takes over the same folder and stack.
        fs.rmSync(path.join(workDir, "components"), { recursive: true, force: true });
        const current = copyProject(["dev"], root, tmp);
        fs.cpSync(current, workDir, { recursive: true, force: true, filter: (src) => !src.endsWith("node_modules") && !src.endsWith("Pulumi.dev.yaml") });

        await timed("upgrade: preview (this program, no change)", () => fresh.preview({ expectNoChanges: true, color: "never" }));
        await timed("upgrade: up (this program)", () => fresh.up({ color: "never" }));
        const types = (await fresh.exportStack()).deployment.resources.map((r: { type: string }) => r.type);
        expect(types).toContain("go-demo-2:index:LoadBalancerService");
        expect(types).not.toContain("go-demo-2:services:LoadBalancerService");
        expect(liveObjects(namespace)).toEqual(live);
        await timed("upgrade: destroy", () => fresh.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
    } finally {
        await stack.destroy({ color: "never" }).catch(() => undefined);
        await stack.workspace.removeStack("dev").catch(() => undefined);
        execFileSync("git", ["-C", root, "worktree", "remove", "--force", previous], { stdio: "ignore" });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});
