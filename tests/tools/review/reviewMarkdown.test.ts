import { outputChanges, releases, reviewMarkdown, UNKNOWN } from "../../../tools/review/reviewMarkdown";

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

    describe("Addresses", () => {
        const preview = { changes: ["update Service/go-demo-2-api"], counts: { same: 11, update: 1 }, violations: [] };
        const clusterIP = { service: "go-demo-2-api", address: "cluster IP", before: "10.96.12.34" } as const;
        const dns = { service: "go-demo-2-api", address: "DNS name", before: "go-demo-2-api.dev.svc", after: "go-demo-2-api.dev.svc" } as const;

        it("warns before the table, naming each Service that moves an address, after the Preview table", () => {
            const md = reviewMarkdown({
                stack: "dev",
                preview,
                outputChanges: [],
                addresses: [
                    { ...clusterIP, after: clusterIP.before, verdict: "stays" },
                    { service: "go-demo-2-api", address: "node port http", before: "30080", after: "30081", verdict: "changes" },
                    { service: "go-demo-2-api", address: "load-balancer address", before: "172.18.0.10", after: undefined, verdict: "goes" },
                    { ...clusterIP, service: "go-demo-2-db", after: undefined, verdict: "changes" },
                    { ...clusterIP, service: "go-demo-2-web", after: UNKNOWN, verdict: "changes" },
                    { service: "go-demo-2-web", address: "node port http", after: undefined, verdict: "new" },
                ],
            });
            expect(md).toContain(
                "**Addresses** of the Services the preview touches:\n\n" +
                    "**Warning: this change moves a Service's address** — clients holding it (DNS caches, firewall rules, node-port URLs) " +
                    "break: `go-demo-2-api`, `go-demo-2-db`, `go-demo-2-web`.\n\n" +
                    "| Service | address | now | after |\n|---|---|---|---|\n" +
                    "| `go-demo-2-api` | cluster IP | `10.96.12.34` | stays |\n" +
                    "| `go-demo-2-api` | node port http | `30080` | **changes**: `30081` |\n" +
                    "| `go-demo-2-api` | load-balancer address | `172.18.0.10` | **goes** |\n" +
                    "| `go-demo-2-db` | cluster IP | `10.96.12.34` | **changes** (assigned after up) |\n" +
                    "| `go-demo-2-web` | cluster IP | `10.96.12.34` | **may change** (known after up) |\n" +
                    "| `go-demo-2-web` | node port http | — | new (assigned after up) |\n",
            );
            expect(md.indexOf("| update | `Service/go-demo-2-api` |")).toBeLessThan(md.indexOf("**Addresses**"));
        });

        it("lists addresses that stay or are new without the warning", () => {
            const md = reviewMarkdown({
                stack: "dev",
                preview,
                outputChanges: [],
                addresses: [
                    { ...clusterIP, after: clusterIP.before, verdict: "stays" },
                    { ...dns, verdict: "stays" },
                    { service: "go-demo-2-api", address: "node port http", after: "30080", verdict: "new" },
                ],
            });
            expect(md).toContain("| `go-demo-2-api` | DNS name | `go-demo-2-api.dev.svc` | stays |");
            expect(md).toContain("| `go-demo-2-api` | node port http | — | new: `30080` |");
            expect(md).not.toContain("Warning");
        });

        it("is left out when the preview touches no Service", () => {
            expect(reviewMarkdown({ stack: "dev", preview, outputChanges: [], addresses: [] })).not.toContain("Addresses");
            expect(reviewMarkdown({ stack: "dev", preview, outputChanges: [] })).not.toContain("Addresses");
        });
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
