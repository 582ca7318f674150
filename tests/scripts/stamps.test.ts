import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { root } from "../../tools/project/root";

/*
 * The wrapper's fast path: scripts/toolchain/node.sh, scripts/toolchain/pulumi.sh ensure and
 * scripts/env/node-env.sh answer from stamps when nothing changed (no node, npm or tsc started),
 * and still act on every change they acted on when they checked by running those tools. Each test
 * runs the scripts in a throwaway copy of the project, with fake node/npm/tsc/pulumi that log each
 * call to `calls`, so "nothing was started" and "it rebuilt" are read from that log.
 */

const realNode = process.execPath;
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    toolchain: { pulumi: string; pulumiLanguageNodejsSdk: string };
    dependencies: Record<string, string>;
};
const pinned = fs.readFileSync(path.join(root, ".nvmrc"), "utf8").trim();

const copied = [
    "package.json",
    ".nvmrc",
    "scripts/lib.sh",
    "scripts/toolchain/node.sh",
    "scripts/toolchain/node-version.js",
    "scripts/toolchain/stamp.sh",
    "scripts/toolchain/pulumi.sh",
    "scripts/env/node-env.sh",
    "scripts/env/kube-env.sh",
    "scripts/env/pulumi-env.sh",
];

function executable(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
}

/** Dates every file under `dir` a minute back: a project checked out a while ago. */
function backdate(dir: string): void {
    const then = new Date(Date.now() - 60_000);
    for (const entry of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        fs.utimesSync(path.join(dir, entry), then, then);
    }
    fs.utimesSync(dir, then, then);
}

class Sandbox {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-stamps-"));
    readonly project = path.join(this.dir, "project");
    readonly bin = path.join(this.dir, "bin");
    readonly cache = path.join(this.dir, "cache");
    readonly callLog = path.join(this.dir, "calls");

