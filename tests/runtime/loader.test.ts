import { execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { create } from "ts-node";
import * as ts from "typescript";
import { root } from "../../tools/project/root";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, loaded by the engine before any TypeScript
const loader = require("../../runtime/loader.js") as {
    SWC_OPTIONS: { jsc: { target: string }; module: { type: string } };
};

/**
 * How Pulumi's Node.js runners load the TypeScript: both register the project's ts-node with the
 * tsconfig.json of their working directory (the program's runner passes no transpile option of its
 * own, the policy runner demands `typeCheck: true`). These build ts-node's service the same way.
 */
describe("loading the TypeScript under pulumi preview and up", () => {
    it("in the runner's TypeScript mode, runs the program transpile-only through swc: no type check on each run", () => {
        const { options } = create({ project: path.join(root, "tsconfig.json") });
        expect(options).toMatchObject({ transpileOnly: true, swc: true });
    });

    it("type-checks the policy pack with TypeScript, through the tsconfig policy/analyzer points ts-node at (runtime/policy.tsconfig.json)", () => {
        const analyzer = fs.readFileSync(path.join(root, "policy", "analyzer"), "utf8");
        const project = /^export TS_NODE_PROJECT="\$dir\/(.+)"$/m.exec(analyzer)?.[1];
        expect(project).toBeDefined();
        // ts-node refuses swc with a type check, so the project's own tsconfig would stop the pack.
        expect(() => create({ typeCheck: true, project: path.join(root, "tsconfig.json") })).toThrow(/Custom transpiler/);
        const { options } = create({ typeCheck: true, project: path.join(root, "policy", project!) });
        expect(options).toMatchObject({ swc: false, typeCheck: true });
    });
});

/**
 * How the engine runs the program: package.json's main, main.js, requires runtime/main.js, which registers runtime/loader.js, which runs
 * each .ts file through a transpile cache keyed by its content. Each case runs a fresh Node.js
 * process, as the engine does, on files of its own and caches of its own.
 */
describe("runtime/loader.js: the program's TypeScript without TypeScript's compiler", () => {
    let work: string;
    beforeEach(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-loader-"));
    });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    /** Requires `file` in a new process through the loader; returns what it printed and how many files it transpiled. */
    function load(file: string, before = ""): { out: unknown; transpiled: number } {
        const script = `${before}
            const counter = require(${JSON.stringify(path.join(root, "runtime", "loader.js"))}).register({ cacheDir: ${JSON.stringify(path.join(work, "cache"))} });
            let out;
            try { out = require(${JSON.stringify(file)}).value; } catch (e) { out = String(e.stack).split("\\n").slice(0, 2).join(" | "); }
            console.log(JSON.stringify({ out, transpiled: counter.transpiled }));`;
        return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: work, encoding: "utf8" }));
    }

    function write(name: string, text: string): string {
        const file = path.join(work, name);
        fs.writeFileSync(file, text);
        return file;
    }

    it("runs TypeScript with its types stripped, and imports between .ts files", () => {
        write("dep.ts", "export interface Port { port: number }\nexport const http: Port = { port: 8080 };\n");
        const main = write("main.ts", 'import { http, type Port } from "./dep";\nconst p: Port = http;\nexport const value: number = p.port + 1;\n');
        expect(load(main)).toEqual({ out: 8081, transpiled: 2 });
    });

    it("transpiles a file once: the next process reads the cache", () => {
        const main = write("main.ts", "export const value: string = 'cached';\n");
        expect(load(main)).toEqual({ out: "cached", transpiled: 1 });
        expect(load(main)).toEqual({ out: "cached", transpiled: 0 });
    });

    it("never runs a stale file: an edit is transpiled again, and reverting it finds the first copy", () => {
        const main = write("main.ts", "export const value: number = 1;\n");
        expect(load(main)).toEqual({ out: 1, transpiled: 1 });
        write("main.ts", "export const value: number = 2;\n");
        expect(load(main)).toEqual({ out: 2, transpiled: 1 });
        write("main.ts", "export const value: number = 1;\n");
        expect(load(main)).toEqual({ out: 1, transpiled: 0 });
    });

    it("shares one transpiled file between copies of the program, each reporting errors at its own .ts line", () => {
        const text = "type T = string;\n\nexport const value: T = (() => {\n    throw new Error('boom');\n})();\n";
        fs.mkdirSync(path.join(work, "copy"));
        const main = write("main.ts", text);
        const copy = write(path.join("copy", "main.ts"), text);
        expect(load(main)).toEqual({ out: expect.stringMatching(new RegExp(`Error: boom \\| +at .*${main}:4:`)), transpiled: 1 });
        expect(load(copy)).toEqual({ out: expect.stringMatching(new RegExp(`Error: boom \\| +at .*${copy}:4:`)), transpiled: 0 });
    });

    it("takes over from a .ts loader registered before it (a language host that insists on ts-node)", () => {
        const main = write("main.ts", "export const value: number = 3;\n");
        const other = "require('module')._extensions['.ts'] = () => { throw new Error('the other loader'); };";
        expect(load(main, other)).toEqual({ out: 3, transpiled: 1 });
    });

    it("turns on Node's compile cache in the cache folder", () => {
        const out = execFileSync(
            process.execPath,
            ["-e", `require(${JSON.stringify(path.join(root, "runtime", "loader.js"))}).register({ cacheDir: ${JSON.stringify(work)} }); console.log(require("module").getCompileCacheDir())`],
            { encoding: "utf8", env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_COMPILE_CACHE")) },
        );
        // Node keeps one folder per Node.js version inside it.
        expect(out.trim()).toMatch(new RegExp(`^${path.join(work, "node-compile-cache")}/v\\d+`));
    });

    it("leaves TypeScript's compiler unloaded until something uses it: the SDK loads, a function still serializes", () => {
        /** In a new process: is TypeScript loaded after requiring the SDK, and after serializing a function with it? */
        const run = (defer: boolean) => {
            const script = `
                const loaded = () => Object.keys(require.cache).some((k) => /node_modules[\\\\/]typescript[\\\\/]/.test(k));
                ${defer ? `require(${JSON.stringify(path.join(root, "runtime", "loader.js"))}).deferTypeScript(${JSON.stringify(root)});` : ""}
                const pulumi = require("@pulumi/pulumi");
                const before = loaded();
                pulumi.runtime.serializeFunction(() => 40 + 2).then((f) =>
                    console.log(JSON.stringify({ before, after: loaded(), serialized: f.text.includes("40 + 2") })));`;
            return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }));
        };
        expect(run(false)).toEqual({ before: true, after: true, serialized: true });
        expect(run(true)).toEqual({ before: false, after: true, serialized: true });
    });

    it("emits what tsconfig.json asks of the JavaScript: its target, CommonJS", () => {
        const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
        expect(loader.SWC_OPTIONS.jsc.target).toBe(config.compilerOptions.target);
        expect(config.compilerOptions.module).toBe(loader.SWC_OPTIONS.module.type);
    });

    it("is what the engine runs: package.json's main is main.js, which exports index.ts's outputs; Pulumi.yaml turns the runner's TypeScript off", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        expect(pkg.main).toBe("main.js");
        expect(fs.readFileSync(path.join(root, "main.js"), "utf8")).toMatch(/^module\.exports = require\("\.\/runtime\/main"\);$/m);
        expect(fs.readFileSync(path.join(root, "runtime", "main.js"), "utf8")).toMatch(
            /const programDir = path\.join\(__dirname, "\.\."\);\nrequire\("\.\/loader"\)\.register\(\{ programDir \}\);\nmodule\.exports = require\("\.\.\/index\.ts"\)\.default;/,
        );
        const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { runtime: { options: Record<string, unknown> } };
        expect(project.runtime.options.typescript).toBe(false);
    });

    it("runs from main.js through runtime/: a new process that requires it gets index.ts's program, a function, transpiled into the cache", () => {
        const script = `const program = require(${JSON.stringify(path.join(root, "main.js"))});
            console.log(JSON.stringify([typeof program, program.name]));`;
        const out = execFileSync(process.execPath, ["-e", script], { cwd: work, env: { ...process.env, GO_DEMO_2_CACHE: path.join(work, "cache") }, encoding: "utf8" });
        expect(JSON.parse(out)).toEqual(["function", "main"]);
        const [swc] = fs.readdirSync(path.join(work, "cache", "transpiled"));
        expect(fs.readdirSync(path.join(work, "cache", "transpiled", swc)).length).toBeGreaterThan(1);
    });
});

