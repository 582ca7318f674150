/**
 * The end-to-end tests' stacks: each a fresh copy of the program (tools/project/workspace.ts), in a
 * namespace of its own, on the cluster the run uses.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";

import { copyProject, stackIn } from "../../tools/project/workspace";

/** The current context of the kubeconfig the run uses: the local cluster's under `npm run test:e2e`. */
export function currentContext(): string {
    return execFileSync("kubectl", ["config", "current-context"], { encoding: "utf8" }).trim();
}

/**
 * A stack of a fresh copy of the program for an end-to-end test, in its own namespace, so that it
 * never meets a deployment made with `npm run up`, and bound to the cluster the run uses, whatever
 * context its stack file names (prod's). Pair it with destroyTestStack.
 */
export async function testStack(stackName: string, namespace: string): Promise<Stack> {
    const workDir = copyProject([stackName]);
    // A run that was killed leaves its stack's state behind; the cluster it described is gone.
    await (await stackIn(workDir, stackName)).workspace.removeStack(stackName, { force: true, preserveConfig: true });
    const stack = await stackIn(workDir, stackName);
    await stack.setAllConfig({
        "go-demo-2:namespace": { value: namespace },
        "kubernetes:context": { value: currentContext() },
    });
    return stack;
}

/** Destroys a test stack (a failed step must not leave objects behind), then removes it and its copy. */
export async function destroyTestStack(stack: Stack | undefined): Promise<void> {
    if (!stack) {
        return;
    }
    await stack.destroy({ color: "never" }).catch(() => undefined);
    await stack.workspace.removeStack(stack.name).catch(() => undefined);
    fs.rmSync(stack.workspace.workDir, { recursive: true, force: true });
}
