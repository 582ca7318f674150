// How the program's TypeScript runs under `pulumi preview` and `pulumi up` (main.js calls it):
// without TypeScript's compiler or ts-node in the process. Each .ts file is transpiled by swc
// (types stripped, nothing type-checked: `npm run typecheck` does that) into a cache keyed by the
// file's name and content, so a file compiles once per change, copies of the program (tests,
// benchmarks) share it, and an edited file can never run stale; and
// Node's own compile cache keeps V8's compiled code of every module between runs. Both caches live
// outside the repo: ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-~/.cache}/go-demo-2}.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- loaded by Node.js as plain CommonJS */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");
/* eslint-enable @typescript-eslint/no-require-imports */

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
function cacheRoot(env = process.env) {
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

/** Node's compile cache for every module loaded from here on, and the .ts loader. */
function register(root = cacheRoot()) {
    if (Module.enableCompileCache) {
        Module.enableCompileCache(path.join(root, "node-compile-cache"));
    }
    // Errors thrown by the program point at its .ts lines.
    process.setSourceMapsEnabled(true);
    // The swc version is part of the folder: another transpiler version never reads these files.
    return registerTypeScript(path.join(root, "transpiled", `swc-${require("@swc/core/package.json").version}`));
}

module.exports = { register, registerTypeScript, cacheRoot, SWC_OPTIONS };
