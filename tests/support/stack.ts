import { StackConfig, parseConfig } from "../../config";
import { stackFileConfig } from "../../tools/project/stackFiles";
import { withoutTemplateHash } from "./expected";
import { ofType, recorded, registeredOfType, registeredStack, unwrap } from "./mocks";
/** Runs the program for a config, waits for every resource, returns the stack and its outputs. */
export async function run(config: StackConfig) {
    const stack = await registeredStack(config);
    const outputs = {
        namespace: await unwrap(stack.namespace),
        clusterIPs: await unwrap(stack.clusterIPs),
        nodePorts: await unwrap(stack.nodePorts),
        dnsNames: await unwrap(stack.dnsNames),
        externalName: await unwrap(stack.externalName),
        loadBalancerIngress: stack.loadBalancerIngress && (await unwrap(stack.loadBalancerIngress)),
    };
    return { stack, outputs };
}

export const fromFile = (stack: string) => parseConfig(stackFileConfig(stack), stack);

/** Kind/name of every Kubernetes object the program registered, not those it only reads (ReplicaSets without their hash), sorted. */
export function objects(): string[] {
    return recorded
        .filter((r) => r.type.startsWith("kubernetes:") && r.readId === undefined)
        .map((r) => withoutTemplateHash(`${r.type.split(":")[2]}/${r.inputs.metadata.name}`))
        .sort();
}

/** Each registered ReplicaSet's spec, by its name without the template hash. */
export function replicaSetSpecs(): Record<string, Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return Object.fromEntries(
        ofType("kubernetes:apps/v1:ReplicaSet").map((r) => [
            withoutTemplateHash(`ReplicaSet/${r.inputs.metadata.name}`).split("/")[1],
            r.inputs.spec,
        ]),
    );
}

/** Type and spec of each registered Service by name. */
export function servicesByName(): Record<string, { type: string; selector?: Record<string, string>; ports?: unknown[] }> {
    return Object.fromEntries(registeredOfType("kubernetes:core/v1:Service").map((r) => [r.inputs.metadata.name, r.inputs.spec]));
}

/** Spec of each registered object of a kind, by its Kubernetes name. */
export function specsByName(type: string): Record<string, Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return Object.fromEntries(ofType(type).map((r) => [r.inputs.metadata.name, r.inputs.spec]));
}
