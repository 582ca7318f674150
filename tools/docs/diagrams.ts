/**
 * `npm run docs:diagrams`: a Mermaid picture of each shipped stack, drawn from the resources the
 * program itself registers (the stack file's config, under a recording mock: no engine, no
 * cluster): every Service with its type, ports and the outputs that give its addresses, the
 * ReplicaSet whose Pods it selects, their containers and ports. Written to docs/stacks.md (each
 * stack) and README.md (dev), between markers; tests/tools/docs/diagrams.test.ts fails when either differs
 * from a fresh drawing, so the pictures cannot drift from the program.
 */
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { root } from "../project/root";

/** The shipped stacks, each drawn. */
export const DIAGRAM_STACKS = ["lab", "dev", "prod"] as const;

/** A registered Service or ReplicaSet, as the program gave it to the engine. */
export interface Registered {
    type: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    inputs: any;
}

const SERVICE = "kubernetes:core/v1:Service";
const REPLICA_SET = "kubernetes:apps/v1:ReplicaSet";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";

/** A ReplicaSet's name without its Pod template's hash, which changes with every release. */
const withoutHash = (name: string) => name.replace(/-[0-9a-f]{10}$/, "-‹hash›");

/** A Mermaid node id from a Kubernetes name (a release's hash left out). */
const id = (kind: string, name: string) => `${kind}_${withoutHash(name).replace(/[^A-Za-z0-9]/g, "_")}`;

/** The stack outputs that give a Service's addresses (stack/outputs.ts); the maps are keyed by the Service's name. */
function outputsOf(type: string): string {
    const outputs = type === "ExternalName" ? ["dnsNames", "externalName"] : ["clusterIPs", "dnsNames"];
    if (type === "NodePort" || type === "LoadBalancer") {
        outputs.push("nodePorts");
    }
    if (type === "LoadBalancer") {
        outputs.push("loadBalancerIngress");
    }
    return outputs.join(" · ");
}

/** The Mermaid flowchart of one stack's Services, ReplicaSets, Pods and claims. */
export function stackDiagram(stack: string, namespace: string, resources: Registered[]): string {
    const services = resources.filter((r) => r.type === SERVICE).map((r) => r.inputs);
    const replicaSets = resources.filter((r) => r.type === REPLICA_SET).map((r) => r.inputs);
    const claims = resources.filter((r) => r.type === CLAIM).map((r) => r.inputs);
    const lines = ["flowchart LR", `    subgraph ns["${stack} · namespace ${namespace}"]`];
    const outside: string[] = [];
    for (const rs of replicaSets) {
        const pod = rs.spec.template.spec;
        const containers = pod.containers
            .map((c: { name: string; image: string; ports?: { containerPort: number }[] }) =>
                `${c.name} (${c.image})${(c.ports ?? []).map((p) => ` :${p.containerPort}`).join("")}`,
            )
            .join("<br/>");
        lines.push(`        ${id("rs", rs.metadata.name)}["ReplicaSet ${withoutHash(rs.metadata.name)}<br/>${rs.spec.replicas} × Pod: ${containers}"]`);
        for (const volume of pod.volumes ?? []) {
            const claim = claims.find((c) => c.metadata.name === volume.persistentVolumeClaim?.claimName);
            if (claim) {
                lines.push(
                    `        ${id("rs", rs.metadata.name)} --- ${id("pvc", claim.metadata.name)}[("claim ${claim.metadata.name} ${claim.spec.resources.requests.storage}")]`,
                );
            }
        }
    }
    for (const svc of services) {
        const name: string = svc.metadata.name;
        const type: string = svc.spec.type;
        const ports = (svc.spec.ports ?? [])
            .map((p: { name: string; port: number; targetPort: number | string }) => `${p.name} ${p.port} → ${p.targetPort}`)
            .join(", ");
        lines.push(`        ${id("svc", name)}["Service ${name}<br/>${type}${ports ? ` · ${ports}` : ""}<br/><i>${outputsOf(type)}</i>"]`);
        if (type === "ExternalName") {
            outside.push(`    ${id("svc", name)} -.->|CNAME| ${id("host", svc.spec.externalName)}(["${svc.spec.externalName}"])`);
            continue;
        }
        const selector: Record<string, string> = svc.spec.selector;
        for (const rs of replicaSets) {
            const labels: Record<string, string> = rs.spec.template.metadata.labels;
            if (Object.entries(selector).every(([k, v]) => labels[k] === v)) {
                const by = Object.entries(selector)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(",");
                lines.push(`        ${id("svc", name)} -->|"${by}"| ${id("rs", rs.metadata.name)}`);
            }
        }
    }
    return [...lines, "    end", ...outside].join("\n");
}

