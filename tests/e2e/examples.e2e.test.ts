/**
 * The components used by programs of their own, as another team would use them, on the real
 * engine and control plane: examples/typescript installs the packed npm package (`npm pack`),
 * examples/yaml uses the component package (components/, through a `packages:` entry). Each
 * deploys a ClusterIP and a NodePort Service in front of its own Deployment; its outputs are
 * checked against the live Services; destroy leaves nothing behind.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { root } from "../../tools/project/root";
import { exists, kubectlJson } from "./kube";
import { currentContext } from "./stacks";
import { printTimings, timed } from "./timings";

jest.setTimeout(15 * 60_000);
afterAll(printTimings);

/** A copy of an example in a new folder, so that stack files and installs never touch the repository. */
function copyExample(name: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `go-demo-2-example-${name}-`));
    fs.cpSync(path.join(root, "examples", name), dir, { recursive: true });
    return dir;
}

/** Deploys the example's stack in `namespace`, checks its outputs against the live Services, destroys it. */
async function deployAndCheck(label: string, workDir: string, namespace: string, envVars: Record<string, string> = {}): Promise<void> {
    const project = (await LocalWorkspace.create({ workDir })).projectSettings();
    let stack: Stack | undefined;
    try {
        stack = await LocalWorkspace.createOrSelectStack({ stackName: "e2e", workDir }, { envVars });
        await stack.setAllConfig({
            [`${(await project).name}:namespace`]: { value: namespace },
            "kubernetes:context": { value: currentContext() },
        });
        await timed(`${label}: up`, () => stack!.up({ color: "never" }));
        const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));

        const internal = kubectlJson("get", "service", "hello", "-n", namespace);
        const external = kubectlJson("get", "service", "hello-public", "-n", namespace);
        expect(internal.spec.type).toBe("ClusterIP");
        expect(outputs.clusterIP).toBe(internal.spec.clusterIP);
        expect(outputs.dnsName).toBe(`hello.${namespace}.svc.cluster.local`);
        expect(internal.spec.ports).toEqual([expect.objectContaining({ name: "http", port: 8080, targetPort: "http" })]);
        expect(internal.spec.selector).toEqual({ app: "hello" });
        expect(external.spec.type).toBe("NodePort");
        expect(outputs.nodePorts).toEqual({ http: external.spec.ports[0].nodePort });
        // The Services route to the program's own Pods: their endpoints are its Deployment's Ready Pods.
        const slices = kubectlJson("get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=hello").items;
        expect(slices.flatMap((s: { endpoints?: unknown[] }) => s.endpoints ?? [])).toHaveLength(2);

        await timed(`${label}: preview after up (no changes)`, () => stack!.preview({ expectNoChanges: true, color: "never" }));
        await timed(`${label}: destroy`, () => stack!.destroy({ color: "never" }));
        expect(exists("namespace", namespace)).toBe(false);
    } finally {
        await stack?.destroy({ color: "never" }).catch(() => undefined);
        await stack?.workspace.removeStack("e2e").catch(() => undefined);
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

it("a TypeScript program installs the packed npm package, type-checks against its declarations, deploys and destroys", async () => {
    const dir = copyExample("typescript");
    const [{ filename }] = JSON.parse(
        execFileSync("npm", ["pack", "--json", "-w", "go-demo-2", "--pack-destination", dir], { cwd: root, encoding: "utf8" }),
    ) as { filename: string }[];
    // The example depends on the package as packed, by file name: the two move together.
    const example = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(example.dependencies["go-demo-2"]).toBe(`file:${filename}`);
    await timed("typescript example: npm install", async () =>
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir, stdio: "pipe" }),
    );
    // A consumer's compiler reads the package's declarations alone.
    execFileSync(path.join(dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", dir], { stdio: "pipe" });
    // Exactly one copy of each Pulumi SDK: the package's are peers, the program's own.
    expect(fs.existsSync(path.join(dir, "node_modules", "go-demo-2", "node_modules"))).toBe(false);
    await deployAndCheck("typescript example", dir, "e2e-go-demo-2-example-ts");
});

it("a Pulumi YAML program uses the component package through a packages: entry, deploys and destroys", async () => {
    const dir = copyExample("yaml");
    // The copy lives elsewhere: its package entry points at the repository's components/ folder.
    const project = path.join(dir, "Pulumi.yaml");
    fs.writeFileSync(project, fs.readFileSync(project, "utf8").replace("go-demo-2: ../../components", `go-demo-2: ${path.join(root, "components")}`));
    const yamlHost = execFileSync("bash", [path.join(root, "scripts", "toolchain", "pulumi.sh"), "yaml"], { encoding: "utf8" }).trim().split("\n").pop()!;
    await deployAndCheck("yaml example", dir, "e2e-go-demo-2-example-yaml", { PATH: `${yamlHost}:${process.env.PATH}` });
});
