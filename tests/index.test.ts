import * as pulumi from "@pulumi/pulumi";

import { ConfigError } from "../config";
import { installMocks, recorded, resetRecorded, unwrap } from "./mocks";

installMocks("dev");
beforeEach(() => {
    resetRecorded();
    jest.resetModules();
});
afterEach(() => pulumi.runtime.setAllConfig({}));

describe("the program (index.ts)", () => {
    it("exports the stack outputs for the engine's config", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:nodePort": "30001", "go-demo-2:replicas": "2" });
        const program = await import("../index");
        expect(await unwrap(program.namespace)).toBe("go-demo-2-dev");
        expect(await unwrap(program.nodePorts)).toMatchObject({ "go-demo-2-svc": 30001 });
        expect(Object.keys(await unwrap(program.clusterIPs)).sort()).toEqual([
            "go-demo-2-api",
            "go-demo-2-db",
            "go-demo-2-svc",
        ]);
        expect(await unwrap(program.externalName)).toBe("kubernetes.io");
        expect(program.loadBalancerIngress).toBeDefined();
    });

    it("fails on bad config before registering any resource", async () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:replicas": "0", "go-demo-2:topolgy": "split" });
        // resetModules gives each import its own copy of config.ts, so match the error by shape.
        await expect(import("../index")).rejects.toMatchObject({
            name: ConfigError.name,
            problems: [expect.stringContaining("go-demo-2:replicas"), expect.stringContaining("go-demo-2:topolgy")],
        });
        await new Promise((resolve) => setImmediate(resolve));
        expect(recorded).toEqual([]);
    });
});
