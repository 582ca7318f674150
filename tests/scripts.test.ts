import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");

/** What scripts/kube-env.sh decides in an environment: `<cluster> <KUBECONFIG>`. */
function kubeEnv(env: Record<string, string>): string {
    return execFileSync("bash", ["-c", 'source scripts/kube-env.sh && echo "$GO_DEMO_2_CLUSTER $KUBECONFIG"'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", ...env },
        encoding: "utf8",
    }).trim();
}

describe("scripts/kube-env.sh: which cluster the project talks to", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-home-"));
    afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

    it("uses the local control plane when the user points at no cluster", () => {
        expect(kubeEnv({ HOME: home })).toBe(`local ${root}/.cluster/kubeconfig`);
    });

    it("keeps a KUBECONFIG the user set", () => {
        expect(kubeEnv({ HOME: home, KUBECONFIG: "/elsewhere/config" })).toBe("user /elsewhere/config");
    });

    it("uses the current context of ~/.kube/config when there is one", () => {
        const withContext = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-home-"));
        fs.mkdirSync(path.join(withContext, ".kube"));
        fs.writeFileSync(
            path.join(withContext, ".kube", "config"),
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters: [{name: kind, cluster: {server: 'https://127.0.0.1:6443'}}]",
                "users: [{name: kind, user: {}}]",
                "contexts: [{name: kind-kind, context: {cluster: kind, user: kind}}]",
                "current-context: kind-kind",
            ].join("\n"),
        );
        try {
            expect(kubeEnv({ HOME: withContext })).toBe(`user ${withContext}/.kube/config`);
        } finally {
            fs.rmSync(withContext, { recursive: true, force: true });
        }
    });

    it("keeps its first decision when sourced again", () => {
        const out = execFileSync(
            "bash",
            ["-c", 'source scripts/kube-env.sh && source scripts/kube-env.sh && echo "$GO_DEMO_2_CLUSTER"'],
            { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: home }, encoding: "utf8" },
        );
        expect(out.trim()).toBe("local");
    });
});

