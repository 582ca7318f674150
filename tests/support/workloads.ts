import { Workload } from "../../components/workload";
import { ofType, unwrap } from "./mocks";

/** The ReplicaSet a workload registered, as the engine received it (inputs and options). */
export async function registeredReplicaSet(workload: Workload) {
    const urn = await unwrap(workload.replicaSet.urn);
    const [rs] = ofType("kubernetes:apps/v1:ReplicaSet").filter((r) => urn.endsWith(`::${r.name}`));
    return rs;
}

/** The ReplicaSet a workload registered, as the engine received it. */
export async function replicaSetOf(workload: Workload) {
    return (await registeredReplicaSet(workload)).inputs;
}
