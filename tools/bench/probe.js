// Preloaded with NODE_OPTIONS=--require by `npm run bench` into every Node.js process the engine
// starts. On exit it appends one JSON line to $GO_DEMO_2_PROBE_FILE: the entry script, peak RSS
// (KiB) and, in wall-clock milliseconds, when the process started, when it began and finished
// loading the project's main module (package.json "main" in the working directory) and when it
// exited; bench.ts splits a preview's time with them.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a preload script runs as plain CommonJS */
const fs = require("fs");
const Module = require("module");
const path = require("path");
/* eslint-enable @typescript-eslint/no-require-imports */

const file = process.env.GO_DEMO_2_PROBE_FILE;
const mains = new Map();
if (file) {
    const now = () => performance.timeOrigin + performance.now();
    const report = { script: process.argv[1], startedAt: performance.timeOrigin };
    const load = Module._load;
    Module._load = function (request) {
        // The SDK's runner changes into the project folder before it requires the program by path.
        const main = report.loadStartedAt === undefined && mainOf(process.cwd());
        if (main && path.resolve(process.cwd(), request) === main) {
            report.loadStartedAt = now();
            try {
                return load.apply(this, arguments);
            } finally {
                report.loadEndedAt = now();
            }
        }
        return load.apply(this, arguments);
    };
    process.on("exit", () => {
        report.exitedAt = now();
        report.maxRssKiB = process.resourceUsage().maxRSS;
        fs.appendFileSync(file, JSON.stringify(report) + "\n");
    });
}

/** The absolute path of the main module of the package in `dir`, or undefined (read once per folder). */
function mainOf(dir) {
    if (!mains.has(dir)) {
        let main;
        try {
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            main = pkg.main ? path.resolve(dir, pkg.main) : undefined;
        } catch {
            main = undefined;
        }
        mains.set(dir, main);
    }
    return mains.get(dir);
}
