import { GoDemo2Api } from "../../components/api";
import { SHUTDOWN_DELAY_SECONDS } from "../../components/shutdown";
import { installMocks, resetRecorded } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";

installMocks();
beforeEach(resetRecorded);

describe("shutdown", () => {
    const api = (replicas: number, nodeLossTolerationSeconds?: number) =>
        new GoDemo2Api("go-demo-2-api", { namespace: "ns", image: "i", dbHost: "db", replicas, nodeLossTolerationSeconds });

    it("gives stopping Pods more time than the shutdown delay", async () => {
        const pod = (await replicaSetOf(api(3))).spec.template.spec;
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_DELAY_SECONDS);
    });
});

