/**
 * Rendering, the review summary and the policy pack with the real engine (`npm run test:e2e`).
 */
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { render } from "../../tools/review/render";
import { CHANGES, diffDirs, enforcementFor, POLICY_PACK, steps } from "../../tools/review/review";
import { copyProject, stackIn } from "../../tools/project/workspace";
import { currentContext } from "./stacks";
import { expectedObjects, withoutTemplateHash } from "../support/expected";

jest.setTimeout(10 * 60_000);

/** The provider's file name for an object: `<apiVersion>-<kind>-<namespace>-<name>.yaml`. */
const API_VERSIONS: Record<string, string> = {
    Namespace: "v1",
    Issuer: "cert-manager.io_v1",
    Certificate: "cert-manager.io_v1",
    Service: "v1",
    ReplicaSet: "apps_v1",
    NetworkPolicy: "networking.k8s.io_v1",
    PersistentVolumeClaim: "v1",
    ConfigMap: "v1",
    PodDisruptionBudget: "policy_v1",
};

/** A rendered file's name with a ReplicaSet's template hash taken out. */
const withoutHash = (file: string) => file.replace(/^(1-manifest\/apps_v1-replicaset-.+)-[0-9a-f]{10}\.yaml$/, "$1.yaml");

/** dev's stack file with `edit` applied, in a copy of the project under `parent`. */
function editedDev(parent: string, edit: (config: Record<string, unknown>) => void): string {
    const head = copyProject(["dev"], undefined, parent);
    const stackFile = path.join(head, "Pulumi.dev.yaml");
    const doc = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
    edit(doc.config);
    fs.writeFileSync(stackFile, yaml.dump(doc));
    return head;
}

/** The rendered-manifest diff between dev as shipped and dev with `edit` applied. */
async function devDiff(label: string, edit: (config: Record<string, unknown>) => void): Promise<string> {
    await render("dev", path.join(tmp, `${label}-base`), copyProject(["dev"], undefined, tmp));
    await render("dev", path.join(tmp, `${label}-head`), editedDev(tmp, edit));
    return diffDirs(tmp, `${label}-base`, `${label}-head`);
}

/** The changed lines of a diff, whitespace collapsed, sorted. */
const changedLines = (diff: string) =>
    diff
        .split("\n")
        .filter((l) => /^[-+]\s/.test(l))
        .map((l) => l.replace(/\s+/g, " "))
        .sort();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-render-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** One rendered object per stack, and what it must say. */
const samples = {
    dev: { object: "v1-service-go-demo-2-dev-go-demo-2-svc.yaml", says: [/type: NodePort/, /port: 28017/] },
    lab: { object: "v1-service-go-demo-2-lab-go-demo-2-svc.yaml", says: [/type: NodePort/, /port: 28017/] },
    // Rendered without a cluster: the CRD reads of certManager: existing must not need one.
    prod: {
        object: "cert-manager.io_v1-certificate-go-demo-2-prod-go-demo-2-api-tls.yaml",
        says: [/secretName: go-demo-2-api-tls/, /- go-demo-2\.example\.com/, /- go-demo-2-api\.go-demo-2-prod\.svc\.cluster\.local/],
    },
};

describe.each(["dev", "lab", "prod"] as const)("npm run render -- %s", (stack) => {
    it("renders exactly the stack's objects, one file each, the same way every time", async () => {
        const namespace = `go-demo-2-${stack}`;
        const files = await render(stack, path.join(tmp, `${stack}-1`));
        const expected = expectedObjects(stack, namespace).map((o) => {
            const [kind, name] = o.split("/");
            const ns = kind === "Namespace" ? "default" : namespace;
            return `1-manifest/${API_VERSIONS[kind]}-${kind.toLowerCase()}-${ns}-${name}.yaml`;
        });
        expect(files.map(withoutHash)).toEqual(expected.sort());

        const sample = fs.readFileSync(path.join(tmp, `${stack}-1`, "1-manifest", samples[stack].object), "utf8");
        for (const pattern of samples[stack].says) {
            expect(sample).toMatch(pattern);
        }

        await render(stack, path.join(tmp, `${stack}-2`));
        expect(diffDirs(tmp, `${stack}-1`, `${stack}-2`)).toBe("");
    });
});

