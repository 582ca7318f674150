/**
 * What a config change may do to a deployed stack, decided before anything is registered. `up`
 * leaves a record of what it deployed (the `deployment` stack output: the namespace, MongoDB's
 * claim, every Service's addresses); the next run reads it back (index.ts) and compares it with
 * what the new config asks for. The engine deletes exactly what its state has and the program no
 * longer registers, so the record is the right thing to compare with. Three guards:
 * - a changed namespace is refused: the engine would create every object anew in the new
 *   namespace and only then delete the old namespace, with the claim and its data in it (a half-moved
 *   stack if anything fails in between);
 * - a claim that the change deletes or replaces (dbStorageSize unset, a new dbStorageClass) loses
 *   MongoDB's data: refused unless `acknowledgeDataLoss` names that claim's uid, and always
 *   refused while the claim is protected; a smaller dbStorageSize is refused (Kubernetes never
 *   shrinks a claim);
 * - with `guardAddresses` (prod), a change that moves a Service's cluster IP, node port, DNS name
 *   or load-balancer address is refused unless `acknowledgeAddressChanges` holds the token of
 *   exactly those moves. Moves are judged by addresses.ts, the code the review reads previews with.
 *
 * Pure: no Pulumi runtime, no cluster.
 */
import { contentHash, quantityBytes } from "go-demo-2";

import { AddressChange, addressChanges, ServiceSide, ServiceStep } from "./addresses";
import { PROJECT } from "../config";

/** MongoDB's claim as the stack gave it. */
export interface ClaimRecord {
    /** The claim's Kubernetes name. */
    name: string;
    /** The requested size, as dbStorageSize gave it. */
    size: string;
    /** dbStorageClass; absent: the cluster's default class. */
    storageClass?: string;
    /** dbStorageProtected. */
    protected: boolean;
}

/** What `up` deployed, as the `deployment` stack output records it for the next run. */
export interface DeploymentRecord {
    namespace: string;
    /** MongoDB's claim with the uid Kubernetes gave it, when the data lives on one. */
    dbClaim?: ClaimRecord & { uid: string };
    /** Every Service with the addresses it had when `up` last read it. */
    services: ServiceSide[];
}

/** What the config asks for, in the record's terms: Services with only what the program pins. */
export interface Intent {
    namespace: string;
    dbClaim?: ClaimRecord;
    services: ServiceSide[];
}

/** The keys that acknowledge a loss; each names exactly one, so a stale value never covers the next. */
export interface Acknowledgements {
    /** The uid of the claim whose deletion the user accepts. */
    acknowledgeDataLoss?: string;
    /** Whether an update that moves a Service address needs acknowledgeAddressChanges. */
    guardAddresses: boolean;
    /** The token of the address moves the user accepts (see addressToken). */
    acknowledgeAddressChanges?: string;
}

export interface TransitionCheck {
    /** Reasons to refuse the update, each naming the key, the value and the way to proceed. */
    problems: string[];
    /** What the update does that someone must hear about, and acknowledgements left over. */
    warnings: string[];
    /** Every address the update changes or removes. */
    moves: AddressChange[];
}

/** The record's shape, checked: a value of another shape (a record from an older program) reads as absent. */
export function parseRecord(value: unknown): DeploymentRecord | undefined {
    const v = value as Partial<DeploymentRecord> | undefined;
    if (!v || typeof v.namespace !== "string" || !Array.isArray(v.services)) {
        return undefined;
    }
    return v as DeploymentRecord;
}

/**
 * The steps `up` takes for each Service name, from the last deployment record to the plan (not from
 * a preview's events: addresses.ts previewServiceSteps): an in-place update where the name is in both (a
 * Service keeps its URN across type changes, see services.ts), a delete or a create otherwise.
 */
function recordServiceSteps(previous: ServiceSide[], next: ServiceSide[]): ServiceStep[] {
    const names = [...new Set([...previous, ...next].map((s) => s.name))];
    return names.map((name) => {
        const old = previous.find((s) => s.name === name);
        const planned = next.find((s) => s.name === name);
        return { op: old && planned ? "update" : old ? "delete" : "create", urn: name, old, new: planned };
    });
}

/** The acknowledgement of exactly these moves: a hash of each moving address and its current value. */
export function addressToken(moves: AddressChange[]): string {
    return contentHash(
        moves.map((m) => [m.service, m.address, m.before ?? null]),
        "address moves",
    );
}

const describeMove = (m: AddressChange) =>
    `${m.service}'s ${m.address}${m.before !== undefined ? ` ${m.before}` : ""} ${m.verdict === "goes" ? "goes" : `changes${m.after !== undefined ? ` to ${m.after}` : ""}`}`;

