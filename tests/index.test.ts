import * as pulumi from "@pulumi/pulumi";

import { ConfigError } from "../config";
import { assignedTo, installMocks, mockLastOutputs, mockUid, recorded, resetRecorded, unwrap } from "./support/mocks";

installMocks("dev");
beforeEach(() => {
    resetRecorded();
    jest.resetModules();
});
afterEach(() => {
    pulumi.runtime.setAllConfig({});
    mockLastOutputs({});
});

/** Runs the program as the engine does (main.js): its default export, awaited. */
async function run() {
    return (await import("../index")).default();
}

describe("the program (index.ts)", () => {
    it("exports the stack outputs for the engine's config", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:nodePort": "30001", "go-demo-2:replicas": "2" });
        const program = await run();
        expect(await unwrap(program.namespace)).toBe("go-demo-2-dev");
        expect(await unwrap(program.nodePorts)).toMatchObject({ "go-demo-2-svc": 30001 });
        expect(Object.keys(await unwrap(program.clusterIPs)).sort()).toEqual([
            "go-demo-2-api",
            "go-demo-2-db",
            "go-demo-2-svc",
        ]);
        expect(await unwrap(program.externalName)).toBe("kubernetes.io");
        expect(await unwrap(program.loadBalancerIngress!)).toBe(assignedTo("go-demo-2-api").ingress);
    });

    it("has no loadBalancerIngress output without a load balancer (an undefined output would draw the SDK's warning)", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:loadBalancer": "false" });
        const program = await run();
        expect(program).not.toHaveProperty("loadBalancerIngress");
        expect(Object.values(program).every((value) => value !== undefined)).toBe(true);
        // Every registration done, so that none lands in the next test's record.
        await unwrap(program.deployment);
    });

    it("fails on bad config before registering any resource", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:replicas": "0", "go-demo-2:topolgy": "split" });
        // resetModules gives each import its own copy of config/, so match the error by shape.
        await expect(run()).rejects.toMatchObject({
            name: ConfigError.name,
            problems: [expect.stringContaining("go-demo-2:replicas"), expect.stringContaining("go-demo-2:topolgy")],
        });
        await new Promise((resolve) => setImmediate(resolve));
        expect(recorded).toEqual([]);
    });

    it("records what it deployed; the next run reads it back and refuses a change that loses data, registering nothing of the cluster", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:dbStorageSize": "1Gi" });
        const deployment = await unwrap((await run()).deployment);
        const uid = mockUid("go-demo-2-db-db-data");
        expect(deployment.dbClaim).toEqual({ name: "go-demo-2-db-data", size: "1Gi", protected: false, uid });
        expect(deployment.services.map((s) => [s.name, s.type])).toEqual([
            ["go-demo-2-db", "ClusterIP"],
            ["go-demo-2-svc", "NodePort"],
            ["go-demo-2-api", "LoadBalancer"],
            ["go-demo-2-external", "ExternalName"],
        ]);
        // The record holds what the cluster assigned to that Service, not another's.
        const api = assignedTo("go-demo-2-api");
        expect(deployment.services[2]).toMatchObject({
            namespace: "go-demo-2-dev",
            clusterIP: api.clusterIP,
            loadBalancer: api.ingress,
            ports: { http: String(api.nodePorts.http) },
        });

        // The first run is over once its last registration, the destroy guard's, is in.
        while (!recorded.some((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
            await new Promise((resolve) => setImmediate(resolve));
        }
        // The engine hands the next run the outputs as JSON.
        mockLastOutputs(JSON.parse(JSON.stringify({ deployment, namespace: deployment.namespace })));
        resetRecorded();
        jest.resetModules();
        pulumi.runtime.setAllConfig({});
        await expect(run()).rejects.toMatchObject({
            name: ConfigError.name,
            problems: [expect.stringContaining(`pulumi config set go-demo-2:acknowledgeDataLoss ${uid}`)],
        });
        await new Promise((resolve) => setImmediate(resolve));
        expect(recorded).toEqual([]);

        // Acknowledged with that uid, the same change goes ahead.
        resetRecorded();
        jest.resetModules();
        pulumi.runtime.setAllConfig({ "go-demo-2:acknowledgeDataLoss": uid });
        expect((await unwrap((await run()).deployment)).dbClaim).toBeUndefined();
    });
});
