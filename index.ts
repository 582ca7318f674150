import * as pulumi from "@pulumi/pulumi";

import { ConfigError, loadConfig } from "./config";
import { createStack, planStack } from "./stack";
import { checkTransition, DeploymentRecord, parseRecord } from "./guards/transitions";

/**
 * What the last `up` of this stack deployed: its own `deployment` output, read through the engine's
 * stack-reference function (an invoke, so nothing is registered and nothing enters the state), or
 * undefined before the first `up`. A stack deployed by a program older than the record still has
 * its `namespace` output, which the namespace guard needs.
 */
async function lastDeployment(): Promise<DeploymentRecord | undefined> {
    const { outputs } = (await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    })) as { outputs?: Record<string, unknown> };
    const namespace = outputs?.namespace;
    return parseRecord(outputs?.deployment) ?? (typeof namespace === "string" ? { namespace, services: [] } : undefined);
}

/**
 * The program. Every config problem is reported first, before any resource is registered; then
 * what the change would do to the deployed stack (guards/transitions.ts), before anything of the cluster
 * is registered; then the stack.
 */
export default async function main() {
    const config = loadConfig();
    const plan = planStack(config);
    const check = checkTransition(await lastDeployment(), plan.intent, config);
    if (check.problems.length > 0) {
        throw new ConfigError(check.problems, pulumi.getStack(), "Config change refused");
    }
    for (const warning of check.warnings) {
        void pulumi.log.warn(warning);
    }
    const stack = createStack(config, plan);
    return {
        namespace: stack.namespace,
        clusterIPs: stack.clusterIPs,
        nodePorts: stack.nodePorts,
        dnsNames: stack.dnsNames,
        // Only where the API has a load balancer: an undefined output is dropped with a warning.
        ...(stack.loadBalancerIngress ? { loadBalancerIngress: stack.loadBalancerIngress } : {}),
        externalName: stack.externalName,
        deployment: stack.deployment,
    };
}
