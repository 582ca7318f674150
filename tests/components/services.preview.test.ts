import * as pulumi from "@pulumi/pulumi";

import { LoadBalancerService, NodePortService } from "../../components/services";
import { installMocks } from "../support/mocks";

installMocks("test", true);

/** Whether an Output's value is known (false for what only `up` can tell). */
const isKnown = (o: pulumi.Output<unknown>) => (o as unknown as { isKnown: Promise<boolean> }).isKnown;

describe("node ports in a preview", () => {
    it.each([
        ["NodePort", NodePortService],
        ["LoadBalancer", LoadBalancerService],
    ] as const)("are unknown for a %s Service until the apiserver allocates them", async (_, Component) => {
        const svc = new Component("svc", { namespace: "ns", selector: { a: "b" }, ports: [{ name: "http", port: 80 }] });
        expect(await isKnown(svc.nodePorts)).toBe(false);
    });

    it("are known when fixed in the program", async () => {
        const svc = new NodePortService("fixed", {
            namespace: "ns",
            selector: { a: "b" },
            ports: [{ name: "http", port: 80, nodePort: 30001 }],
        });
        expect(await isKnown(svc.nodePorts)).toBe(true);
    });
});

describe("a LoadBalancer Service that up does not wait for, in a preview", () => {
    afterEach(() => jest.restoreAllMocks());

    it("says nothing of its address yet: it is unknown until the Service exists", async () => {
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
        const svc = new LoadBalancerService("api", {
            namespace: "ns",
            selector: { a: "b" },
            ports: [{ name: "http", port: 80 }],
            addressWaitSeconds: 0,
        });
        expect(await isKnown(svc.ingress)).toBe(false);
        expect(warn).not.toHaveBeenCalled();
    });
});
