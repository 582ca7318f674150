import * as fs from "fs";
import * as path from "path";

import { DIAGRAM_FILES, DIAGRAM_STACKS, drawStack, withDiagram } from "../../../tools/docs/diagrams";
import { root } from "../../../tools/project/root";

// Each drawing runs the program under mocks in a process of its own.
jest.setTimeout(60_000);

describe.each(DIAGRAM_STACKS)("the %s stack's picture", (stack) => {
    const diagram = drawStack(stack);

    it.each(DIAGRAM_FILES[stack])("in %s is a fresh drawing of the program's resources (npm run docs:diagrams)", (file) => {
        const markdown = fs.readFileSync(path.join(root, file), "utf8");
        expect(withDiagram(markdown, stack, diagram)).toBe(markdown);
    });

    it("shows every Service the stack creates, each with the outputs that give its addresses", () => {
        const services = [...diagram.matchAll(/Service ([a-z0-9-]+)<br\/>(\w+)/g)].map(([, name, type]) => `${name} ${type}`);
        // Every shipped stack publishes the API through a load balancer.
        expect(services).toEqual(expect.arrayContaining(["go-demo-2-api LoadBalancer", "go-demo-2-db ClusterIP", "go-demo-2-external ExternalName"]));
        expect(diagram).toContain("clusterIPs · dnsNames · nodePorts · loadBalancerIngress");
        // Every selecting Service points at a ReplicaSet.
        for (const [, name, type] of diagram.matchAll(/svc_([a-z0-9_]+)\["Service [a-z0-9-]+<br\/>(\w+)/g)) {
            if (type !== "ExternalName") {
                expect([name, diagram.includes(`svc_${name} -->`)]).toEqual([name, true]);
            }
        }
    });
});
