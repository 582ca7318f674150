import { AddressChange, movesAnAddress, UNKNOWN } from "../../guards/addresses";

export { UNKNOWN };

export interface PreviewSummary {
    /** Kubernetes objects the preview would change, as `op Kind/name`, sorted. */
    changes: string[];
    /** How many resources of any kind (components included) each operation touches. */
    counts: Record<string, number>;
    /** `level policy: message` for each policy violation the pack reported. */
    violations: string[];
}

export interface OutputChange {
    name: string;
    before: unknown;
    after: unknown;
}

export interface ReviewInput {
    stack: string;
    /** Missing when the stack has not been deployed to the backend yet. */
    preview?: PreviewSummary;
    outputChanges: OutputChange[];
    /** What the preview does to the addresses of the Services it touches (guards/addresses.ts). */
    addresses?: AddressChange[];
    /** The base ref the rendered manifests were compared with, and the unified diff (empty: none). */
    manifests?: { base: string; diff: string };
}

/** A workload release a preview's changes amount to. */
export interface ReleaseChange {
    /** The workload's ReplicaSet name without the template hash. */
    workload: string;
    /** `surge`: new ReplicaSet beside the old one; `recreate`: the old one deleted first. */
    release: "surge" | "recreate";
    from?: string;
    to?: string;
}

const REPLICA_SET = /^(create|delete|replace|create-replacement|delete-replaced) ReplicaSet\/(.+)-([0-9a-f]{10})$/;

/**
 * The releases among a preview's changes: a ReplicaSet created with the old one of the same
 * workload deleted (surge), or a ReplicaSet replaced (recreate). Read from the ReplicaSets'
 * names, which carry their Pod template's hash.
 */
export function releases(changes: string[]): ReleaseChange[] {
    const byWorkload = new Map<string, { ops: Set<string>; created?: string; deleted?: string }>();
    for (const change of changes) {
        const m = REPLICA_SET.exec(change);
        if (!m) {
            continue;
        }
        const [, op, workload, hash] = m;
        const entry = byWorkload.get(workload) ?? { ops: new Set<string>() };
        entry.ops.add(op);
        if (op === "create" || op === "replace" || op === "create-replacement") {
            entry.created = hash;
        } else if (op === "delete") {
            entry.deleted = hash;
        }
        byWorkload.set(workload, entry);
    }
    return [...byWorkload.entries()]
        .filter(([, e]) => e.ops.has("replace") || (e.ops.has("create") && e.ops.has("delete")))
        .map(([workload, e]) => ({
            workload,
            release: e.ops.has("replace") ? ("recreate" as const) : ("surge" as const),
            from: e.deleted,
            to: e.created,
        }))
        .sort((a, b) => a.workload.localeCompare(b.workload));
}

const RELEASE_TEXT = {
    surge: "new Pods start beside the old ones, which are deleted once every new Pod is Ready; `up` fails and the old ones keep serving if they never are",
    recreate: "the old Pod is deleted first, then the new one starts (the workload is down in between)",
} as const;

const show = (value: unknown): string =>
    value === undefined ? "—" : "`" + JSON.stringify(value).replaceAll(`"${UNKNOWN}"`, "(known after up)") + "`";

const code = (value: string): string => "`" + value + "`";

/** What happens to an address in `up`, and its value after. */
function addressAfter(row: AddressChange): string {
    if (row.verdict === "stays") {
        return "stays";
    }
    if (row.verdict === "goes") {
        return "**goes**";
    }
    const verdict = row.verdict === "new" ? "new" : row.after === UNKNOWN ? "**may change**" : "**changes**";
    if (row.after === UNKNOWN) {
        return `${verdict} (known after up)`;
    }
    return row.after === undefined ? `${verdict} (assigned after up)` : `${verdict}: ${code(row.after)}`;
}

/** The Addresses section: loud first when an existing address changes or goes; none when no Service is touched. */
function addressesMarkdown(rows: AddressChange[]): string[] {
    if (rows.length === 0) {
        return [];
    }
    const lines = ["**Addresses** of the Services the preview touches:", ""];
    if (movesAnAddress(rows)) {
        const moved = [...new Set(rows.filter((r) => movesAnAddress([r])).map((r) => code(r.service)))];
        lines.push(
            "**Warning: this change moves a Service's address** — clients holding it (DNS caches, firewall rules, " +
                `node-port URLs) break: ${moved.join(", ")}.`,
            "",
        );
    }
    lines.push("| Service | address | now | after |", "|---|---|---|---|");
    rows.forEach((r) => {
        const now = r.before === undefined ? "—" : code(r.before);
        lines.push(`| ${code(r.service)} | ${r.address} | ${now} | ${addressAfter(r)} |`);
    });
    return [...lines, ""];
}

/** A Markdown summary of a stack change, fit for a pull-request comment. */
export function reviewMarkdown(input: ReviewInput): string {
    const lines: string[] = [];
    const { preview } = input;
    // Reading an object the stack requires (prod reads cert-manager's CRDs) changes nothing either.
    const changed = preview ? Object.entries(preview.counts).filter(([op, n]) => op !== "same" && op !== "read" && n > 0) : [];
    const headline = !preview
        ? "not deployed yet"
        : changed.length === 0
          ? "no changes"
          : changed.map(([op, n]) => `${n} to ${op}`).join(", ");
    lines.push(`### go-demo-2 \`${input.stack}\`: ${headline}`, "");

    if (preview) {
        lines.push("**Preview** against the deployed stack:", "");
        if (preview.changes.length > 0) {
            lines.push("| change | object |", "|---|---|");
            preview.changes.forEach((c) => {
                const [op, object] = c.split(" ");
                lines.push(`| ${op} | \`${object}\` |`);
            });
        } else {
            lines.push("No Kubernetes object changes.");
        }
        lines.push("", ...addressesMarkdown(input.addresses ?? []));
        const released = releases(preview.changes);
        if (released.length > 0) {
            lines.push("**Releases** (a changed Pod template reaches every Pod):", "");
            released.forEach((r) => {
                const hashes = r.from ? ` (\`${r.from}\` → \`${r.to}\`)` : ` (→ \`${r.to}\`)`;
                lines.push(`- \`${r.workload}\`${hashes}: ${RELEASE_TEXT[r.release]}.`);
            });
            lines.push("");
        }
        if (preview.violations.length > 0) {
            lines.push("**Policy**:", "", ...preview.violations.map((v) => `- ${v}`), "");
        }
    } else {
        lines.push("The stack has no state on this backend yet: `pulumi up` would create everything below.", "");
    }

    if (input.outputChanges.length > 0) {
        lines.push("**Outputs that would change**:", "", "| output | now | after |", "|---|---|---|");
        input.outputChanges.forEach((o) => lines.push(`| \`${o.name}\` | ${show(o.before)} | ${show(o.after)} |`));
        lines.push("");
    }

    if (input.manifests) {
        const { base, diff } = input.manifests;
        if (diff.trim() === "") {
            lines.push(`**Rendered manifests**: identical to \`${base}\`.`);
        } else {
            const files = diff.split("\n").filter((l) => l.startsWith("diff --git")).length;
            lines.push(
                `**Rendered manifests** against \`${base}\`: ${files} file${files === 1 ? "" : "s"} changed`,
                "",
                "```diff",
                diff.trimEnd(),
                "```",
            );
        }
    }
    return lines.join("\n") + "\n";
}

/** The outputs whose value differs between two snapshots, by name. */
export function outputChanges(before: Record<string, unknown>, after: Record<string, unknown>): OutputChange[] {
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return names
        .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
        .map((name) => ({ name, before: before[name], after: after[name] }));
}
