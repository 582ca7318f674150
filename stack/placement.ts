import * as pulumi from "@pulumi/pulumi";

import { StackConfig } from "../config";

/**
 * Where every Pod of the stack may run (config `nodeSelector`, `tolerateTaints`): a transformation
 * of the workload components that adds both to the Pod template of each ReplicaSet they register.
 * Outside the template's hash (a change does not release new Pods): a placement such as the local
 * cluster's real node, whose taint keeps off every Pod that does not tolerate it
 * (docs/real-node.md), is set before the first `up`. None when both keys are unset.
 */
export function placementTransformations(config: Pick<StackConfig, "nodeSelector" | "tolerateTaints">): pulumi.ResourceTransformation[] {
    const { nodeSelector, tolerateTaints } = config;
    if (Object.keys(nodeSelector).length === 0 && tolerateTaints.length === 0) {
        return [];
    }
    return [
        (args) => {
            if (args.type !== "kubernetes:apps/v1:ReplicaSet") {
                return undefined;
            }
            type PodSpec = { nodeSelector?: Record<string, string>; tolerations?: unknown[] };
            const props = args.props as { spec: { template: { spec: PodSpec } } };
            const pod = props.spec.template.spec;
            const placed: PodSpec = {
                ...pod,
                nodeSelector: { ...(pod.nodeSelector ?? {}), ...nodeSelector },
                tolerations: [...(pod.tolerations ?? []), ...tolerateTaints.map((key) => ({ key, operator: "Exists", effect: "NoSchedule" }))],
            };
            return {
                props: { ...props, spec: { ...props.spec, template: { ...props.spec.template, spec: placed } } },
                opts: args.opts,
            };
        },
    ];
}
