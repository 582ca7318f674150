/**
 * A NetworkPolicy evaluator for the unit tests, as the API documents the semantics: a Pod that no
 * policy of its namespace selects for a direction is open that way; otherwise a connection passes
 * only if some rule of a selecting policy admits the peer and the port. Covers what the stack's
 * policies use (matchLabels, namespaceSelector, ipBlock without except, numbered ports).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** A Pod (namespace and labels) or an address that is no Pod (the metadata endpoint, the API server on the host network). */
export type Endpoint = { namespace: string; labels: Record<string, string>; ip?: string } | { ip: string };

export interface Connection {
    from: Endpoint;
    to: Endpoint;
    port: number;
    /** @default TCP */
    protocol?: "TCP" | "UDP";
}

const matches = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

const isPod = (e: Endpoint): e is { namespace: string; labels: Record<string, string>; ip?: string } => "namespace" in e;

function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const n = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}

/** Whether a `from`/`to` peer of a policy in `policyNamespace` names this endpoint. */
function peerMatches(peer: any, policyNamespace: string, e: Endpoint): boolean {
    if (peer.ipBlock) {
        return e.ip !== undefined && !e.ip.includes(":") && inCidr(e.ip, peer.ipBlock.cidr);
    }
    if (!isPod(e)) {
        return false;
    }
    const namespaceOk = peer.namespaceSelector
        ? matches(peer.namespaceSelector, { "kubernetes.io/metadata.name": e.namespace })
        : e.namespace === policyNamespace;
    return namespaceOk && (peer.podSelector === undefined || matches(peer.podSelector, e.labels));
}

function side(policies: any[], direction: "Ingress" | "Egress", self: Endpoint, peer: Endpoint, port: number, protocol: string): boolean {
    if (!isPod(self)) {
        return true;
    }
    const selecting = policies.filter(
        (p) => p.metadata.namespace === self.namespace && p.spec.policyTypes.includes(direction) && matches(p.spec.podSelector, self.labels),
    );
    if (selecting.length === 0) {
        return true;
    }
    const rules = direction === "Ingress" ? "ingress" : "egress";
    const peers = direction === "Ingress" ? "from" : "to";
    return selecting.some((p) =>
        (p.spec[rules] ?? []).some(
            (rule: any) =>
                (!rule[peers] || rule[peers].some((x: any) => peerMatches(x, p.metadata.namespace, peer))) &&
                (!rule.ports || rule.ports.some((x: any) => x.port === port && (x.protocol ?? "TCP") === protocol)),
        ),
    );
}

/** Whether the connection passes: the source's egress policies and the destination's ingress policies both admit it. */
export function allowed(policies: any[], c: Connection): boolean {
    const protocol = c.protocol ?? "TCP";
    return side(policies, "Egress", c.from, c.to, c.port, protocol) && side(policies, "Ingress", c.to, c.from, c.port, protocol);
}
