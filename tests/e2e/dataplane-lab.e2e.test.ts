/**
 * The lab stack (one ReplicaSet of combined Pods: the API and MongoDB side by side) on the local
 * cluster's real node, with the STAND-IN images built here (images/build.sh): `npm run smoke`
 * passes for real (its Job runs there with the curl stand-in), and go-demo-2-svc, the lab's
 * NodePort Service, serves MongoDB's HTTP interface page at its node port, as the lab shows.
 */
import { Stack } from "@pulumi/pulumi/automation";

import { kubectlJson } from "./kube";
import { assertRealNodeReady, guardDropped, httpGet, REAL_NODE, REAL_NODE_IP, placeOnRealNode, realNodeWanted, smokeOnRealNode, STAND_IN } from "./realNode";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(10 * 60_000);
afterAll(printTimings);

const namespace = "e2e-dataplane-lab";
const d = realNodeWanted() ? describe : describe.skip;
let stack: Stack | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let outputs: Record<string, any> = {};

d("the lab stack on the real node, with stand-in images", () => {
    beforeAll(async () => {
        assertRealNodeReady();
        stack = await testStack("lab", namespace);
        await stack.setAllConfig({
            "go-demo-2:apiImage": { value: STAND_IN.api },
            "go-demo-2:dbImage": { value: STAND_IN.mongo },
        });
        await placeOnRealNode(stack);
        await timed("dataplane: lab up with the stand-in images on the real node", () => stack!.up({ color: "never" }));
        outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));
    }, 10 * 60_000);

    afterAll(async () => {
        await timed("dataplane: lab destroy", () => destroyTestStack(stack));
    }, 10 * 60_000);

    it("runs its combined Pods on the real node, and go-demo-2-svc serves the DB's HTTP page at its node port", async () => {
        for (const p of kubectlJson("get", "pods", "-n", namespace).items) {
            expect([p.metadata.name, p.spec.nodeName]).toEqual([p.metadata.name, REAL_NODE]);
        }
        expect(await httpGet(`http://${REAL_NODE_IP}:${outputs.nodePorts["go-demo-2-svc"]}/`)).toContain("mongod");
    });

    it("passes npm run smoke for real", async () => {
        const { code, stdout } = await smokeOnRealNode("lab", stack!.workspace.workDir);
        expect(stdout).toContain("PASSED");
        expect(code).toBe(0);
        expect(guardDropped()).toBe(0);
    });
});