    constructor(machineNode = "v24.1.0") {
        for (const file of copied) {
            fs.mkdirSync(path.dirname(path.join(this.project, file)), { recursive: true });
            fs.copyFileSync(path.join(root, file), path.join(this.project, file));
        }
        fs.writeFileSync(path.join(this.project, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
        fs.mkdirSync(path.join(this.project, "components", "dist"), { recursive: true });
        fs.writeFileSync(path.join(this.project, "components", "index.ts"), "export const a = 1;\n");
        fs.writeFileSync(path.join(this.project, "components", "tsconfig.json"), "{}\n");
        fs.writeFileSync(path.join(this.project, "components", "dist", "tsconfig.tsbuildinfo"), "{}\n");
        this.node(path.join(this.bin, "node"), machineNode);
        // npm ci as npm does it: node_modules replaced whole, its hidden lockfile written, tsc installed.
        executable(
            path.join(this.bin, "npm"),
            [
                "#!/usr/bin/env bash",
                `echo "npm $*" >> "${this.callLog}"`,
                "[[ $1 == ci ]] || exit 1",
                "rm -rf node_modules && mkdir -p node_modules/.bin && cp package-lock.json node_modules/.package-lock.json",
                "cat > node_modules/.bin/tsc <<'TSC'",
                "#!/usr/bin/env bash",
                `echo "tsc $*" >> "${this.callLog}"`,
                `[[ ! -e "${this.dir}/tsc-fails" ]] || exit 2`,
                "date > components/dist/tsconfig.tsbuildinfo",
                "TSC",
                "chmod +x node_modules/.bin/tsc",
            ].join("\n") + "\n",
        );
        backdate(this.project);
    }

    /** A `node` at `file` that says it is `version`, logs each call and runs the rest on the real Node.js. */
    node(file: string, version: string): void {
        executable(
            file,
            [
                "#!/usr/bin/env bash",
                `echo "node $*" >> "${this.callLog}"`,
                `if [[ $1 == --version ]]; then echo ${version}; else exec "${realNode}" "$@"; fi`,
            ].join("\n") + "\n",
        );
    }

    /** Runs bash `body` in the project (PATH: the fake tools, then the system's); returns what it printed and the calls it made. */
    run(body: string, env: Record<string, string> = {}): { status: number; stdout: string; stderr: string; calls: string[] } {
        fs.rmSync(this.callLog, { force: true });
        const result = spawnSync("bash", ["-c", body], {
            cwd: this.project,
            env: { PATH: `${this.bin}:/usr/bin:/bin`, HOME: this.dir, GO_DEMO_2_CACHE: this.cache, ...env },
            encoding: "utf8",
        });
        const calls = fs.existsSync(this.callLog) ? fs.readFileSync(this.callLog, "utf8").trim().split("\n") : [];
        return { status: result.status ?? -1, stdout: result.stdout.trim(), stderr: result.stderr, calls };
    }

    /** Sources node-env.sh; prints the `node` it leaves first on PATH. */
    nodeEnv(): { status: number; stdout: string; stderr: string; calls: string[] } {
        return this.run("source scripts/env/node-env.sh && command -v node");
    }

    edit(file: string, text: string): void {
        fs.writeFileSync(path.join(this.project, file), text);
    }

    editJson(file: string, change: (value: Record<string, unknown>) => void): void {
        const value = JSON.parse(fs.readFileSync(path.join(this.project, file), "utf8")) as Record<string, unknown>;
        change(value);
        this.edit(file, JSON.stringify(value, null, 2) + "\n");
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

const tscBuild = "tsc --build components";
const npmCi = "npm ci --no-audit --no-fund";

describe("scripts/env/node-env.sh: nothing started when nothing changed, every change still acted on before the run", () => {
    let box: Sandbox;
    beforeEach(() => {
        box = new Sandbox();
        const first = box.nodeEnv();
        expect(first).toMatchObject({ status: 0, stdout: path.join(box.bin, "node") });
        expect(first.calls).toEqual(expect.arrayContaining([npmCi, tscBuild]));
    });
    afterEach(() => box.remove());

    it("starts no node, npm or tsc when nothing changed", () => {
        const again = box.nodeEnv();
        expect(again).toMatchObject({ status: 0, stdout: path.join(box.bin, "node") });
        expect(again.calls).toEqual([]);
    });

    it("rebuilds the components when a source changed, once", () => {
        box.edit("components/index.ts", "export const a = 2;\n");
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
        expect(box.nodeEnv().calls).toEqual([]);
    });

    it("rebuilds the components when a source was added, tsconfig.json changed, or dist/ was removed", () => {
        box.edit("components/extra.ts", "export const b = 1;\n");
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
        box.edit("components/tsconfig.json", '{ "compilerOptions": {} }\n');
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
        fs.rmSync(path.join(box.project, "components", "dist"), { recursive: true });
        fs.mkdirSync(path.join(box.project, "components", "dist"));
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
    });

    it("rebuilds the components when dist/'s build info was removed", () => {
        fs.rmSync(path.join(box.project, "components", "dist", "tsconfig.tsbuildinfo"));
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
    });

    it("reinstalls (npm ci) when package-lock.json changed, and rebuilds the components after it", () => {
        box.edit("package-lock.json", '{ "lockfileVersion": 3, "packages": {} }\n');
        const calls = box.nodeEnv().calls;
        expect(calls.filter((c) => c.startsWith("npm") || c.startsWith("tsc"))).toEqual([npmCi, tscBuild]);
        expect(box.nodeEnv().calls).toEqual([]);
    });

    it("reinstalls (npm ci) when node_modules was deleted", () => {
        fs.rmSync(path.join(box.project, "node_modules"), { recursive: true });
        expect(box.nodeEnv().calls).toEqual(expect.arrayContaining([npmCi, tscBuild]));
    });

    it("rebuilds the components when the dependencies changed since they were built (npm install)", () => {
        fs.appendFileSync(path.join(box.project, "node_modules", ".package-lock.json"), "\n");
        expect(box.nodeEnv().calls).toEqual([tscBuild]);
    });

    it("tries the build again on the next run when it failed", () => {
        box.edit("components/index.ts", "export const a = 3;\n");
        fs.writeFileSync(path.join(box.dir, "tsc-fails"), "");
        const failed = box.nodeEnv();
        expect(failed.status).toBe(1);
        expect(failed.stderr).toContain("[node-env] building the components package (tsc --build components) failed");
        fs.rmSync(path.join(box.dir, "tsc-fails"));
        expect(box.nodeEnv()).toMatchObject({ status: 0, calls: [tscBuild] });
        expect(fs.readdirSync(path.join(box.project, "node_modules", ".cache", "go-demo-2")).sort()).toEqual(["components"]);
    });

    it.each([
        [{ GO_DEMO_2_CACHE: "<box>/gd2", XDG_CACHE_HOME: "<box>/xdg" }],
        [{ GO_DEMO_2_CACHE: "", XDG_CACHE_HOME: "<box>/xdg" }],
        [{ GO_DEMO_2_CACHE: "", XDG_CACHE_HOME: "" }],
    ])("puts Node's compile cache in the cache root scripts/lib.sh names: %j", (env) => {
        const unset = Object.entries(env)
            .filter(([, v]) => v === "")
            .map(([k]) => `unset ${k};`)
            .join(" ");
        const set = Object.fromEntries(
            Object.entries(env)
                .filter(([, v]) => v !== "")
                .map(([k, v]) => [k, v.replace("<box>", box.dir)]),
        );
        const out = box.run(`${unset} source scripts/env/node-env.sh && echo "$NODE_COMPILE_CACHE" && bash scripts/lib.sh cache-root`, set);
        const [compileCache, cacheRoot] = out.stdout.split("\n");
        expect(compileCache).toBe(`${cacheRoot}/node-compile-cache`);
    });
});

describe("scripts/toolchain/node.sh: the Node.js chosen, remembered until a pin or the machine's node changes", () => {
    let box: Sandbox;
    beforeEach(() => {
        box = new Sandbox("v20.20.2");
        for (const version of [pinned, "24.99.0"]) {
            box.node(path.join(box.cache, `node-v${version}`, "bin", "node"), `v${version}`);
        }
    });
    afterEach(() => box.remove());
    const nodeSh = "bash scripts/toolchain/node.sh";
    const dirOf = (version: string): string => path.join(box.cache, `node-v${version}`, "bin");

    it("answers from its stamp without starting node, also when the chosen node is already first on PATH", () => {
        expect(box.run(nodeSh)).toMatchObject({ status: 0, stdout: dirOf(pinned) });
        expect(box.run(nodeSh)).toMatchObject({ status: 0, stdout: dirOf(pinned), calls: [] });
        expect(box.run(nodeSh, { PATH: `${dirOf(pinned)}:${box.bin}:/usr/bin:/bin` })).toMatchObject({ stdout: dirOf(pinned), calls: [] });
    });

    it("follows a changed .nvmrc", () => {
        expect(box.run(nodeSh).stdout).toBe(dirOf(pinned));
        box.edit(".nvmrc", "24.99.0\n");
        expect(box.run(nodeSh)).toMatchObject({ status: 0, stdout: dirOf("24.99.0") });
    });

    it("follows a changed engines.node in package.json", () => {
        box.node(path.join(box.bin, "node"), "v22.14.0");
        expect(box.run(nodeSh).stdout).toBe(box.bin);
        box.editJson("package.json", (p) => {
            p.engines = { node: ">=24" };
        });
        expect(box.run(nodeSh)).toMatchObject({ status: 0, stdout: dirOf(pinned) });
    });

    it("notices the machine's node replaced in place (an upgrade): the machine's one when it now qualifies", () => {
        expect(box.run(nodeSh).stdout).toBe(dirOf(pinned));
        const machine = path.join(box.bin, "node");
        const then = fs.statSync(machine).mtime;
        fs.rmSync(machine);
        box.node(machine, "v24.1.0");
        fs.utimesSync(machine, then, then); // a package manager keeps the packaged mtime
        expect(box.run(nodeSh)).toMatchObject({ status: 0, stdout: box.bin });
    });

    it("notices another node first on PATH", () => {
        expect(box.run(nodeSh).stdout).toBe(dirOf(pinned));
        const other = path.join(box.dir, "other");
        box.node(path.join(other, "node"), "v24.2.0");
        expect(box.run(nodeSh, { PATH: `${other}:${box.bin}:/usr/bin:/bin` })).toMatchObject({ status: 0, stdout: other });
    });
});

describe("scripts/toolchain/pulumi.sh ensure: the toolchain's directory, remembered until a pin or a build changes", () => {
    let box: Sandbox;
    const { pulumi, pulumiLanguageNodejsSdk } = pkg.toolchain;
    const k8s = pkg.dependencies["@pulumi/kubernetes"];
    const ensure = "bash scripts/toolchain/pulumi.sh ensure";
    const cli = (dir: string): void => {
        for (const tool of ["pulumi", "pulumi-language-nodejs"]) {
            executable(path.join(dir, tool), `#!/usr/bin/env bash\necho "${tool} $*" >> "${box.callLog}"\necho v0.0.0\n`);
        }
    };
    const fallback = (version = pulumi): string => path.join(box.cache, `pulumi-v${version}-nodejs-sdk-v${pulumiLanguageNodejsSdk}`, "bin");
    const own = (version = pulumi): string => path.join(box.cache, `pulumi-v${version}`, "bin");
    beforeEach(() => {
        box = new Sandbox();
        cli(fallback());
        executable(path.join(box.cache, `pulumi-resource-kubernetes-v${k8s}`, "pulumi-resource-kubernetes"), "");
        executable(path.join(box.project, ".pulumi", "home", "plugins", `resource-kubernetes-v${k8s}`, "pulumi-resource-kubernetes"), "");
        expect(box.run(ensure)).toMatchObject({ status: 0, stdout: fallback() });
    });
    afterEach(() => box.remove());

    it("answers from its stamp without starting node", () => {
        expect(box.run(ensure)).toMatchObject({ status: 0, stdout: fallback(), calls: [] });
    });

    it("follows a changed .toolchain.pulumi in package.json", () => {
        cli(fallback("3.999.0"));
        box.editJson("package.json", (p) => {
            (p.toolchain as Record<string, string>).pulumi = "3.999.0";
        });
        expect(box.run(ensure)).toMatchObject({ status: 0, stdout: fallback("3.999.0") });
    });

    it("moves to the build with the CLI's own language host once it is there", () => {
        cli(own());
        expect(box.run(ensure)).toMatchObject({ status: 0, stdout: own() });
    });

    it("moves to a Pulumi CLI that appeared on PATH", () => {
        const ambient = path.join(box.dir, "ambient");
        cli(ambient);
        const result = box.run(ensure, { PATH: `${ambient}:${box.bin}:/usr/bin:/bin` });
        expect(result).toMatchObject({ status: 0, stdout: ambient });
        expect(result.stderr).toContain(`using the Pulumi CLI on PATH: ${ambient}`);
    });

    it("never answers with a build that is gone (with no Go to rebuild it, it fails)", () => {
        fs.rmSync(path.dirname(fallback()), { recursive: true });
        const result = box.run(ensure);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("no Pulumi CLI on PATH and no Go toolchain to build one");
    });
});

describe("scripts/env/kube-env.sh: kubectl's word on the current context, remembered until ~/.kube/config changes", () => {
    let box: Sandbox;
    const kubeEnv = 'source scripts/env/kube-env.sh && echo "$GO_DEMO_2_CLUSTER $KUBECONFIG"';
    const config = (context: string): string =>
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: kind, cluster: {server: 'https://127.0.0.1:6443'}}]",
            "users: [{name: kind, user: {}}]",
            "contexts: [{name: kind-kind, context: {cluster: kind, user: kind}}]",
            `current-context: ${context}`,
        ].join("\n") + "\n";
    beforeEach(() => {
        box = new Sandbox();
        executable(path.join(box.bin, "kubectl"), `#!/usr/bin/env bash\necho "kubectl $*" >> "${box.callLog}"\nexec /usr/bin/kubectl "$@"\n`);
    });
    afterEach(() => box.remove());

    it("starts no kubectl when there is no ~/.kube/config", () => {
        expect(box.run(kubeEnv)).toMatchObject({ stdout: `local ${box.project}/.cluster/kubeconfig`, calls: [] });
    });

    it("asks kubectl once, and again when ~/.kube/config changed", () => {
        const file = path.join(box.dir, ".kube", "config");
        fs.mkdirSync(path.dirname(file));
        fs.writeFileSync(file, config("kind-kind"));
        backdate(path.dirname(file));
        expect(box.run(kubeEnv)).toMatchObject({ stdout: `user ${file}`, calls: ["kubectl config current-context"] });
        expect(box.run(kubeEnv)).toMatchObject({ stdout: `user ${file}`, calls: [] });
        // An edit a moment later: newer than the stamp even where the stamp's time is whole seconds.
        execFileSync("sleep", ["1.1"]);
        fs.writeFileSync(file, config('""'));
        expect(box.run(kubeEnv)).toMatchObject({ stdout: `local ${box.project}/.cluster/kubeconfig`, calls: ["kubectl config current-context"] });
        expect(box.run(kubeEnv)).toMatchObject({ stdout: `local ${box.project}/.cluster/kubeconfig`, calls: [] });
    });
});

describe("scripts/toolchain/stamp.sh: a stamp is dated from before the inputs were read", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-stamp-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const stampSh = path.join(root, "scripts", "toolchain", "stamp.sh");

    it("leaves an input edited between start and write newer than the stamp, and the lines in it", () => {
        const stamp = path.join(dir, "sub", "answer");
        const input = path.join(dir, "input");
        const started = execFileSync("bash", [stampSh, "start", stamp], { encoding: "utf8" }).trim();
        execFileSync("sleep", ["0.05"]);
        fs.writeFileSync(input, "edited while the answer was worked out");
        execFileSync("sleep", ["0.05"]);
        execFileSync("bash", [stampSh, "write", stamp, started, "line one", "line two"]);
        expect(fs.readFileSync(stamp, "utf8")).toBe("line one\nline two\n");
        expect(fs.statSync(input).mtimeMs).toBeGreaterThan(fs.statSync(stamp).mtimeMs);
        expect(execFileSync("bash", ["-c", `[[ "${stamp}" -nt "${input}" ]] && echo fresh || echo stale`], { encoding: "utf8" }).trim()).toBe("stale");
        expect(fs.readdirSync(path.dirname(stamp))).toEqual(["answer"]);
    });

    it("refuses a bad command with exit 2", () => {
        expect(spawnSync("bash", [stampSh, "write", path.join(dir, "x")]).status).toBe(2);
    });
});
