import { GoDemo2Api } from "../../components/api";
import { disruptionBudgetSpec } from "../../components/disruptionBudget";
import { selectors } from "../../components/labels";
import { MongoDb } from "../../components/mongodb";
import { installMocks, ofType, registered, resetRecorded } from "../support/mocks";

installMocks();
beforeEach(resetRecorded);

describe("disruptionBudget", () => {
    const api = (replicas: number, nodeLossTolerationSeconds?: number) =>
        new GoDemo2Api("go-demo-2-api", { namespace: "ns", image: "i", dbHost: "db", replicas, nodeLossTolerationSeconds });

    it("budgets disruptions of several replicas on the stable selector, named after the workload", async () => {
        const w = api(3);
        await registered(w.replicaSet, w.disruptionBudget!);
        const [pdb] = ofType("kubernetes:policy/v1:PodDisruptionBudget");
        expect(pdb.inputs.metadata).toMatchObject({ name: "go-demo-2-api", namespace: "ns" });
        expect(pdb.inputs.spec).toEqual({
            maxUnavailable: 1,
            selector: { matchLabels: selectors.api },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
    });

    it("keeps the same budget whatever the replicas, so scaling updates the ReplicaSet alone", () => {
        expect(disruptionBudgetSpec(selectors.api, 2)).toEqual(disruptionBudgetSpec(selectors.api, 100));
        expect(disruptionBudgetSpec(selectors.api, 1)).toBeUndefined();
    });

    it("gives a single Pod no budget, so its node always drains", async () => {
        const db = new MongoDb("go-demo-2-db", { namespace: "ns", image: "mongo:3.3", httpInterface: true });
        await registered(db.replicaSet);
        expect(ofType("kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
    });
});

