import { parseConfig, StackConfig } from "../../config";
import { names, planStack } from "../../stack";
import { addressToken, checkTransition, DeploymentRecord, parseRecord } from "../../guards/transitions";

const UID = "0b5c7f5e-8c1a-4a2e-9a53-2f1d9e6a7b10";

/** Pulumi.dev.yaml's shape: split, a claim, go-demo-2-svc, a load balancer. */
const DEV = { dbStorageSize: "1Gi", namespace: "go-demo-2-dev" };
const config = (raw: Record<string, string>): StackConfig => parseConfig(raw, "dev");

/**
 * What `up` of `raw` recorded: the config's Services with addresses the apiserver gave them (a
 * cluster IP, node ports from 31000, an LB address), and the claim with UID.
 */
function deployed(raw: Record<string, string>): DeploymentRecord {
    const planned = planStack(config(raw)).intent;
    let port = 31000;
    return {
        namespace: planned.namespace,
        dbClaim: planned.dbClaim && { ...planned.dbClaim, uid: UID },
        services: planned.services.map((s, i) => ({
            ...s,
            ...(s.type === "ExternalName" ? {} : { clusterIP: `10.96.0.${i + 1}` }),
            ports:
                s.type === "NodePort" || s.type === "LoadBalancer"
                    ? Object.fromEntries(Object.entries(s.ports as Record<string, string | undefined>).map(([n, pinned]) => [n, pinned ?? String(port++)]))
                    : {},
            ...(s.type === "LoadBalancer" ? { loadBalancer: "203.0.113.10" } : {}),
        })),
    };
}

const check = (from: Record<string, string>, to: Record<string, string>) => {
    const next = config(to);
    return checkTransition(deployed(from), planStack(next).intent, next);
};

