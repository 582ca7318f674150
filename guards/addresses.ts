/**
 * What a preview does to the addresses of the Kubernetes Services it touches: their cluster IP,
 * node ports, in-cluster DNS name and load-balancer address. A Service is the stable address in
 * front of mortal Pods; clients (DNS caches, firewall rules, node-port URLs, other clusters)
 * hold these addresses, so a change that moves one must say so before `up`, not after.
 *
 * Pure logic over the engine's events: no Pulumi runtime, no cluster.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { serviceDnsName } from "go-demo-2";

/**
 * The engine's marker for a value only known after `up`. Defined here, where engine events are
 * read, and re-exported by reviewMarkdown.ts, so neither module imports the other's values.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const SERVICE = "kubernetes:core/v1:Service";

/** One side of a Service step, reduced to what decides its addresses. Any field may be {@link UNKNOWN}. */
export interface ServiceSide {
    name: string;
    namespace: string;
    /** `spec.type`; Kubernetes' default, ClusterIP, when the object sets none. */
    type: string;
    /** `spec.clusterIP`: the assigned one (old side) or the pinned one (new side; absent: not pinned). */
    clusterIP?: string;
    /**
     * Every port by name (its number when unnamed) with its node port: the allocated one (old
     * side; absent: none) or the pinned one (new side; absent: not pinned). UNKNOWN: the list itself is.
     */
    ports: Record<string, string | undefined> | typeof UNKNOWN;
    /** `status.loadBalancer.ingress[0]`'s IP or hostname; only the old side has a status. */
    loadBalancer?: string;
}

/** A step the engine plans for a Service. */
export interface ServiceStep {
    op: OpType;
    urn: string;
    /** The live object as Pulumi last recorded it (`old.outputs`). */
    old?: ServiceSide;
    /** What the program asks for (`new.inputs`). */
    new?: ServiceSide;
}

/** The addresses a Service has. */
export type AddressName = "cluster IP" | `node port ${string}` | "DNS name" | "load-balancer address";

/** What a preview does to one address of one Service. */
export interface AddressChange {
    /** The Service's Kubernetes name (the existing one's, when it is replaced). */
    service: string;
    address: AddressName;
    /** The address now; absent when the Service has none of this kind (or none recorded yet). */
    before?: string;
    /** The address after `up`; absent when it goes, or when Kubernetes assigns it during `up`; UNKNOWN: may change. */
    after: string | undefined;
    verdict: "stays" | "changes" | "goes" | "new";
}

/** The value at `path` in an engine property map: UNKNOWN when anything on the way is. */
function at(value: unknown, ...path: (string | number)[]): unknown {
    for (const key of path) {
        if (value === UNKNOWN) {
            return UNKNOWN;
        }
        if (value === null || typeof value !== "object") {
            return undefined;
        }
        value = (value as Record<string | number, unknown>)[key];
    }
    return value;
}

/** A scalar property as text; absent when missing or empty (an ExternalName Service's clusterIP is ""). */
function text(value: unknown): string | undefined {
    return value === undefined || value === null || value === "" ? undefined : String(value);
}

function side(object: Record<string, unknown>, urn: string): ServiceSide {
    const ports = at(object, "spec", "ports");
    const byName: Record<string, string | undefined> = {};
    if (Array.isArray(ports)) {
        ports.forEach((p: unknown, i) => {
            byName[text(at(p, "name")) ?? text(at(p, "port")) ?? String(i)] = text(at(p, "nodePort"));
        });
    }
    const ingress = at(object, "status", "loadBalancer", "ingress", 0);
    return {
        // The provider names every object before the preview (autonaming included); the URN's
        // last segment is only a fallback for a malformed event.
        name: text(at(object, "metadata", "name")) ?? urn.split("::").pop() ?? urn,
        namespace: text(at(object, "metadata", "namespace")) ?? "default",
        type: text(at(object, "spec", "type")) ?? "ClusterIP",
        clusterIP: text(at(object, "spec", "clusterIP")),
        ports: ports === UNKNOWN || Object.keys(byName).includes(UNKNOWN) ? UNKNOWN : byName,
        loadBalancer: text(at(ingress, "ip")) ?? text(at(ingress, "hostname")),
    };
}

/** The Service steps among a preview's engine events: the live object before, the program's inputs after. */
export function previewServiceSteps(events: EngineEvent[]): ServiceStep[] {
    return events
        .flatMap((e) => (e.resourcePreEvent?.metadata.type === SERVICE ? [e.resourcePreEvent.metadata] : []))
        .map((m) => ({
            op: m.op,
            urn: m.urn,
            old: m.old?.outputs ? side(m.old.outputs, m.urn) : undefined,
            new: m.new?.inputs ? side(m.new.inputs, m.urn) : undefined,
        }));
}

/** How the object behind a Service name changes. */
type Kind = "update" | "replace" | "create" | "delete";

const REPLACEMENT_OPS: OpType[] = ["replace", "create-replacement", "delete-replaced"];

/**
 * One address of a Service, before and after. `kept`: Kubernetes keeps the current value (an
 * in-place update that does not pin another one).
 */
interface Address {
    address: AddressName;
    had: boolean;
    before?: string;
    /** Whether the object after `up` has this address at all; UNKNOWN when the preview cannot tell. */
    has: boolean | typeof UNKNOWN;
    kept: boolean;
    /** Pinned, derived (the DNS name) or UNKNOWN; absent: Kubernetes assigns one during `up`. */
    after?: string;
}

