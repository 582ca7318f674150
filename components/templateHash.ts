import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** The label that carries a Pod template's hash, as Deployments name it, so tools already show it. */
export const TEMPLATE_HASH_LABEL = "pod-template-hash";

/** Hex digits of the hash kept: as many as Kubernetes keeps of `pod-template-hash`. */
const HASH_LENGTH = 10;

/**
 * JSON with object keys sorted at every level, so that the same template built in another order
 * (or by another process) serialises identically. Keys whose value is undefined are dropped, as
 * JSON.stringify and the engine drop them.
 */
function canonicalJson(value: unknown, path: string): string {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        // A hash names or marks what a preview shows, so it must be known when the program runs.
        throw new Error(`contentHash: ${path} is an Output or a Promise; only plain data can be hashed`);
    }
    if (Array.isArray(value)) {
        return `[${value.map((item, i) => canonicalJson(item ?? null, `${path}[${i}]`)).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/**
 * A short, stable hash of plain data: the same for the same data in any run or process, different
 * for any change to it. `what` names the data in the error for an Output or a Promise inside it.
 */
export function contentHash(value: unknown, what: string): string {
    return createHash("sha256").update(canonicalJson(value, what)).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * A Pod template's hash. Workloads name their ReplicaSet after it, so a template change is a new
 * ReplicaSet and reaches every Pod (a ReplicaSet never touches Pods it already runs).
 */
export function templateHash(template: unknown): string {
    return contentHash(template, "template");
}