describe("the rendered-manifest diff of a review", () => {
    it("shows a replicas change as exactly that change", async () => {
        const diff = await devDiff("replicas", (config) => {
            expect(Number(config["go-demo-2:replicas"])).toBe(3);
            config["go-demo-2:replicas"] = 4;
        });
        const files = diff.split("\n").filter((l) => l.startsWith("diff --git"));
        expect(files).toHaveLength(1);
        expect(files[0]).toMatch(/apps_v1-replicaset-go-demo-2-dev-go-demo-2-api-[0-9a-f]{10}\.yaml/);
        const lines = changedLines(diff);
        // The replicas, what up waits for, and the ReplicaSet's revision (a hash of its metadata and replicas).
        expect(lines.filter((l) => !/pulumi\.com\/waitFor|go-demo-2\.local\/revision/.test(l))).toEqual(["- replicas: 3", "+ replicas: 4"].sort());
        const waits = lines.filter((l) => l.includes("pulumi.com/waitFor"));
        expect(waits.map((l) => [l[0], /readyReplicas\}=(\d)/.exec(l)?.[1]]).sort()).toEqual([["+", "4"], ["-", "3"]]);
        expect(lines.filter((l) => /^[-+] go-demo-2\.local\/revision: [0-9a-f]{10}$/.test(l)).map((l) => l[0]).sort()).toEqual(["+", "-"]);
    });

    it("shows a new image as a new ReplicaSet: the file renamed after the new template hash, the images changed", async () => {
        const diff = await devDiff("image", (config) => (config["go-demo-2:apiImage"] = "vfarcic/go-demo-2:2.0"));
        const files = diff.split("\n").filter((l) => l.startsWith("diff --git"));
        expect(files).toHaveLength(1);
        const [, from, to] = /-go-demo-2-api-([0-9a-f]{10})\.yaml .*-go-demo-2-api-([0-9a-f]{10})\.yaml$/.exec(files[0]) ?? [];
        expect(from).toBeDefined();
        expect(to).not.toBe(from);
        expect(diff).toContain("rename from");
        // The ReplicaSet's revision hashes its labels, the template hash among them, and what up
        // waits for names the revision.
        const revisionLines = (l: string) => /^[-+] (go-demo-2\.local\/revision|pulumi\.com\/waitFor): /.test(l);
        expect(changedLines(diff).filter(revisionLines).map((l) => l.slice(0, 3))).toEqual(["+ g", "+ p", "- g", "- p"]);
        expect(changedLines(diff).filter((l) => !revisionLines(l))).toEqual(
            [
                `- name: go-demo-2-api-${from}`,
                `+ name: go-demo-2-api-${to}`,
                `- pod-template-hash: ${from}`,
                `+ pod-template-hash: ${to}`,
                `- pod-template-hash: ${from}`,
                `+ pod-template-hash: ${to}`,
                `- pod-template-hash: ${from}`,
                `+ pod-template-hash: ${to}`,
                // The api container's, and its init container's (wait-for-db runs the API's image).
                "- image: vfarcic/go-demo-2",
                "+ image: vfarcic/go-demo-2:2.0",
                "- image: vfarcic/go-demo-2",
                "+ image: vfarcic/go-demo-2:2.0",
            ].sort(),
        );
    });
});

describe("the policy pack, enforced by the engine", () => {
    /** The prod stack as shipped (TLS on, the cluster's cert-manager), plus `config`. */
    async function prodStack(name: string, config: Record<string, string>) {
        const work = copyProject(["prod"], undefined, tmp);
        fs.copyFileSync(path.join(work, "Pulumi.prod.yaml"), path.join(work, `Pulumi.${name}.yaml`));
        const stack = await stackIn(work, name);
        await stack.setConfig("go-demo-2:namespace", { value: `e2e-go-demo-2-${name}` });
        await stack.setConfig("kubernetes:context", { value: currentContext() });
        for (const [key, value] of Object.entries(config)) {
            await stack.setConfig(key, { value });
        }
        return stack;
    }
    const policy = { policyPacks: [POLICY_PACK], policyPackConfigs: enforcementFor("prod") };

    it("passes the preview of prod as shipped, TLS objects included", async () => {
        const stack = await prodStack("prod-ok", {});
        try {
            const events: EngineEvent[] = [];
            await stack.preview({ ...policy, onEvent: (e) => events.push(e), color: "never" });
            expect(steps(events, CHANGES).map(withoutTemplateHash)).toEqual(expectedObjects("prod", "e2e-go-demo-2-prod-ok").map((o) => `create ${o}`));
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
