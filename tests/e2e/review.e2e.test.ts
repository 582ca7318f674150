/**
 * Rendering, the review summary and the policy pack with the real engine (`npm run test:e2e`).
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { render } from "../../tools/render";
import { diffDirs, enforcementFor, POLICY_PACK } from "../../tools/review";
import { copyProject, stackIn } from "../../tools/workspace";
import { expectedObjects } from "../expected";

jest.setTimeout(10 * 60_000);

/** The provider's file name for an object: `<apiVersion>-<kind>-<namespace>-<name>.yaml`. */
const API_VERSIONS: Record<string, string> = {
    Namespace: "v1",
    Service: "v1",
    ReplicaSet: "apps_v1",
    NetworkPolicy: "networking.k8s.io_v1",
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-render-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(["dev", "lab"] as const)("npm run render -- %s", (stack) => {
    it("renders exactly the stack's objects, one file each, the same way every time", async () => {
        const namespace = `go-demo-2-${stack}`;
        const files = await render(stack, path.join(tmp, `${stack}-1`));
        const expected = expectedObjects(stack, namespace).map((o) => {
            const [kind, name] = o.split("/");
            const ns = kind === "Namespace" ? "default" : namespace;
            return `1-manifest/${API_VERSIONS[kind]}-${kind.toLowerCase()}-${ns}-${name}.yaml`;
        });
        expect(files).toEqual(expected.sort());

        const service = fs.readFileSync(path.join(tmp, `${stack}-1`, `1-manifest/v1-service-${namespace}-go-demo-2-svc.yaml`), "utf8");
        expect(service).toMatch(/type: NodePort/);
        expect(service).toMatch(/port: 28017/);

        await render(stack, path.join(tmp, `${stack}-2`));
        expect(diffDirs(tmp, `${stack}-1`, `${stack}-2`)).toBe("");
    });
});

describe("the rendered-manifest diff of a review", () => {
    it("shows a replicas change as exactly that change", async () => {
        const base = copyProject(["dev"], undefined, tmp);
        const head = copyProject(["dev"], undefined, tmp);
        const stackFile = path.join(head, "Pulumi.dev.yaml");
        const doc = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
        expect(Number(doc.config["go-demo-2:replicas"])).toBe(3);
        doc.config["go-demo-2:replicas"] = 4;
        fs.writeFileSync(stackFile, yaml.dump(doc));

        await render("dev", path.join(tmp, "review-base"), base);
        await render("dev", path.join(tmp, "review-head"), head);
        const diff = diffDirs(tmp, "review-base", "review-head");

        const files = diff.split("\n").filter((l) => l.startsWith("diff --git"));
        expect(files).toHaveLength(1);
        expect(files[0]).toContain("apps_v1-replicaset-go-demo-2-dev-go-demo-2-api.yaml");
        const changed = diff
            .split("\n")
            .filter((l) => /^[-+]\s/.test(l))
            .map((l) => l.replace(/\s+/g, " "));
        expect(changed.sort()).toEqual(
            [
                "- pulumi.com/waitFor: jsonpath={.status.readyReplicas}=3",
                "+ pulumi.com/waitFor: jsonpath={.status.readyReplicas}=4",
                "- replicas: 3",
                "+ replicas: 4",
            ].sort(),
        );
    });
});

describe("the policy pack, enforced by the engine", () => {
    /** The prod stack without TLS (cert-manager's chart cannot be fetched here), plus `config`. */
    async function prodStack(name: string, config: Record<string, string>) {
        const work = copyProject(["prod"], undefined, tmp);
        fs.copyFileSync(path.join(work, "Pulumi.prod.yaml"), path.join(work, `Pulumi.${name}.yaml`));
        const stack = await stackIn(work, name);
        await stack.setConfig("go-demo-2:tls", { value: "false" });
        await stack.removeConfig("go-demo-2:tlsHostname");
        await stack.setConfig("go-demo-2:namespace", { value: `e2e-go-demo-2-${name}` });
        for (const [key, value] of Object.entries(config)) {
            await stack.setConfig(key, { value });
        }
        return stack;
    }
    const policy = { policyPacks: [POLICY_PACK], policyPackConfigs: enforcementFor("prod") };

    it("passes a compliant prod-shaped preview", async () => {
        const stack = await prodStack("prod-ok", {});
        try {
            await stack.preview({ ...policy, color: "never" });
        } finally {
            await stack.workspace.removeStack("prod-ok", { force: true });
        }
    });

    it("fails the preview of a prod config with an unpinned image: a mandatory violation", async () => {
        const stack = await prodStack("prod-bad", { "go-demo-2:apiImage": "vfarcic/go-demo-2" });
        try {
            await expect(stack.preview({ ...policy, color: "never" })).rejects.toThrow(
                /mandatory.*images-pinned|images-pinned.*mandatory/s,
            );
        } finally {
            await stack.workspace.removeStack("prod-bad", { force: true });
        }
    });
});
