import * as pulumi from "@pulumi/pulumi";

import { LoadBalancerService, NodePortService } from "../components/services";
import { installMocks } from "./mocks";

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
