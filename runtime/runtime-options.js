// Preloaded into Node.js (NODE_OPTIONS=--require) by scripts/env/pulumi-env.sh when the Pulumi
// toolchain is the one built from Go modules here. Its language host (SDK 3.68.0) takes runtime
// options only as command-line flags, which the CLI no longer passes, so it ignores Pulumi.yaml's
// `typescript: false` and always starts the SDK's runner with PULUMI_NODEJS_TYPESCRIPT=true.
// In the runner's process, and no other, this applies Pulumi.yaml's option the way the official
// CLI's host does: with `typescript: false` the runner loads neither TypeScript nor ts-node.
// It also defers the runner's OpenTelemetry SDK until the engine asks for tracing (deferTracing);
// GO_DEMO_2_EAGER_TRACING=1 turns that off (for comparisons); and V8's inspector session, which
// only serializing a function uses, until something serializes one (GO_DEMO_2_EAGER_INSPECTOR=1: not);
// and it maps stack traces with Node's own source maps rather than the runner's source-map-support
// (nativeSourceMaps; GO_DEMO_2_SOURCE_MAP_SUPPORT=1 keeps the latter).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a preload script runs as plain CommonJS */
const fs = require("fs");
const Module = require("module");
const path = require("path");
const v8 = require("v8");
/* eslint-enable @typescript-eslint/no-require-imports */

/** The `typescript` runtime option of the Pulumi.yaml in `dir` or above it; undefined if unset. */
function typescriptOption(dir, runner) {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        const file = path.join(d, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            // The runner's own YAML parser (a dependency of @pulumi/pulumi).
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS
            const yaml = require(require.resolve("js-yaml", { paths: [path.dirname(runner), __dirname] }));
            const project = yaml.load(fs.readFileSync(file, "utf8"));
            const options = project && project.runtime && project.runtime.options;
            return options ? options.typescript : undefined;
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
}

/**
 * The runner's tracing module (cmd/run/tracing.js beside the runner) loads OpenTelemetry's SDK,
 * resources, Zipkin exporter and gRPC instrumentation when it loads (about 80 modules, 0.05 s),
 * though only `start`, which the runner calls when the engine passes `--tracing`, uses them. This
 * puts a stand-in for it in the module cache: `newSpan` does what the real one does before `start`
 * (a span of the global tracer, a no-op one unless something registered a provider) with
 * `@opentelemetry/api` alone, which the runner has loaded already; `start` loads the real module
 * and hands everything to it from then on. Does nothing when the runner has no such module, the
 * module is not the one this was written against (its exports differ), or `--tracing` is given.
 */
function deferTracing(runner) {
    let file;
    try {
        file = path.join(path.dirname(require.resolve(runner)), "tracing.js");
    } catch {
        return;
    }
    const tracing = process.argv.indexOf("--tracing");
    if (tracing > 0 && process.argv[tracing + 1]) {
        return;
    }
    let source;
    try {
        source = fs.readFileSync(file, "utf8");
    } catch {
        return;
    }
    // The module as written in @pulumi/pulumi 3.x: these three exports and a root span only `start` sets.
    const exported = [...source.matchAll(/^exports\.(\w+) = /gm)].map((m) => m[1]).sort().join(",");
    if (exported !== "newSpan,start,stop" || !/^let rootSpan;$/m.test(source)) {
        return;
    }
    const requireFrom = Module.createRequire(file);
    let real;
    const load = () => {
        if (!real) {
            delete require.cache[file];
            real = requireFrom(file);
            standIn.exports = real;
        }
        return real;
    };
    const standIn = new Module(file);
    standIn.filename = file;
    standIn.loaded = true;
    standIn.exports = {
        start: (destinationUrl) => load().start(destinationUrl),
        stop: () => (real ? real.stop() : undefined),
        newSpan: (name) => {
            if (real) {
                return real.newSpan(name);
            }
            // The real newSpan with its rootSpan still undefined.
            const opentelemetry = requireFrom("@opentelemetry/api");
            const tracer = opentelemetry.trace.getTracer("nodejs-runtime");
            const parentSpan = opentelemetry.trace.getActiveSpan() ?? undefined;
            const ctx = opentelemetry.trace.setSpan(opentelemetry.context.active(), parentSpan);
            return tracer.startSpan(name, undefined, ctx);
        },
    };
    require.cache[file] = standIn;
}

/**
 * Before it loads the program, the runner connects an inspector session to V8 and enables its
 * debugger (runtime/closure/v8Hooks.js), only so that the closure serializer, should the program
 * serialize a function, can name the file a function came from; with the debugger on, V8 reports
 * every script it compiles to that session. This puts a stand-in for that module in the module
 * cache that connects the same session the first time the serializer asks for it. Its listener is
 * attached before the debugger is enabled, and enabling it reports every script compiled so far,
 * so the serializer sees the same file for every function. Does nothing when the SDK has no such
 * module or it is not the one this was written against (its exports differ).
 */
function deferInspector(runner) {
    let file;
    let source;
    try {
        file = path.join(path.dirname(require.resolve(runner)), "..", "..", "runtime", "closure", "v8Hooks.js");
        source = fs.readFileSync(file, "utf8");
    } catch {
        return;
    }
    const exported = [...source.matchAll(/^exports\.(\w+) = /gm)].map((m) => m[1]).sort().join(",");
    if (exported !== "getScriptUrl,getSessionAsync,isInitializedAsync" || !source.includes('"Debugger.scriptParsed"')) {
        return;
    }
    // The real module's side effect when it loads, which the serializer's natives need.
    v8.setFlagsFromString("--allow-natives-syntax");
    const scriptIdToUrlMap = new Map();
    let session;
    const getSession = () => {
        if (session === undefined) {
            session = (async () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
                const inspectorSession = new (require("inspector").Session)();
                inspectorSession.connect();
                inspectorSession.addListener("Debugger.scriptParsed", (event) => {
                    scriptIdToUrlMap.set(event.params.scriptId, event.params.url);
                });
                await new Promise((resolve, reject) => {
                    inspectorSession.post("Debugger.enable", (err, res) => (err ? reject(err) : resolve(res)));
                });
                return inspectorSession;
            })();
        }
        return session;
    };
    const standIn = new Module(file);
    standIn.filename = file;
    standIn.loaded = true;
    standIn.exports = {
        getSessionAsync: async () => getSession(),
        isInitializedAsync: async () => undefined,
        getScriptUrl: (id) => scriptIdToUrlMap.get(id),
    };
    require.cache[file] = standIn;
}

