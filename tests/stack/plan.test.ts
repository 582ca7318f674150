import { forcedApply } from "../../components/forcedApply";
import { REVISION_ANNOTATION, serviceWaitFor } from "../../components/serviceSpec";
import { parseConfig } from "../../config";
import { names } from "../../stack";
import { installMocks, registeredOfType, resetRecorded } from "../support/mocks";
import { run, fromFile, servicesByName } from "../support/stack";

installMocks();
beforeEach(resetRecorded);

describe("the plan a config makes, as the stack creates it", () => {
    it("gives the API a ClusterIP Service when loadBalancer is false", async () => {
        const { outputs } = await run(parseConfig({ loadBalancer: "false" }, "dev"));
        expect(servicesByName()["go-demo-2-api"].type).toBe("ClusterIP");
        expect(outputs.loadBalancerIngress).toBeUndefined();
        expect(Object.keys(outputs.nodePorts)).toEqual(["go-demo-2-svc"]);
    });

    it.each([
        ["dev", 0],
        ["lab", 0],
        ["prod", 300],
    ])("%s: the API load balancer's wait follows loadBalancerWaitSeconds", async (name, addressWaitSeconds) => {
        await run(fromFile(name));
        const all = registeredOfType("kubernetes:core/v1:Service").find((r) => r.inputs.metadata.name === names.api)?.inputs.metadata.annotations;
        // What the engine waits for; prod's internal-LB annotations are checked with prod.
        const waits = serviceWaitFor({ type: "LoadBalancer", addressWaitSeconds }, all[REVISION_ANNOTATION]);
        expect(Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith("pulumi.com/") || key === REVISION_ANNOTATION))).toEqual(forcedApply(waits));
    });

    it("fixes go-demo-2-svc's node port when nodePort is set", async () => {
        const { outputs } = await run(parseConfig({ nodePort: "30001" }, "dev"));
        expect(outputs.nodePorts["go-demo-2-svc"]).toBe(30001);
    });

    it("has no go-demo-2-svc and no nodePorts entry without the DB's HTTP interface", async () => {
        await run(parseConfig({ dbHttpInterface: "false", dbImage: "mongo:4.4" }, "dev"));
        expect(servicesByName()).not.toHaveProperty("go-demo-2-svc");
    });

});
