import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { root } from "../../tools/project/root";
import { foldersOf, unnamedInReadme } from "../support/folderReadmes";

/** What scripts/env/kube-env.sh decides in an environment: `<cluster> <KUBECONFIG>`. */
function kubeEnv(env: Record<string, string>): string {
    return execFileSync("bash", ["-c", 'source scripts/env/kube-env.sh && echo "$GO_DEMO_2_CLUSTER $KUBECONFIG"'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", ...env },
        encoding: "utf8",
    }).trim();
}

describe("scripts/env/kube-env.sh: which cluster the project talks to", () => {
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
            ["-c", 'source scripts/env/kube-env.sh && source scripts/env/kube-env.sh && echo "$GO_DEMO_2_CLUSTER"'],
            { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: home }, encoding: "utf8" },
        );
        expect(out.trim()).toBe("local");
    });
});

describe("scripts/cluster/cluster.sh: bad arguments stop it before it touches any cluster", () => {
    /** Runs cluster.sh; resolves with its exit code and stderr. Bad options stop it before it touches any cluster. */
    function clusterScript(args: string[], env: Record<string, string> = {}): { status: number; stderr: string } {
        try {
            execFileSync("bash", ["scripts/cluster/cluster.sh", ...args], {
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
        expect(stderr).toContain("usage: scripts/cluster/cluster.sh lb on|off");
    });

    it("rejects an unknown option of start", () => {
        const { status, stderr } = clusterScript(["start", "--node", "3"]);
        expect(status).toBe(1);
        expect(stderr).toContain("unknown option '--node' (accepted: --nodes N)");
    });
});

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, run before any dependency is installed
const nodeVersion = require("../../scripts/toolchain/node-version.js") as {
    satisfies(version: string, range: string): boolean;
    choose(machineVersion: string | undefined, range: string, pinned: string): string;
    projectPins(root: string): { range: string; pinned: string };
};

describe("scripts/toolchain/node-version.js: the machine's Node.js or the pinned one", () => {
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

describe("scripts/toolchain/node.sh: where the project's Node.js comes from", () => {
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
        const result = spawnSync("bash", ["scripts/toolchain/node.sh"], {
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
        // (and the stamp node.sh answers from next time: tests/scripts/stamps.test.ts)
        expect(fs.readdirSync(path.join(work, "cache")).filter((f) => f !== "stamps")).toEqual([`node-v${pinned}`]);
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
        const out = execFileSync("bash", ["-c", 'source scripts/env/node-env.sh && node --version && echo "$NODE_COMPILE_CACHE"'], {
            cwd: root,
            env: { PATH: `${path.join(work, "bin")}:/usr/bin:/bin`, GO_DEMO_2_CACHE: path.join(work, "cache"), HOME: work },
            encoding: "utf8",
        });
        expect(out.trim().split("\n")).toEqual([`v${pinned}`, path.join(work, "cache", "node-compile-cache")]);
    });
});

describe("scripts/lib.sh: what the scripts share", () => {
    let work: string;
    beforeEach(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-lib-"));
    });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    /** Runs `body` in bash (errexit on) after sourcing lib.sh, with the cache in `work/cache`. */
    function lib(body: string): { status: number; stdout: string; stderr: string } {
        const result = spawnSync("bash", ["-c", `set -euo pipefail; LOG_TAG=test; source scripts/lib.sh; ${body}`], {
            cwd: root,
            env: { PATH: process.env.PATH ?? "", HOME: work, GO_DEMO_2_CACHE: path.join(work, "cache") },
            encoding: "utf8",
        });
        return { status: result.status ?? -1, stdout: result.stdout.trim(), stderr: result.stderr };
    }

    /** A finished build: `<dir>/bin/tool` holding `content`. */
    function build(dir: string, content: string): string {
        fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
        fs.writeFileSync(path.join(dir, "bin", "tool"), content, { mode: 0o755 });
        return dir;
    }

    it.each([
        [{ GO_DEMO_2_CACHE: "/somewhere/gd2", XDG_CACHE_HOME: "/xdg" }, "/somewhere/gd2"],
        [{ XDG_CACHE_HOME: "/xdg" }, "/xdg/go-demo-2"],
        [{}, "<home>/.cache/go-demo-2"],
    ])("puts the cache root where GO_DEMO_2_CACHE, else XDG_CACHE_HOME, else HOME says: %j", (env, expected) => {
        const out = execFileSync("bash", ["scripts/lib.sh", "cache-root"], {
            cwd: root,
            env: { PATH: process.env.PATH ?? "", HOME: work, ...env },
            encoding: "utf8",
        });
        expect(out.trim()).toBe(expected.replace("<home>", work));
    });

    it("publishes a build into a missing cache folder", () => {
        const src = build(path.join(work, "src"), "new");
        const dest = path.join(work, "cache", "tool-v1");
        fs.mkdirSync(path.dirname(dest));
        expect(lib(`publish "${src}" "${dest}"`).status).toBe(0);
        expect(fs.readFileSync(path.join(dest, "bin", "tool"), "utf8")).toBe("new");
        expect(fs.existsSync(src)).toBe(false);
    });

    it("replaces a stale build whole, never moving the new one into it, and leaves nothing aside", () => {
        const src = build(path.join(work, "src"), "new");
        const dest = build(path.join(work, "cache", "tool-v1"), "stale");
        fs.writeFileSync(path.join(dest, "stale-only"), "");
        expect(lib(`publish "${src}" "${dest}"`).status).toBe(0);
        expect(fs.readdirSync(dest).sort()).toEqual(["bin"]);
        expect(fs.readFileSync(path.join(dest, "bin", "tool"), "utf8")).toBe("new");
        expect(fs.readdirSync(path.join(work, "cache"))).toEqual(["tool-v1"]);
    });

    it("keeps the build another run completed meanwhile, dropping this one", () => {
        const src = build(path.join(work, "src"), "new");
        const dest = build(path.join(work, "cache", "tool-v1"), "theirs");
        const result = lib(`publish "${src}" "${dest}" bin/tool`);
        expect(result.status).toBe(0);
        expect(result.stderr).toContain(`[test] ${dest} was completed meanwhile; keeping it`);
        expect(fs.readFileSync(path.join(dest, "bin", "tool"), "utf8")).toBe("theirs");
        expect(fs.existsSync(src)).toBe(false);
    });

    it("replaces a cache folder that lacks the named file (a broken build)", () => {
        const src = build(path.join(work, "src"), "new");
        const dest = path.join(work, "cache", "tool-v1");
        fs.mkdirSync(path.join(dest, "bin"), { recursive: true });
        expect(lib(`publish "${src}" "${dest}" bin/tool`).status).toBe(0);
        expect(fs.readFileSync(path.join(dest, "bin", "tool"), "utf8")).toBe("new");
    });

    it("makes a throwaway Go module under the cache root, with a folder for what is published", () => {
        // Go is a stated requirement of the toolchain (docs/clusters.md): without it this fails, never skips unseen.
        if (spawnSync("go", ["version"]).status !== 0) {
            throw new Error("`go version` failed: Go (see docs/clusters.md) must be on PATH to test new_wrapper");
        }
        const result = lib("new_wrapper kwok-v1");
        expect(result.status).toBe(0);
        expect(path.dirname(result.stdout)).toBe(path.join(work, "cache"));
        expect(path.basename(result.stdout)).toMatch(/^\.build-kwok-v1\.\w+$/);
        expect(fs.readFileSync(path.join(result.stdout, "src", "go.mod"), "utf8")).toMatch(/^module local\/go-demo-2-build-kwok-v1$/m);
        expect(fs.readdirSync(path.join(result.stdout, "out"))).toEqual([]);
    });

    it("dies with the tag, the message and exit 1", () => {
        expect(lib('die "no way"; echo unreachable')).toEqual({ status: 1, stdout: "", stderr: "[test] ERROR: no way\n" });
    });
});

describe("scripts/: a README per folder, naming each of its files", () => {
    const scripts = path.join(root, "scripts");

    it.each(foldersOf(scripts))("scripts/%s", (folder) => {
        expect(unnamedInReadme(path.join(scripts, folder))).toEqual([]);
    });
});

describe(".github: the Pulumi CLI version is written once, in package.json", () => {
    const pinned = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { toolchain: { pulumi: string } }).toolchain.pulumi;
    const fromSetup = "${{ steps.setup.outputs.pulumi-version }}";
    interface Step {
        id?: string;
        uses?: string;
        run?: string;
        with?: Record<string, unknown>;
    }
    function load<T>(...parts: string[]): T {
        return yaml.load(fs.readFileSync(path.join(root, ...parts), "utf8")) as T;
    }
    const workflows = fs.readdirSync(path.join(root, ".github", "workflows")).filter((f) => f.endsWith(".yml"));

    it("has every pulumi/actions step take the setup action's output, in a job that runs that action as `setup`", () => {
        const found: { where: string; version: unknown; setup: string | undefined }[] = [];
        for (const file of workflows) {
            const { jobs } = load<{ jobs: Record<string, { steps?: Step[] }> }>(".github", "workflows", file);
            for (const [job, { steps = [] }] of Object.entries(jobs)) {
                const setup = steps.find((s) => s.uses === "./.github/actions/setup");
                for (const step of steps.filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
                    found.push({ where: `${file} ${job}`, version: step.with?.["pulumi-version"], setup: setup?.id });
                }
            }
        }
        expect(found.length).toBeGreaterThanOrEqual(3);
        expect(found).toEqual(found.map(({ where }) => ({ where, version: fromSetup, setup: "setup" })));
    });

    it("types no Pulumi version into .github", () => {
        const files = fs.readdirSync(path.join(root, ".github"), { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f));
        const typed = files.filter((f) => {
            const text = fs.readFileSync(path.join(root, ".github", f), "utf8");
            return text.includes(pinned) || /pulumi-version:\s*["']?v?\d/.test(text);
        });
        expect(typed).toEqual([]);
    });

    it("has the setup action's pulumi-version output give package.json's .toolchain.pulumi", () => {
        const action = load<{ outputs: Record<string, { value: string }>; runs: { steps: Step[] } }>(".github", "actions", "setup", "action.yml");
        const id = /^\$\{\{ steps\.([\w-]+)\.outputs\.pulumi-version \}\}$/.exec(action.outputs["pulumi-version"].value)?.[1];
        const step = action.runs.steps.find((s) => s.id === id);
        const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-output-")), "github-output");
        try {
            execFileSync("bash", ["-c", step?.run ?? "false"], { cwd: root, env: { PATH: process.env.PATH ?? "", GITHUB_OUTPUT: output } });
            expect(fs.readFileSync(output, "utf8")).toBe(`pulumi-version=${pinned}\n`);
        } finally {
            fs.rmSync(path.dirname(output), { recursive: true, force: true });
        }
    });
});
