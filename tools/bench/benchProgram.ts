/**
 * One measurement for `npm run bench`, in a fresh process so that timings and peak memory are
 * the program's own: evaluates the dev stack under mocks, plus `extra` generated Services, and
 * prints `{ ms, resources, maxRssMiB }` as JSON.
 */
import * as pulumi from "@pulumi/pulumi";

async function main(extra: number): Promise<void> {
    let resources = 0;
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources += 1;
                // A load balancer's address, as a cluster with a load-balancer controller gives it
                // (without one the stack warns, which is not what is measured here).
                const balanced = args.type === "kubernetes:core/v1:Service" && args.inputs.spec?.type === "LoadBalancer";
                const status = balanced ? { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } : undefined;
                return { id: `${args.name}-id`, state: { ...args.inputs, status } };
            },
            call: (args) => {
                throw new Error(`Mock not implemented: ${args.token}`);
            },
        },
        "go-demo-2",
        "dev",
        false,
    );
    const start = process.hrtime.bigint();
    // Imported after setMocks, as the program would be by the engine.
    const { parseConfig } = await import("../../config");
    const { createStack } = await import("../../stack");
    const { ClusterIPService } = await import("../../components/services");
    const stack = createStack(parseConfig({}, "dev"));
    const generated = Array.from(
        { length: extra },
        (_, i) =>
            new ClusterIPService(`generated-${i}`, {
                namespace: stack.namespace,
                selector: stack.api.selector,
                ports: [{ name: "http", port: 8080 }],
            }),
    );
    const leaves = [
        stack.db.replicaSet,
        stack.api.replicaSet,
        ...[...Object.values(stack.services), ...generated].map((s) => s.service),
    ];
    // Done when every leaf resource is registered (a component registers before its children).
    await Promise.all(leaves.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({ ms, resources, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

main(Number(process.argv[2] ?? 0)).catch((e: Error) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
});
