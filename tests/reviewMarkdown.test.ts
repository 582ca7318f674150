import { outputChanges, reviewMarkdown, UNKNOWN } from "../tools/reviewMarkdown";

describe("reviewMarkdown", () => {
    it("heads with the counts and lists each object change, the policy, the outputs and the diff", () => {
        const md = reviewMarkdown({
            stack: "dev",
            preview: {
                changes: ["update ReplicaSet/go-demo-2-api"],
                counts: { same: 12, update: 1 },
                violations: ["advisory images-pinned: Container api uses unpinned image vfarcic/go-demo-2."],
            },
            outputChanges: [{ name: "replicas", before: 3, after: UNKNOWN }],
            manifests: { base: "origin/main", diff: "diff --git a/x b/x\n-  replicas: 3\n+  replicas: 4\n" },
        });
        expect(md).toContain("### go-demo-2 `dev`: 1 to update\n");
        expect(md).toContain("| update | `ReplicaSet/go-demo-2-api` |");
        expect(md).not.toContain("same");
        expect(md).toContain("- advisory images-pinned: Container api uses unpinned image vfarcic/go-demo-2.");
        expect(md).toContain("| `replicas` | `3` | `(known after up)` |");
        expect(md).toContain("**Rendered manifests** against `origin/main`: 1 file changed");
        expect(md).toContain("```diff\ndiff --git a/x b/x\n-  replicas: 3\n+  replicas: 4\n```");
    });

    it("says so when nothing changes", () => {
        const md = reviewMarkdown({
            stack: "lab",
            preview: { changes: [], counts: { same: 9, read: 2 }, violations: [] },
            outputChanges: [],
            manifests: { base: "HEAD", diff: "" },
        });
        expect(md).toContain("### go-demo-2 `lab`: no changes");
        expect(md).toContain("No Kubernetes object changes.");
        expect(md).toContain("**Rendered manifests**: identical to `HEAD`.");
        expect(md).not.toContain("Outputs that would change");
    });

    it("explains a stack that was never deployed", () => {
        const md = reviewMarkdown({ stack: "prod", outputChanges: [] });
        expect(md).toContain("### go-demo-2 `prod`: not deployed yet");
        expect(md).toContain("would create everything");
    });
});

describe("outputChanges", () => {
    it("lists added, removed and changed outputs only", () => {
        expect(
            outputChanges(
                { same: { a: 1 }, changed: 1, removed: "x" },
                { same: { a: 1 }, changed: 2, added: true },
            ),
        ).toEqual([
            { name: "added", before: undefined, after: true },
            { name: "changed", before: 1, after: 2 },
            { name: "removed", before: "x", after: undefined },
        ]);
    });
});