function verdict(a: Address): AddressChange["verdict"] | undefined {
    if (!a.had) {
        return a.has === false ? undefined : "new";
    }
    if (a.has === false) {
        return "goes";
    }
    // Unknown is "may change": a guard must not pass what it cannot prove stays (an unknown
    // value pinned never equals the current one, so it changes below).
    if (a.has === UNKNOWN) {
        return "changes";
    }
    return a.kept || (a.after !== undefined && a.after === a.before) ? "stays" : "changes";
}

/** `<name>.<namespace>.svc`, the in-cluster DNS name without the cluster domain (the stack's `clusterDomain`), which no event carries. */
function dnsName(s: ServiceSide): string {
    return s.name === UNKNOWN || s.namespace === UNKNOWN ? UNKNOWN : serviceDnsName(s.name, s.namespace);
}

/** Whether a Service of `type` has an address, UNKNOWN when its type is. */
function typeHas(type: string, has: (type: string) => boolean): boolean | typeof UNKNOWN {
    return type === UNKNOWN ? UNKNOWN : has(type);
}

const hasNodePorts = (type: string): boolean => type === "NodePort" || type === "LoadBalancer";

/** Every address the Service has before or after, in a fixed order; `verdict` drops those it has neither. */
function addressesOf(kind: Kind, o: ServiceSide | undefined, n: ServiceSide | undefined): Address[] {
    // Only an in-place update can keep an address the program does not pin; a new object gets new ones.
    const keeps = kind === "update";
    const oldPorts = o && o.ports !== UNKNOWN ? o.ports : {};
    const newPorts = n?.ports;
    const portNames = Object.keys(oldPorts).filter((p) => oldPorts[p] !== undefined);
    if (n && newPorts !== UNKNOWN && newPorts && typeHas(n.type, hasNodePorts) !== false) {
        portNames.push(...Object.keys(newPorts).filter((p) => !portNames.includes(p)));
    }
    const wasLoadBalancer = o?.type === "LoadBalancer";
    const nodePorts = portNames.sort().map((port): Address => {
        const pinned = newPorts === UNKNOWN ? UNKNOWN : newPorts?.[port];
        const has = !n ? false : newPorts === UNKNOWN ? UNKNOWN : port in (newPorts ?? {}) && typeHas(n.type, hasNodePorts);
        return {
            address: `node port ${port}`,
            had: oldPorts[port] !== undefined,
            before: oldPorts[port],
            has,
            // Kubernetes keeps an allocated node port when the update omits the field (seen on a real cluster).
            kept: keeps && pinned === undefined,
            after: pinned,
        };
    });
    return [
        {
            address: "cluster IP",
            had: o?.clusterIP !== undefined,
            before: o?.clusterIP,
            has: n ? typeHas(n.type, (t) => t !== "ExternalName") : false,
            kept: keeps && n?.clusterIP === undefined,
            after: n?.clusterIP,
        },
        ...nodePorts,
        {
            address: "DNS name",
            had: o !== undefined,
            before: o && dnsName(o),
            has: n !== undefined,
            // Name and namespace are immutable: the engine updates in place only an object that keeps both.
            kept: keeps,
            after: n && dnsName(n),
        },
        {
            address: "load-balancer address",
            // A LoadBalancer Service with no address recorded yet may have one by now.
            had: wasLoadBalancer,
            before: wasLoadBalancer ? o?.loadBalancer : undefined,
            has: n ? typeHas(n.type, (t) => t === "LoadBalancer") : false,
            kept: keeps,
        },
    ];
}

/**
 * What the steps do to each touched Service's addresses, sorted by Service. Steps are grouped by
 * URN, then a delete and a create of the same Kubernetes name (such as a component renamed without
 * an alias, or moved to another namespace) are read as one replacement.
 */
export function addressChanges(steps: ServiceStep[]): AddressChange[] {
    const byUrn = new Map<string, { ops: Set<OpType>; old?: ServiceSide; new?: ServiceSide }>();
    for (const step of steps) {
        const entry = byUrn.get(step.urn) ?? { ops: new Set<OpType>() };
        entry.ops.add(step.op);
        entry.old ??= step.old;
        entry.new ??= step.new;
        byUrn.set(step.urn, entry);
    }
    const changes: { kind: Kind; old?: ServiceSide; new?: ServiceSide }[] = [];
    const created: ServiceSide[] = [];
    const deleted: ServiceSide[] = [];
    for (const { ops, old, new: next } of byUrn.values()) {
        if (REPLACEMENT_OPS.some((op) => ops.has(op))) {
            changes.push({ kind: "replace", old, new: next });
        } else if (ops.has("update")) {
            changes.push({ kind: "update", old, new: next });
        } else if (ops.has("create") && next) {
            created.push(next);
        } else if (ops.has("delete") && old) {
            deleted.push(old);
        }
    }
    for (const next of created) {
        const i = deleted.findIndex((old) => old.name === next.name);
        changes.push(i >= 0 ? { kind: "replace", old: deleted.splice(i, 1)[0], new: next } : { kind: "create", new: next });
    }
    changes.push(...deleted.map((old) => ({ kind: "delete" as const, old })));

    return changes
        .flatMap(({ kind, old, new: next }) => {
            const service = old?.name ?? next?.name ?? "";
            return addressesOf(kind, old, next).flatMap((a): AddressChange[] => {
                const v = verdict(a);
                if (!v) {
                    return [];
                }
                const after = v === "goes" ? undefined : v === "stays" ? a.before : a.has === UNKNOWN ? UNKNOWN : a.after;
                return [{ service, address: a.address, before: a.before, after, verdict: v }];
            });
        })
        .sort((a, b) => a.service.localeCompare(b.service));
}

/** Whether any existing address changes or goes: what breaks the clients that hold it. */
export function movesAnAddress(rows: AddressChange[]): boolean {
    return rows.some((r) => r.verdict === "changes" || r.verdict === "goes");
}