describe("runtime/runtime-options.js: Pulumi.yaml's runtime options under the language host built here", () => {
    let work: string;
    beforeEach(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-options-"));
    });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    /**
     * What a runner started the way that host starts the SDK's (PULUMI_NODEJS_TYPESCRIPT=true,
     * `--pwd <project>`) sees of PULUMI_NODEJS_TYPESCRIPT, with the preload scripts/env/pulumi-env.sh adds.
     */
    function runnerSees(project: string, script = path.join("node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js")): string {
        const runner = path.join(work, script);
        fs.mkdirSync(path.dirname(runner), { recursive: true });
        fs.writeFileSync(runner, 'process.stdout.write(String(process.env.PULUMI_NODEJS_TYPESCRIPT ?? "unset"));\n');
        return execFileSync(process.execPath, ["--require", path.join(root, "runtime", "runtime-options.js"), runner, "--pwd", project, "."], {
            cwd: work,
            env: { PATH: process.env.PATH ?? "", PULUMI_NODEJS_TYPESCRIPT: "true" },
            encoding: "utf8",
        });
    }

    function project(runtime: string): string {
        const dir = fs.mkdtempSync(path.join(work, "project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: p\n${runtime}`);
        return dir;
    }

    it("turns the runner's TypeScript mode off when Pulumi.yaml says typescript: false, as the official host does", () => {
        expect(runnerSees(project("runtime:\n  name: nodejs\n  options:\n    typescript: false\n"))).toBe("unset");
    });

    it.each([
        ["typescript: true", "runtime:\n  name: nodejs\n  options:\n    typescript: true\n"],
        ["no options", "runtime: nodejs\n"],
    ])("leaves it on with %s", (_, runtime) => {
        expect(runnerSees(project(runtime))).toBe("true");
    });

    it("touches no other Node.js process", () => {
        expect(runnerSees(project("runtime:\n  name: nodejs\n  options:\n    typescript: false\n"), "other.js")).toBe("true");
    });

    it("gives the project's own Pulumi.yaml the runner the official CLI would start", () => {
        expect(runnerSees(root)).toBe("unset");
    });

    /** The runner's tracing module as the runner sees it (`defer`: with the stand-in), in a process of its own. */
    function tracingSeen(defer: boolean, start?: string): { keys: string[]; span: string; recording: boolean; otel: number } {
        const script = `
            const path = require("path");
            const run = path.join(${JSON.stringify(root)}, "node_modules", "@pulumi", "pulumi", "cmd", "run");
            const file = path.join(run, "tracing.js");
            if (${defer}) require(${JSON.stringify(path.join(root, "runtime", "runtime-options.js"))}).deferTracing(run);
            const tracing = require(file);
            ${start ? `tracing.start(${JSON.stringify(start)});` : ""}
            const span = tracing.newSpan("language-runtime.run");
            span.end();
            tracing.stop();
            const otel = Object.keys(require.cache).filter((k) => /@opentelemetry[\\/](?!api[\\/])/.test(k)).length;
            process.stdout.write(JSON.stringify({ keys: Object.keys(tracing).sort(), span: span.constructor.name,
                recording: span.isRecording(), otel }));`;
        return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: work, env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" }));
    }

    it("defers the runner's OpenTelemetry SDK until tracing starts; a span before that is the one the real module gives", () => {
        const real = tracingSeen(false);
        const deferred = tracingSeen(true);
        expect(real.otel).toBeGreaterThan(20);
        expect(deferred).toEqual({ ...real, otel: 0 });
        expect(deferred.span).toBe("NonRecordingSpan");
    });

    it("hands everything to the real module once tracing starts", () => {
        // The address the engine gives for a file target: the real start warns and enables nothing, but loads the SDK.
        const started = tracingSeen(true, "tcp://127.0.0.1:1");
        expect(started.otel).toBeGreaterThan(20);
        expect(started.keys).toEqual(["newSpan", "start", "stop"]);
    });

    /**
     * A function serialized and located by the SDK's closure serializer in a process of its own, the
     * inspector hooks connected the way the runner does before the program (`defer`: the stand-in).
     */
    function serialized(defer: boolean): { text: string; location: unknown; connected: boolean } {
        const sdk = path.join(root, "node_modules", "@pulumi", "pulumi");
        const script = `
            const path = require("path");
            const sdk = ${JSON.stringify(sdk)};
            const inspector = require("inspector");
            let connected = false;
            const connect = inspector.Session.prototype.connect;
            inspector.Session.prototype.connect = function () { connected = true; return connect.apply(this, arguments); };
            const hooks = ${defer}
                ? (require(${JSON.stringify(path.join(root, "runtime", "runtime-options.js"))}).deferInspector(path.join(sdk, "cmd", "run")), require(path.join(sdk, "runtime", "closure", "v8Hooks.js")))
                : require(path.join(sdk, "runtime", "closure", "v8Hooks.js"));
            hooks.isInitializedAsync().then(() => {
                const before = connected;
                // The program, loaded after the hooks as the runner loads it.
                const program = require(${JSON.stringify(path.join(work, "program.js"))});
                const pulumi = require(sdk);
                return pulumi.runtime.serializeFunction(program.handler).then(async (s) => {
                    const location = await require(path.join(sdk, "runtime", "closure", "v8.js")).getFunctionLocationAsync(program.inner);
                    process.stdout.write(JSON.stringify({ text: s.text, location, connected: before }));
                });
            });`;
        fs.writeFileSync(path.join(work, "program.js"), "const captured = { n: 42 };\nfunction inner(x) { return x + captured.n; }\nexports.inner = inner;\nexports.handler = (y) => inner(y) * 2;\n");
        return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: work, env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" }));
    }

    it("connects V8's inspector only when a function is serialized; the function serializes and is located as before", () => {
        const eager = serialized(false);
        const deferred = serialized(true);
        expect(eager.connected).toBe(true);
        expect(deferred.connected).toBe(false);
        expect(deferred.text).toBe(eager.text);
        expect(deferred.text).toContain("captured.n");
        expect(deferred.location).toEqual(eager.location);
        expect(deferred.location).toEqual({ file: expect.stringMatching(/program\.js$/), line: 1, column: 14 });
    });

    /**
     * The SDK's source position of a resource (its first frame in the program) and whether
     * source-map-support was loaded, in a process of its own that loads what the
     * runner loads in the runner's order (`standIn`: with nativeSourceMaps first).
     */
    function sourcePosition(standIn: boolean): { position: string; loaded: boolean } {
        const sdk = path.join(root, "node_modules", "@pulumi", "pulumi");
        const program = path.join(work, "program.ts");
        // The resource's constructor call on line 7 of the .ts file (column 5), after type-only lines.
        fs.writeFileSync(
            program,
            `import * as pulumi from ${JSON.stringify(sdk)};\n\ninterface A { n: number }\ntype B = A;\n\nexport function make(b: B) {\n    return pulumi.Resource.stackTrace(0).find((f) => f.uri?.endsWith(\"program.ts\")) ?? b;\n}\n`,
        );
        const script = `
            const path = require("path");
            const run = path.join(${JSON.stringify(sdk)}, "cmd", "run");
            if (${standIn}) require(${JSON.stringify(path.join(root, "runtime", "runtime-options.js"))}).nativeSourceMaps(run);
            require(require("module").createRequire(path.join(run, "index.js")).resolve("source-map-support/register"));
            require(${JSON.stringify(path.join(root, "runtime", "loader.js"))}).register({ cacheDir: ${JSON.stringify(path.join(work, "cache"))}, programDir: ${JSON.stringify(root)} });
            const p = require(${JSON.stringify(program)}).make({ n: 1 });
            process.stdout.write(JSON.stringify({ position: p.uri + ":" + p.line + ":" + p.column, loaded: Object.keys(require.cache).some((k) => /source-map-support[\\\\/]source-map-support\\.js$/.test(k)) }));`;
        return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" }));
    }

    it("leaves stack traces to Node's own source maps, not source-map-support: a resource's source position is its .ts line", () => {
        const eager = sourcePosition(false);
        const native = sourcePosition(true);
        expect(eager.loaded).toBe(true);
        expect(native).toEqual({ position: expect.stringMatching(/program\.ts:7:\d+$/), loaded: false });
        // What the runner's own source-map-support gave for the same frame (0.1 s slower on the dev stack).
        expect(eager.position).not.toBe(native.position);
    });
});