/**
 * The Services, ReplicaSets and claims the program registers for a shipped stack file, under a
 * recording mock. Sets Pulumi's mocks: one call per process and stack at a time.
 */
export async function registeredResources(stack: string): Promise<{ namespace: string; resources: Registered[] }> {
    const resources: Registered[] = [];
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if ([SERVICE, REPLICA_SET, CLAIM].includes(args.type)) {
                    resources.push({ type: args.type, inputs: args.inputs });
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => {
                throw new Error(`Mock not implemented: ${args.token}`);
            },
        },
        "go-demo-2",
        stack,
        true,
        "organization",
    );
    // Imported after setMocks, as the engine would load the program.
    const { parseConfig } = await import("../../config");
    const { createStack } = await import("../../stack");
    const { stackFileConfig } = await import("../project/stackFiles");
    const config = parseConfig(stackFileConfig(stack), stack);
    const created = createStack(config);
    await Promise.all(
        [created.db.replicaSet, created.api.replicaSet, ...Object.values(created.services).map((s) => s.service)].map(
            (r) => new Promise((resolve) => r.urn.apply(resolve)),
        ),
    );
    // Claims register before the ReplicaSet that mounts them.
    return { namespace: config.namespace, resources };
}

/** Where each drawing sits: the markers around it in a Markdown file. */
export const markers = (stack: string) => [`<!-- diagram:${stack}:begin (npm run docs:diagrams) -->`, `<!-- diagram:${stack}:end -->`] as const;

/** `markdown` with the drawing of `stack` between its markers. */
export function withDiagram(markdown: string, stack: string, diagram: string): string {
    const [begin, end] = markers(stack);
    const from = markdown.indexOf(begin);
    const to = markdown.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`no markers ${begin} … ${end}`);
    }
    return `${markdown.slice(0, from + begin.length)}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n${markdown.slice(to)}`;
}

/** The files each stack's drawing goes to. */
export const DIAGRAM_FILES: Record<(typeof DIAGRAM_STACKS)[number], string[]> = {
    lab: ["docs/stacks.md"],
    dev: ["docs/stacks.md", "README.md"],
    prod: ["docs/stacks.md"],
};

/**
 * The drawing of one stack, made in a process of its own: Pulumi's mocks serve one program at a
 * time, and a component's last registration may still be in flight when the next stack starts.
 */
export function drawStack(stack: string): string {
    return execFileSync(path.join(root, "node_modules", ".bin", "tsx"), [__filename, "--draw", stack], { cwd: root, encoding: "utf8" }).trimEnd();
}

if (require.main === module) {
    const draw = process.argv.indexOf("--draw");
    if (draw > 0) {
        const stack = process.argv[draw + 1];
        void registeredResources(stack).then(({ namespace, resources }) => process.stdout.write(`${stackDiagram(stack, namespace, resources)}\n`));
    } else {
        for (const stack of DIAGRAM_STACKS) {
            const diagram = drawStack(stack);
            for (const file of DIAGRAM_FILES[stack]) {
                const full = path.join(root, file);
                fs.writeFileSync(full, withDiagram(fs.readFileSync(full, "utf8"), stack, diagram));
            }
            process.stdout.write(`diagram of ${stack} → ${DIAGRAM_FILES[stack].join(", ")}\n`);
        }
    }
}