describe("scripts/cluster.sh: bad arguments stop it before it touches any cluster", () => {
    /** Runs cluster.sh; resolves with its exit code and stderr. Bad options stop it before it touches any cluster. */
    function clusterScript(args: string[], env: Record<string, string> = {}): { status: number; stderr: string } {
        try {
            execFileSync("bash", ["scripts/cluster.sh", ...args], {
                cwd: root,
                env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env },
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
            return { status: 0, stderr: "" };
        } catch (e) {
            const failed = e as { status: number; stderr: string };
            return { status: failed.status, stderr: failed.stderr };
        }
    }

    it.each([
        [["start", "--nodes", "0"], {}],
        [["start", "--nodes=21"], {}],
        [["start", "--nodes", "three"], {}],
        [["start"], { GO_DEMO_2_NODES: "-1" }],
    ])("rejects %j %j naming the value and what is accepted", (args, env) => {
        const { status, stderr } = clusterScript(args, env);
        expect(status).toBe(1);
        expect(stderr).toMatch(/node count '.*' \(--nodes or GO_DEMO_2_NODES\): expected an integer from 1 to 20/);
    });

    it.each([[["lb"]], [["lb", "maybe"]]])("rejects %j before it touches the cluster, naming on|off", (args) => {
        const { status, stderr } = clusterScript(args);
        expect(status).toBe(1);
        expect(stderr).toContain("usage: scripts/cluster.sh lb on|off");
    });

    it("rejects an unknown option of start", () => {
        const { status, stderr } = clusterScript(["start", "--node", "3"]);
        expect(status).toBe(1);
        expect(stderr).toContain("unknown option '--node' (accepted: --nodes N)");
    });
});

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, run before any dependency is installed
const nodeVersion = require("../scripts/node-version.js") as {
    satisfies(version: string, range: string): boolean;
    choose(machineVersion: string | undefined, range: string, pinned: string): string;
    projectPins(root: string): { range: string; pinned: string };
};

describe("scripts/node-version.js: the machine's Node.js or the pinned one", () => {
    const range = "^22.13.0 || >=24";

    it.each([
        ["v20.20.2", false],
        ["22.12.9", false],
        ["v22.13.0", true],
        ["22.22.1", true],
        ["23.11.0", false],
        ["24.0.0", true],
        ["v25.2.1", true],
    ])("%s satisfies %j: %s", (version, expected) => {
        expect(nodeVersion.satisfies(version, range)).toBe(expected);
    });

    it("refuses range forms it does not understand instead of guessing", () => {
        expect(() => nodeVersion.satisfies("24.0.0", "22.x")).toThrow(/unsupported engines range '22.x'/);
        expect(() => nodeVersion.satisfies("24.0.0", "~22.13.0 || >=24")).toThrow(/unsupported engines range '~22.13.0'/);
        expect(() => nodeVersion.satisfies("lts", range)).toThrow(/not a Node.js version: 'lts'/);
    });

    it("keeps a machine's Node.js that the range accepts, else picks the pinned one", () => {
        expect(nodeVersion.choose("v22.14.0", range, "24.22.3")).toBe("machine");
        expect(nodeVersion.choose("v24.1.0", range, "24.22.3")).toBe("machine");
        expect(nodeVersion.choose("v20.20.2", range, "24.22.3")).toBe("24.22.3");
        expect(nodeVersion.choose(undefined, range, "v24.22.3")).toBe("24.22.3");
    });

    it("refuses a pin outside the range", () => {
        expect(() => nodeVersion.choose("v24.1.0", range, "20.20.2")).toThrow(/\.nvmrc pins Node\.js 20\.20\.2, outside/);
    });

    it("reads the project's pins: .nvmrc inside package.json's engines, both in README", () => {
        const { range: engines, pinned } = nodeVersion.projectPins(root);
        expect(nodeVersion.satisfies(pinned, engines)).toBe(true);
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        expect(readme).toContain(`Node.js ${pinned}`);
        expect(readme).toContain(`\`${engines}\``);
    });
});

describe("scripts/node.sh: where the project's Node.js comes from", () => {
    const { pinned } = nodeVersion.projectPins(root);
    const npmPackage = `node-${process.platform === "darwin" ? "darwin" : "linux"}-${process.arch}`;
    let work: string;
    beforeEach(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-node-"));
        fs.mkdirSync(path.join(work, "bin"));
    });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    /** An executable `node` that says it is `version` and runs everything else on the real Node.js. */
    function fakeNode(file: string, version: string): void {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(
            file,
            `#!/usr/bin/env bash\nif [[ $1 == --version ]]; then echo ${version}; else exec "${process.execPath}" "$@"; fi\n`,
            { mode: 0o755 },
        );
    }

    /** An `npm` whose `pack <name>@<version>` writes the tarball the registry would, holding a node that says `holds`. */
    function fakeNpm(holds: string): void {
        fs.writeFileSync(
            path.join(work, "bin", "npm"),
            [
                "#!/usr/bin/env bash",
                `echo "$*" >> "${work}/npm-calls"`,
                '[[ $1 == pack ]] || exit 1',
                'spec=${!#}; pkg=$(mktemp -d)',
                `mkdir -p "$pkg/package/bin" && printf '#!/usr/bin/env bash\\nif [[ $1 == --version ]]; then echo ${holds}; else exec "${process.execPath}" "$@"; fi\\n' > "$pkg/package/bin/node"`,
                'chmod +x "$pkg/package/bin/node" && tar -czf "${spec%@*}-${spec##*@}.tgz" -C "$pkg" package && rm -rf "$pkg"',
            ].join("\n") + "\n",
            { mode: 0o755 },
        );
    }

    function nodeScript(): { status: number; stdout: string; stderr: string } {
        const result = spawnSync("bash", ["scripts/node.sh"], {
            cwd: root,
            env: { PATH: `${path.join(work, "bin")}:/usr/bin:/bin`, GO_DEMO_2_CACHE: path.join(work, "cache"), HOME: work },
            encoding: "utf8",
        });
        return { status: result.status ?? -1, stdout: result.stdout.trim().split("\n").pop() ?? "", stderr: result.stderr };
    }

    it("keeps the machine's Node.js when engines accept it: nothing fetched", () => {
        fakeNode(path.join(work, "bin", "node"), "v24.1.0");
        fakeNpm(`v${pinned}`);
        expect(nodeScript()).toMatchObject({ status: 0, stdout: path.join(work, "bin") });
        expect(fs.existsSync(path.join(work, "npm-calls"))).toBe(false);
    });

    it("uses the pinned release already in the cache when the machine's is too old", () => {
        fakeNode(path.join(work, "bin", "node"), "v20.20.2");
        fakeNpm(`v${pinned}`);
        fakeNode(path.join(work, "cache", `node-v${pinned}`, "bin", "node"), `v${pinned}`);
        expect(nodeScript()).toMatchObject({ status: 0, stdout: path.join(work, "cache", `node-v${pinned}`, "bin") });
        expect(fs.existsSync(path.join(work, "npm-calls"))).toBe(false);
    });

    it("fetches the pinned release from the npm registry once, into the cache by version", () => {
        fakeNode(path.join(work, "bin", "node"), "v20.20.2");
        fakeNpm(`v${pinned}`);
        const first = nodeScript();
        expect(first).toMatchObject({ status: 0, stdout: path.join(work, "cache", `node-v${pinned}`, "bin") });
        expect(first.stderr).toContain(`the machine's Node.js is v20.20.2; fetching ${pinned}`);
        expect(execFileSync(path.join(first.stdout, "node"), ["--version"], { encoding: "utf8" }).trim()).toBe(`v${pinned}`);
        expect(nodeScript().stdout).toBe(first.stdout);
        expect(fs.readFileSync(path.join(work, "npm-calls"), "utf8")).toBe(`pack --silent ${npmPackage}@${pinned}\n`);
        expect(fs.readdirSync(path.join(work, "cache"))).toEqual([`node-v${pinned}`]);
    });

    it("refuses a package holding another version, leaving nothing in the cache", () => {
        fakeNode(path.join(work, "bin", "node"), "v20.20.2");
        fakeNpm("v24.0.0");
        const result = nodeScript();
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`${npmPackage}@${pinned} holds Node.js v24.0.0`);
        expect(fs.readdirSync(path.join(work, "cache"))).toEqual([]);
    });

    it("puts the chosen Node.js first on PATH for everything sourced after node-env.sh", () => {
        fakeNode(path.join(work, "bin", "node"), "v20.20.2");
        fakeNode(path.join(work, "cache", `node-v${pinned}`, "bin", "node"), `v${pinned}`);
        const out = execFileSync("bash", ["-c", 'source scripts/node-env.sh && node --version && echo "$NODE_COMPILE_CACHE"'], {
            cwd: root,
            env: { PATH: `${path.join(work, "bin")}:/usr/bin:/bin`, GO_DEMO_2_CACHE: path.join(work, "cache"), HOME: work },
            encoding: "utf8",
        });
        expect(out.trim().split("\n")).toEqual([`v${pinned}`, path.join(work, "cache", "node-compile-cache")]);
    });
});