/**
 * The runner's first line installs source-map-support (`source-map-support/register`), whose
 * stack-trace hook maps every frame of every `new Error().stack`, and the SDK takes one, with no
 * depth limit, for each resource it registers (its source position). That hook re-reads each
 * frame's file to find its map and parses the maps with a JavaScript VLQ decoder: about 0.1 s of
 * the dev stack's run and 40 MiB more memory, and it overrides Node's own source maps, which the
 * loader (runtime/loader.js) turns on for the program's files, with a wrong line for them
 * (tests/runtime/loader.test.ts). This puts an empty stand-in for that module in the module
 * cache, so the frames are mapped by Node from the maps V8 was given when each file compiled.
 * Does nothing when the runner does not resolve such a module.
 */
function nativeSourceMaps(runner) {
    let file;
    try {
        file = Module.createRequire(require.resolve(runner)).resolve("source-map-support/register");
    } catch {
        return;
    }
    const standIn = new Module(file);
    standIn.filename = file;
    standIn.loaded = true;
    require.cache[file] = standIn;
}

const runner = process.argv[1] || "";
if (/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run([\\/]index\.js)?$/.test(runner)) {
    const pwd = process.argv.indexOf("--pwd");
    if (typescriptOption(pwd > 0 ? process.argv[pwd + 1] : process.cwd(), runner) === false) {
        delete process.env.PULUMI_NODEJS_TYPESCRIPT;
    }
    if (!process.env.GO_DEMO_2_EAGER_TRACING) {
        deferTracing(runner);
    }
    if (!process.env.GO_DEMO_2_EAGER_INSPECTOR) {
        deferInspector(runner);
    }
    if (!process.env.GO_DEMO_2_SOURCE_MAP_SUPPORT) {
        nativeSourceMaps(runner);
    }
}

module.exports = { deferTracing, deferInspector, nativeSourceMaps };
