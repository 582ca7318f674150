import { installMocks, resetRecorded } from "../support/mocks";
import { fromFile, replicaSetSpecs, run } from "../support/stack";

installMocks();
beforeEach(resetRecorded);

describe("placement (nodeSelector, tolerateTaints): a stack on the local cluster's real node", () => {
    it("puts the selector and the tolerations on every ReplicaSet's Pods, and nothing when unset", async () => {
        await run(fromFile("dev"));
        for (const spec of Object.values(replicaSetSpecs())) {
            expect(spec.template.spec.nodeSelector).toBeUndefined();
            expect(spec.template.spec.tolerations.map((t: { key: string }) => t.key)).not.toContain("go-demo-2.local/real-node");
        }
        resetRecorded();
        await run({ ...fromFile("dev"), nodeSelector: { "go-demo-2.local/real-node": "true" }, tolerateTaints: ["go-demo-2.local/real-node"] });
        const specs = Object.values(replicaSetSpecs());
        expect(specs.length).toBe(2);
        for (const spec of specs) {
            expect(spec.template.spec.nodeSelector).toEqual({ "go-demo-2.local/real-node": "true" });
            expect(spec.template.spec.tolerations).toContainEqual({ key: "go-demo-2.local/real-node", operator: "Exists", effect: "NoSchedule" });
        }
    });
});
