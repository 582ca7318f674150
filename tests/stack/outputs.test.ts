import * as pulumi from "@pulumi/pulumi";

import { names } from "../../stack";
import { assignedTo, installMocks, mockLoadBalancerController, resetRecorded } from "../support/mocks";
import { run, fromFile, servicesByName } from "../support/stack";
import { STACKS } from "../../tools/project/stackFiles";

installMocks();
beforeEach(resetRecorded);

describe.each(STACKS)("%s stack outputs", (name) => {
    it("outputs every Service's cluster IP, node ports and DNS name", async () => {
        const { stack, outputs } = await run(fromFile(name));
        const services = servicesByName();
        const withClusterIP = Object.keys(services).filter((s) => services[s].type !== "ExternalName");
        const withNodePorts = Object.keys(services).filter((s) => ["NodePort", "LoadBalancer"].includes(services[s].type));
        expect(Object.keys(outputs.clusterIPs).sort()).toEqual(withClusterIP.sort());
        // Each output is what the cluster assigned to that very Service, not another's or a constant.
        expect(outputs.clusterIPs).toEqual(Object.fromEntries(withClusterIP.map((s) => [s, assignedTo(s).clusterIP])));
        expect(Object.keys(outputs.nodePorts).sort()).toEqual(withNodePorts.sort());
        // A Service with one node port outputs the number, one with several the map by port name.
        const assignedPorts = (s: string) => {
            const ports = assignedTo(s).nodePorts;
            return Object.keys(ports).length === 1 ? Object.values(ports)[0] : ports;
        };
        expect(outputs.nodePorts).toEqual(Object.fromEntries(withNodePorts.map((s) => [s, assignedPorts(s)])));
        expect(Object.keys(outputs.dnsNames).sort()).toEqual(Object.keys(services).sort());
        expect(outputs.dnsNames[names.db]).toBe(`go-demo-2-db.${outputs.namespace}.svc.cluster.local`);
        expect(outputs.externalName).toBe("kubernetes.io");
        expect(outputs.loadBalancerIngress).toBe(assignedTo(names.api).ingress);
        expect(Object.keys(stack.services).sort()).toEqual(Object.keys(services).sort());
    });
});

describe("outputs on a cluster without a load-balancer controller", () => {
    it("on a cluster without a load-balancer controller, dev's loadBalancerIngress is null and the API Service warns", async () => {
        mockLoadBalancerController(false);
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
        try {
            const { stack, outputs } = await run(fromFile("dev"));
            expect(outputs.loadBalancerIngress).toBeNull();
            await new Promise((resolve) => setImmediate(resolve));
            expect(warn.mock.calls).toEqual([[expect.stringContaining("go-demo-2-api has no load-balancer address"), stack.services[names.api].service]]);
        } finally {
            mockLoadBalancerController(true);
            warn.mockRestore();
        }
    });

});
