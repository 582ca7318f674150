import { outputChanges, releases, reviewMarkdown, UNKNOWN } from "../tools/reviewMarkdown";

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

    it("explains each release: surge for a new ReplicaSet beside the old, recreate for a replacement", () => {
        const md = reviewMarkdown({
            stack: "dev",
            preview: {
                changes: [
                    "create ReplicaSet/go-demo-2-api-bbbbbbbbbb",
                    "delete ReplicaSet/go-demo-2-api-aaaaaaaaaa",
                    "replace ReplicaSet/go-demo-2-db-dddddddddd",
                ],
                counts: { create: 1, delete: 1, replace: 1 },
                violations: [],
            },
            outputChanges: [],
        });
        expect(md).toContain("**Releases**");
        expect(md).toContain("- `go-demo-2-api` (`aaaaaaaaaa` → `bbbbbbbbbb`): new Pods start beside the old ones");
        expect(md).toContain("- `go-demo-2-db` (→ `dddddddddd`): the old Pod is deleted first");
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

describe("releases", () => {
    it("pairs a created and a deleted ReplicaSet of one workload, and reads a replacement as recreate", () => {
        expect(
            releases([
                "create NetworkPolicy/go-demo-2-db",
                "create ReplicaSet/go-demo-2-api-1111111111",
                "delete ReplicaSet/go-demo-2-api-0000000000",
                "create-replacement ReplicaSet/go-demo-2-db-3333333333",
                "delete-replaced ReplicaSet/go-demo-2-db-2222222222",
                "replace ReplicaSet/go-demo-2-db-3333333333",
            ]),
        ).toEqual([
            { workload: "go-demo-2-api", release: "surge", from: "0000000000", to: "1111111111" },
            { workload: "go-demo-2-db", release: "recreate", from: undefined, to: "3333333333" },
        ]);
    });

    it("is no release when a ReplicaSet is only created, deleted or scaled", () => {
        expect(
            releases([
                "create ReplicaSet/go-demo-2-api-1111111111",
                "delete ReplicaSet/go-demo-2-1111111111",
                "update ReplicaSet/go-demo-2-db-2222222222",
            ]),
        ).toEqual([]);
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
