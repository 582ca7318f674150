// How the program's TypeScript runs under `pulumi preview` and `pulumi up` (main.js here calls it),
// without TypeScript's compiler or ts-node in the process:
// - each .ts file is transpiled by swc (types stripped, nothing checked: `npm run typecheck` does
//   that) into a cache keyed by the file's name and content, so a file compiles once per change,
//   copies of the program (tests, benchmarks) share the entry, and an edited file never runs stale;
// - Node's compile cache keeps V8's compiled code of every module between runs;
// - TypeScript's compiler, which the SDK loads only to serialize functions, waits until used.
// Both caches live outside the repo: ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-~/.cache}/go-demo-2}.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- loaded by Node.js as plain CommonJS */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");

/** What tsconfig.json's compilerOptions say about the emitted JavaScript, in swc's terms. */
const SWC_OPTIONS = {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
    // Nothing but these options: no .swcrc from the disk.
    swcrc: false,
    configFile: false,
};

/** The project's cache root, the one scripts/*.sh use. */
function cacheRoot() {
    const env = process.env;
    return env.GO_DEMO_2_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "go-demo-2");
}

/**
 * Makes `require` of a .ts file transpile it through the content-keyed cache in `dir`; replaces
 * any .ts loader registered before (ts-node's, when a language host insists on TypeScript mode).
 * Returns the number of files transpiled so far (cache misses), for tests.
 */
function registerTypeScript(dir) {
    const counter = { transpiled: 0 };
    let swc;
    fs.mkdirSync(dir, { recursive: true });
    Module._extensions[".ts"] = function (module, filename) {
        const source = fs.readFileSync(filename, "utf8");
        // The source map names the file relative to itself, so one entry serves every copy of it.
        const sourceFileName = path.basename(filename);
        const key = crypto
            .createHash("sha256")
            .update(JSON.stringify([SWC_OPTIONS, sourceFileName]))
            .update("\0")
            .update(source)
            .digest("hex");
        const cached = path.join(dir, `${key}.js`);
        let code;
        try {
            code = fs.readFileSync(cached, "utf8");
        } catch {
            swc = swc || require("@swc/core");
            code = swc.transformSync(source, { ...SWC_OPTIONS, filename, sourceFileName }).code;
            counter.transpiled += 1;
            // Written whole under another name, then renamed: a reader never sees half a file.
            const tmp = `${cached}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, code);
            fs.renameSync(tmp, cached);
        }
        module._compile(code, filename);
    };
    return counter;
}

/**
 * `require("@pulumi/pulumi")` loads the SDK's closure serializer, whose parseFunction.js requires
 * TypeScript's compiler (9 MB, about a tenth of a second) when it loads, though only serializing a
 * function (`pulumi.runtime.serializeFunction`, which this program never calls) uses it. This puts
 * a stand-in for the SDK's typescript-shim module in the module cache that loads the real one the
 * first time anything reads from it. `from` is where to resolve the SDK (the program's folder).
 * Does nothing when the SDK has no such module or it is loaded already (a runner in TypeScript
 * mode loads it).
 */
function deferTypeScript(from) {
    let shim;
    try {
        shim = require.resolve("@pulumi/pulumi/typescript-shim", { paths: [from] });
    } catch {
        return;
    }
    if (require.cache[shim]) {
        return;
    }
    const standIn = new Module(shim);
    let real;
    const load = () => {
        if (!real) {
            delete require.cache[shim];
            real = require(shim);
            require.cache[shim] = standIn;
        }
        return real;
    };
    standIn.filename = shim;
    standIn.loaded = true;
    standIn.exports = new Proxy(
        {},
        {
            get: (_, key) => load()[key],
            has: (_, key) => key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Object.getOwnPropertyDescriptor(load(), key);
                return d && { ...d, configurable: true };
            },
        },
    );
    require.cache[shim] = standIn;
}

/**
 * Node's compile cache for every module loaded from here on, the .ts loader, TypeScript deferred;
 * `cacheDir` holds both caches, `programDir` is where the program resolves its modules.
 */
function register({ cacheDir = cacheRoot(), programDir = process.cwd() } = {}) {
    Module.enableCompileCache(path.join(cacheDir, "node-compile-cache"));
    // Errors thrown by the program point at its .ts lines (node_modules' own maps are not needed).
    if (Module.setSourceMapsSupport) {
        Module.setSourceMapsSupport(true, { nodeModules: false });
    } else {
        process.setSourceMapsEnabled(true);
    }
    deferTypeScript(programDir);
    // The swc version is part of the folder: another transpiler version never reads these files.
    return registerTypeScript(path.join(cacheDir, "transpiled", `swc-${require("@swc/core/package.json").version}`));
}

module.exports = { register, deferTypeScript, SWC_OPTIONS };
