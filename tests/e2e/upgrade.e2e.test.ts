/**
 * A stack deployed by the program before the components became a package (type tokens
 * `go-demo-2:services:*` and `go-demo-2:workloads:*`, components imported from files) keeps every
 * resource when the current program takes it over: its preview plans one in-place update of every
 * Kubernetes object but the claim, adding the forced apply (`pulumi.com/patchForce`, components
 * 0.3.0) and nothing else, no replacement; `up` keeps every object (uid) and spec in the cluster. That the
 * annotation is the whole change is what makes taking over a deployed stack safe: an annotation is
 * applied in place, and no Pod restarts. That release is read from git history; the run needs the
 * repository's history (a clone, not an archive).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";

import { PATCH_FORCE_ANNOTATION } from "../../components/forcedApply";
import { names } from "../../stack";
import { REVISION_ANNOTATION } from "../../components/serviceSpec";
import { copyProject, stackIn } from "../../tools/project/workspace";
import { root } from "../../tools/project/root";
import { expectedObjects, withoutTemplateHash } from "../support/expected";
import { exists, kubectlJson, liveObjects } from "./kube";
import { currentContext } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

/** The last commit before the components became a package: the release deployed stacks run. */
const PREVIOUS_RELEASE = "010b6563a34e8ee8e6123ea32e47dfda79b5c57e";
const namespace = "e2e-go-demo-2-upgrade";

it("dev deployed by the previous release: this program updates every object but the claim in place, annotations only, and up keeps every object", async () => {
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

        // The current program takes over the same folder and stack, as a checkout of the new
        // release does: the previous release's files go (config.ts would shadow config/), its
        // stack file stays.
        for (const entry of fs.readdirSync(workDir).filter((e) => e !== "node_modules" && e !== "Pulumi.dev.yaml")) {
            fs.rmSync(path.join(workDir, entry), { recursive: true, force: true });
        }
        const current = copyProject(["dev"], root, tmp);
        fs.cpSync(current, workDir, { recursive: true, force: true, filter: (src) => !src.endsWith("node_modules") && !src.endsWith("Pulumi.dev.yaml") });

        const events: EngineEvent[] = [];
        await timed("upgrade: preview (this program)", () => fresh.preview({ onEvent: (e) => events.push(e), color: "never" }));
        // The provider names each annotation that changes, or the whole map where the object had
        // none. A Service's revision hashes everything it is given, so it and the wait that names
        // it change with the forced apply.
        const changing = [PATCH_FORCE_ANNOTATION, REVISION_ANNOTATION, "pulumi.com/waitFor"].map((a) => `metadata.annotations["${a}"]`);
        const forcedApplyOnly = (m: StepEventMetadata) =>
            Object.keys(m.detailedDiff ?? {}).some((key) => key.includes(PATCH_FORCE_ANNOTATION) || key === "metadata.annotations") &&
            Object.keys(m.detailedDiff ?? {}).every(
                (key) =>
                    changing.includes(key) ||
                    (key === "metadata.annotations" && JSON.stringify(m.new?.inputs?.metadata?.annotations) === JSON.stringify({ [PATCH_FORCE_ANNOTATION]: "true" })),
            );
        // Egress (components 0.4.0) is the one change beyond the forced apply: the smoke Job's
        // policy is new, the default deny and the API's policy gain Egress.
        const egress = [`NetworkPolicy/${names.smoke}`, `NetworkPolicy/${names.api}`, `NetworkPolicy/${names.defaultDeny}`];
        const steps = events
            // (A read, such as the load balancer's live address, is no change.)
            .flatMap((e) => (e.resourcePreEvent && !["same", "read"].includes(e.resourcePreEvent.metadata.op) ? [e.resourcePreEvent.metadata] : []))
            .filter((m) => m.type.startsWith("kubernetes:"))
            .map((m) => ({ object: `${m.type.split(":")[2]}/${m.urn.split("::").pop()}`, op: m.op, forced: forcedApplyOnly(m) }));
        expect(steps.filter((m) => egress.includes(m.object)).map((m) => [m.op, m.object]).sort()).toEqual([
            ["create", `NetworkPolicy/${names.smoke}`],
            ["update", `NetworkPolicy/${names.api}`],
            ["update", `NetworkPolicy/${names.defaultDeny}`],
        ]);
        const planned = steps.filter((m) => !egress.includes(m.object)).map((m) => [m.op, m.forced]);
        // Every other object of the stack but the claim (components/workload.ts), updated in place,
        // the forced apply its only change (a Service's revision annotation follows it).
        const updated = expectedObjects("dev", namespace).filter((o) => !o.startsWith("PersistentVolumeClaim/"));
        expect(planned).toEqual(updated.filter((o) => !egress.includes(o)).map(() => ["update", true]));
        await timed("upgrade: up (this program)", () => fresh.up({ color: "never" }));
        const types = (await fresh.exportStack()).deployment.resources.map((r: { type: string }) => r.type);
        expect(types).toContain("go-demo-2:index:LoadBalancerService");
        expect(types).not.toContain("go-demo-2:services:LoadBalancerService");
        // The same objects with the same specs; the destroy guard's line shows its annotations, now with the forced apply.
        const unchanged = (objects: string[]) => objects.filter((o) => !egress.includes(o.split(" ")[0]));
        expect(unchanged(liveObjects(namespace)).map((o) => o.replace(`,"${PATCH_FORCE_ANNOTATION}":"true"`, ""))).toEqual(unchanged(live));
        const forced = kubectlJson("get", "services,replicasets,configmaps,networkpolicies,poddisruptionbudgets", "-n", namespace, "-l", "app.kubernetes.io/part-of=go-demo-2")
            .items.map((o: { kind: string; metadata: { name: string; annotations?: Record<string, string> } }) => [`${o.kind}/${o.metadata.name}`, o.metadata.annotations?.[PATCH_FORCE_ANNOTATION]]);
        expect(forced.map(([object]: [string]) => withoutTemplateHash(object)).sort()).toEqual(updated.filter((o) => !o.startsWith("Namespace/")).sort());
        expect(forced).toEqual(forced.map(([object]: [string]) => [object, "true"]));
        await timed("upgrade: preview (this program, no change)", () => fresh.preview({ expectNoChanges: true, color: "never" }));
        await timed("upgrade: destroy", () => fresh.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
    } finally {
        await stack.destroy({ color: "never" }).catch(() => undefined);
        await stack.workspace.removeStack("dev").catch(() => undefined);
        execFileSync("git", ["-C", root, "worktree", "remove", "--force", previous], { stdio: "ignore" });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});
