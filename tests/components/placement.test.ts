import { GoDemo2Api } from "../../components/api";
import { selectors } from "../../components/labels";
import { MongoDb } from "../../components/mongodb";
import { TEMPLATE_HASH_LABEL } from "../../components/templateHash";
import { Workload } from "../../components/workload";
import { installMocks, resetRecorded } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";

installMocks();
beforeEach(resetRecorded);

describe("placement", () => {
    const api = (replicas: number, nodeLossTolerationSeconds?: number) =>
        new GoDemo2Api("go-demo-2-api", { namespace: "ns", image: "i", dbHost: "db", replicas, nodeLossTolerationSeconds });

    it("spreads the Pods over nodes, preferring and never requiring it, counting only the same release", async () => {
        const w = api(3);
        const pod = (await replicaSetOf(w)).spec.template.spec;
        expect(pod.topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selectors.api },
                matchLabelKeys: [TEMPLATE_HASH_LABEL],
            },
        ]);
    });

    it("leaves a lost node after 30 s by default, after the given seconds when set", async () => {
        const tolerations = async (w: Workload) => (await replicaSetOf(w)).spec.template.spec.tolerations;
        expect(await tolerations(api(3))).toEqual([
            { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
        ]);
        resetRecorded();
        expect((await tolerations(api(3, 5))).map((t: { tolerationSeconds: number }) => t.tolerationSeconds)).toEqual([5, 5]);
    });


    it("is scheduled on amd64 nodes only unless told other architectures (the image is x86-64 only)", async () => {
        const archOf = async (w: Workload) =>
            (await replicaSetOf(w)).spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        expect(await archOf(new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db" }))).toEqual([
            { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] },
        ]);
        const db = new MongoDb("db", { namespace: "ns", image: "mongo:4.4", httpInterface: false, architectures: ["amd64", "arm64"] });
        expect(await archOf(db)).toEqual([{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }]);
    });
});