/** Why the claim goes, in the config's words. */
function claimLoss(previous: ClaimRecord, next: ClaimRecord | undefined): string | undefined {
    if (!next) {
        return `${PROJECT}:dbStorageSize is unset, so the update deletes the claim`;
    }
    if (next.storageClass !== previous.storageClass) {
        return (
            `${PROJECT}:dbStorageClass = ${JSON.stringify(next.storageClass ?? "(the cluster's default)")} differs from the claim's ` +
            `${JSON.stringify(previous.storageClass ?? "(the cluster's default)")}, and a claim's class cannot change, so the update replaces it with an empty one`
        );
    }
    return undefined;
}

/**
 * The problems and warnings of going from `previous` (undefined: nothing deployed yet) to `next`.
 * Every problem is found, not only the first.
 */
export function checkTransition(previous: DeploymentRecord | undefined, next: Intent, acks: Acknowledgements): TransitionCheck {
    const problems: string[] = [];
    const warnings: string[] = [];
    if (!previous) {
        return { problems, warnings, moves: [] };
    }
    if (previous.namespace !== next.namespace) {
        const claim = previous.dbClaim ? `, with the claim ${previous.dbClaim.name} and MongoDB's data` : "";
        problems.push(
            `${PROJECT}:namespace = ${JSON.stringify(next.namespace)}: the stack is deployed in namespace ${JSON.stringify(previous.namespace)}. ` +
                `Changing it would create every object anew in ${JSON.stringify(next.namespace)} (new cluster IPs and node ports) and then ` +
                `delete ${JSON.stringify(previous.namespace)} and everything in it${claim}; the stack does not move as an update. ` +
                `Keep ${PROJECT}:namespace = ${JSON.stringify(previous.namespace)}; to move, deploy another stack in the new namespace, move ` +
                `clients and data to it, then \`pulumi destroy\` this one (or destroy first, then up with the new namespace).`,
        );
        // Everything else would be new: the other guards have nothing to compare.
        return { problems, warnings, moves: [] };
    }

    const claim = previous.dbClaim;
    const loss = claim ? claimLoss(claim, next.dbClaim) : undefined;
    if (claim && loss) {
        if (claim.protected) {
            problems.push(
                `${loss} ${claim.name}, which is protected (dbStorageProtected) and holds MongoDB's data. A protected claim is never ` +
                    `deleted by a config change: first set ${PROJECT}:dbStorageProtected false with dbStorageSize unchanged and run up, ` +
                    `then make this change with ${PROJECT}:acknowledgeDataLoss.`,
            );
        } else if (acks.acknowledgeDataLoss !== claim.uid) {
            problems.push(
                `${loss} ${claim.name} and MongoDB's data on it. Back the data up first if it matters; to go ahead, set ` +
                    `${PROJECT}:acknowledgeDataLoss to the claim's uid, ${claim.uid} ` +
                    `(\`pulumi config set ${PROJECT}:acknowledgeDataLoss ${claim.uid}\`); to keep the data, restore the claim's settings.`,
            );
        }
    } else if (claim && next.dbClaim && quantityBytes(next.dbClaim.size) < quantityBytes(claim.size)) {
        problems.push(
            `${PROJECT}:dbStorageSize = ${JSON.stringify(next.dbClaim.size)}: the claim ${claim.name} holds ${claim.size}, and Kubernetes never ` +
                `shrinks a claim; keep ${claim.size} or more.`,
        );
    }
    if (acks.acknowledgeDataLoss !== undefined && !(claim && loss && acks.acknowledgeDataLoss === claim.uid)) {
        warnings.push(
            `${PROJECT}:acknowledgeDataLoss = ${JSON.stringify(acks.acknowledgeDataLoss)} names no claim this update deletes; ` +
                `remove it (\`pulumi config rm ${PROJECT}:acknowledgeDataLoss\`).`,
        );
    }

    const moves = addressChanges(recordServiceSteps(previous.services, next.services)).filter(
        (m) => m.verdict === "changes" || m.verdict === "goes",
    );
    const token = moves.length > 0 ? addressToken(moves) : undefined;
    if (moves.length > 0) {
        const list = moves.map(describeMove).join("; ");
        if (acks.guardAddresses && acks.acknowledgeAddressChanges !== token) {
            problems.push(
                `${PROJECT}:guardAddresses = true: this update moves Service addresses that clients hold: ${list}. To go ahead, set ` +
                    `${PROJECT}:acknowledgeAddressChanges to ${token}, the token of exactly these moves ` +
                    `(\`pulumi config set ${PROJECT}:acknowledgeAddressChanges ${token}\`).`,
            );
        } else {
            warnings.push(`This update moves Service addresses that clients may hold: ${list}.`);
        }
    }
    if (acks.acknowledgeAddressChanges !== undefined && acks.acknowledgeAddressChanges !== token) {
        warnings.push(
            `${PROJECT}:acknowledgeAddressChanges = ${JSON.stringify(acks.acknowledgeAddressChanges)} matches no address move of this ` +
                `update; remove it (\`pulumi config rm ${PROJECT}:acknowledgeAddressChanges\`).`,
        );
    }
    return { problems, warnings, moves };
}
