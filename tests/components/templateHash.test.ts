import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";

import { contentHash, templateHash } from "../../components/templateHash";

/** A Pod template with every field a release can change. */
const template = {
    metadata: { labels: { type: "api", service: "go-demo-2" } },
    spec: {
        containers: [
            {
                name: "api",
                image: "vfarcic/go-demo-2",
                command: ["/usr/local/bin/go-demo"],
                args: ["--verbose"],
                env: [{ name: "DB", value: "go-demo-2-db" }],
                readinessProbe: { httpGet: { path: "/demo/hello", port: 8080 }, periodSeconds: 1 },
                resources: { requests: { cpu: "50m" }, limits: { memory: "128Mi" } },
                securityContext: { runAsUser: 65534, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
        ],
        volumes: [{ name: "tmp", emptyDir: {} }],
        securityContext: { runAsNonRoot: true },
    },
};

/** A deep copy of the template with `edit` applied to it. */
function changed(edit: (t: typeof template) => void): typeof template {
    const copy = structuredClone(template);
    edit(copy);
    return copy;
}

describe("templateHash", () => {
    it("is the same in every run and process: a fixed template has a fixed hash", () => {
        // Recorded once; a change here renames every ReplicaSet of every deployed stack.
        expect(templateHash(template)).toBe("e060bdb779");
    });

    it("ignores the order keys were written in, and keys left undefined", () => {
        const reordered = { spec: { ...template.spec, securityContext: { runAsNonRoot: true } }, metadata: template.metadata };
        expect(templateHash(reordered)).toBe(templateHash(template));
        expect(templateHash({ ...template, extra: undefined })).toBe(templateHash(template));
    });

    it.each<[string, (t: typeof template) => void]>([
        ["image", (t) => (t.spec.containers[0].image = "vfarcic/go-demo-2:2.0")],
        ["command", (t) => (t.spec.containers[0].command = ["/go-demo"])],
        ["args", (t) => (t.spec.containers[0].args = [])],
        ["env", (t) => (t.spec.containers[0].env[0].value = "localhost")],
        ["probe", (t) => (t.spec.containers[0].readinessProbe.periodSeconds = 2)],
        ["resources", (t) => (t.spec.containers[0].resources.limits.memory = "256Mi")],
        ["container security", (t) => (t.spec.containers[0].securityContext.runAsUser = 1000)],
        ["Pod security", (t) => (t.spec.securityContext.runAsNonRoot = false)],
        ["volumes", (t) => (t.spec.volumes[0].name = "scratch")],
        ["volume mounts", (t) => (t.spec.containers[0].volumeMounts[0].mountPath = "/scratch")],
        ["labels", (t) => (t.metadata.labels.type = "backend")],
        ["container order", (t) => t.spec.containers.push({ ...t.spec.containers[0], name: "second" })],
    ])("changes with the %s", (_field, edit) => {
        expect(templateHash(changed(edit))).not.toBe(templateHash(template));
    });

    it("refuses an Output: a ReplicaSet's name must be known when the program runs", () => {
        const withOutput = changed((t) => (t.spec.containers[0].image = pulumi.output("late") as unknown as string));
        expect(() => templateHash(withOutput)).toThrow(/template\.spec\.containers\[0\]\.image is an Output/);
    });
});

// Properties (fast-check generates the inputs and shrinks a failure to its smallest case).
/** Plain JSON-like data, as Pod templates are. */
const data = fc.jsonValue();

/** The same object with its keys in another order, at every level. */
function reordered(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(reordered);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
    }
    return value;
}

describe("contentHash", () => {
    it("is the same for the same data in any key order", () => {
        fc.assert(fc.property(data, (value) => contentHash(value, "t") === contentHash(reordered(value), "t")));
    });

    it("differs when any value changes (a template change is a new release)", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.string(), { minKeys: 1 }), fc.string(), (template, suffix) => {
                const [key, value] = Object.entries(template)[0];
                fc.pre(suffix !== "");
                return contentHash(template, "t") !== contentHash({ ...template, [key]: value + suffix }, "t");
            }),
        );
    });

    it("is always 10 hex digits, the length Kubernetes keeps of pod-template-hash", () => {
        fc.assert(fc.property(data, (value) => /^[0-9a-f]{10}$/.test(contentHash(value, "t"))));
    });
});