describe("checkTransition", () => {
    it("has nothing to say before the first up, or when nothing changes", () => {
        expect(checkTransition(undefined, planStack(config(DEV)).intent, config(DEV))).toEqual({ problems: [], warnings: [], moves: [] });
        expect(check(DEV, DEV)).toEqual({ problems: [], warnings: [], moves: [] });
    });

    it("refuses a namespace change, naming both namespaces, the claim and the way to move", () => {
        const result = check(DEV, { ...DEV, namespace: "elsewhere" });
        expect(result.problems).toHaveLength(1);
        expect(result.problems[0]).toMatch(/go-demo-2:namespace = "elsewhere": the stack is deployed in namespace "go-demo-2-dev"/);
        expect(result.problems[0]).toContain(`the claim ${names.db}-data`);
        expect(result.problems[0]).toContain("pulumi destroy");
    });

    describe("MongoDB's claim", () => {
        it("refuses unsetting dbStorageSize unless acknowledgeDataLoss names the claim's uid", () => {
            const refused = check(DEV, { namespace: DEV.namespace });
            expect(refused.problems).toEqual([expect.stringContaining(`go-demo-2:dbStorageSize is unset, so the update deletes the claim ${names.db}-data`)]);
            expect(refused.problems[0]).toContain(`pulumi config set go-demo-2:acknowledgeDataLoss ${UID}`);

            expect(check(DEV, { namespace: DEV.namespace, acknowledgeDataLoss: UID }).problems).toEqual([]);
        });

        it("does not take another claim's uid, and says that acknowledgement is stale", () => {
            const other = "11111111-2222-4333-8444-555555555555";
            const result = check(DEV, { namespace: DEV.namespace, acknowledgeDataLoss: other });
            expect(result.problems).toHaveLength(1);
            expect(result.warnings).toEqual([expect.stringContaining(`acknowledgeDataLoss = "${other}" names no claim this update deletes`)]);
            // Once the claim is gone, the same acknowledgement covers nothing.
            expect(check({ namespace: DEV.namespace }, { namespace: DEV.namespace, acknowledgeDataLoss: UID }).warnings).toHaveLength(1);
        });

        it("going combined deletes the claim too (the config requires dbStorageSize unset)", () => {
            const result = check(DEV, { namespace: DEV.namespace, topology: "combined" });
            expect(result.problems).toEqual([expect.stringContaining("deletes the claim")]);
        });

        it("never lets a protected claim go, acknowledged or not: unprotect first", () => {
            const result = check({ ...DEV, dbStorageProtected: "true" }, { namespace: DEV.namespace, acknowledgeDataLoss: UID });
            expect(result.problems).toEqual([expect.stringContaining("which is protected (dbStorageProtected)")]);
            expect(result.problems[0]).toContain("first set go-demo-2:dbStorageProtected false with dbStorageSize unchanged");
        });

        it("refuses a new storage class (a new, empty claim) unless acknowledged", () => {
            const result = check(DEV, { ...DEV, dbStorageClass: "fast" });
            expect(result.problems).toEqual([expect.stringContaining(`go-demo-2:dbStorageClass = "fast" differs from the claim's "(the cluster's default)"`)]);
            expect(check(DEV, { ...DEV, dbStorageClass: "fast", acknowledgeDataLoss: UID }).problems).toEqual([]);
        });

        it("refuses a smaller claim and lets a larger one through", () => {
            expect(check(DEV, { ...DEV, dbStorageSize: "512Mi" }).problems).toEqual([
                expect.stringContaining(`the claim ${names.db}-data holds 1Gi, and Kubernetes never shrinks a claim`),
            ]);
            expect(check(DEV, { ...DEV, dbStorageSize: "2Gi" }).problems).toEqual([]);
            // 1G is less than 1Gi.
            expect(check(DEV, { ...DEV, dbStorageSize: "1G" }).problems).toHaveLength(1);
        });

        it("adding a claim where there was none loses nothing", () => {
            expect(check({ namespace: DEV.namespace }, DEV).problems).toEqual([]);
        });
    });

    describe("addresses", () => {
        const lbOff = { ...DEV, loadBalancer: "false" };

        it("warns, without guardAddresses, when an address moves", () => {
            const result = check(DEV, lbOff);
            expect(result.problems).toEqual([]);
            expect(result.moves.map((m) => [m.service, m.address, m.verdict])).toEqual([
                [names.api, "node port http", "goes"],
                [names.api, "load-balancer address", "goes"],
            ]);
            expect(result.warnings).toEqual([
                `This update moves Service addresses that clients may hold: ${names.api}'s node port http 31001 goes; ${names.api}'s load-balancer address 203.0.113.10 goes.`,
            ]);
        });

        it("with guardAddresses, refuses the move unless acknowledgeAddressChanges holds the token of exactly these moves", () => {
            const guarded = { ...DEV, guardAddresses: "true" };
            const refused = check(guarded, { ...lbOff, guardAddresses: "true" });
            const token = addressToken(refused.moves);
            expect(refused.problems).toEqual([expect.stringContaining(`pulumi config set go-demo-2:acknowledgeAddressChanges ${token}`)]);
            expect(refused.problems[0]).toContain(`${names.api}'s load-balancer address 203.0.113.10 goes`);

            const accepted = check(guarded, { ...lbOff, guardAddresses: "true", acknowledgeAddressChanges: token });
            expect(accepted.problems).toEqual([]);
            // A token for other moves does not pass these.
            const tlsOn = check(guarded, { ...guarded, tls: "true", dbHttpInterface: "false", acknowledgeAddressChanges: token });
            expect(tlsOn.problems).toHaveLength(1);
            expect(tlsOn.warnings).toEqual([expect.stringContaining(`acknowledgeAddressChanges = "${token}" matches no address move`)]);
        });

        it("monitoring: adding the metrics Service moves nothing; removing it is its cluster IP going, guarded like any address", () => {
            const guarded = { ...DEV, guardAddresses: "true" };
            const on = { ...guarded, monitoring: "annotations" };
            const added = check(guarded, on);
            expect(added.problems).toEqual([]);
            expect(added.moves.filter((m) => m.verdict === "changes" || m.verdict === "goes")).toEqual([]);
            // Switching between the two modes keeps the Service and its address.
            expect(check(on, { ...guarded, monitoring: "serviceMonitor" }).moves.filter((m) => m.verdict !== "stays" && m.verdict !== "new")).toEqual([]);
            const removed = check(on, guarded);
            expect(removed.moves.map((m) => [m.service, m.address, m.verdict])).toEqual([
                [names.apiMetrics, "cluster IP", "goes"],
                [names.apiMetrics, "DNS name", "goes"],
            ]);
            expect(removed.problems).toEqual([expect.stringContaining(`${names.apiMetrics}'s cluster IP 10.96.0.4 goes`)]);
        });

        it("the token names the current addresses: the same change from another state needs another token", () => {
            const moves = check(DEV, lbOff).moves;
            expect(addressToken(moves.map((m) => ({ ...m, before: m.address === "node port http" ? "31999" : m.before })))).not.toBe(addressToken(moves));
        });

        it("reads a renamed port (tls on) as one node port going and another new, and a pinned node port as changing", () => {
            const tls = check(DEV, { ...DEV, tls: "true" });
            expect(tls.moves.map((m) => [m.service, m.address, m.verdict])).toEqual([[names.api, "node port http", "goes"]]);
            const pinned = check({ ...DEV, nodePort: "30080" }, { ...DEV, nodePort: "30081" });
            expect(pinned.moves.map((m) => [m.service, m.address, m.before, m.after])).toEqual([[names.dbHttp, "node port mongodb-http", "30080", "30081"]]);
        });

        it("a Service that goes takes all its addresses; one that stays in place keeps them (topology, replicas)", () => {
            const off = check(DEV, { ...DEV, dbHttpInterface: "false" });
            expect(off.moves.map((m) => [m.service, m.address])).toEqual([
                [names.dbHttp, "cluster IP"],
                [names.dbHttp, "node port mongodb-http"],
                [names.dbHttp, "DNS name"],
            ]);
            const lab = { namespace: DEV.namespace };
            expect(check(lab, { ...lab, topology: "combined", replicas: "3" }).moves).toEqual([]);
        });
    });
});

describe("parseRecord", () => {
    it("takes a record and reads anything else (an older program's output, nothing) as absent", () => {
        const record = deployed(DEV);
        expect(parseRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
        expect(parseRecord(undefined)).toBeUndefined();
        expect(parseRecord({ namespace: "x" })).toBeUndefined();
        expect(parseRecord("go-demo-2-dev")).toBeUndefined();
    });
});
