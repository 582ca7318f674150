// Which Node.js the project runs on: the machine's when it satisfies package.json's `engines.node`,
// else the version pinned in .nvmrc (scripts/toolchain/node.sh fetches it). Runs on whatever Node.js the
// machine has, before any dependency is installed, so it uses nothing but the standard library
// and syntax old releases understand.
//
//   node scripts/toolchain/node-version.js <machine version>   prints "machine" or the pinned version
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- runs as plain CommonJS on any Node.js */
var fs = require("fs");
var path = require("path");
/* eslint-enable @typescript-eslint/no-require-imports */

/** [major, minor, patch] of "v24.1.0" / "24.1" / "24"; throws on anything else. */
function parse(version) {
    var m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(version).trim());
    if (!m) {
        throw new Error("not a Node.js version: '" + version + "'");
    }
    return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}

function compare(a, b) {
    for (var i = 0; i < 3; i++) {
        if (a[i] !== b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/**
 * Whether `version` satisfies `range`: alternatives joined by `||`, each `>=X.Y.Z` or `^X.Y.Z`
 * (the forms package.json's engines uses here). Anything else throws rather than guessing.
 */
function satisfies(version, range) {
    var v = parse(version);
    return String(range)
        .split("||")
        .some(function (alternative) {
            var m = /^\s*(>=|\^)\s*(\S+)\s*$/.exec(alternative);
            if (!m) {
                throw new Error("unsupported engines range '" + alternative.trim() + "' (use >=X.Y.Z or ^X.Y.Z, joined by ||)");
            }
            var bound = parse(m[2]);
            return compare(v, bound) >= 0 && (m[1] === ">=" || v[0] === bound[0]);
        });
}

/** "machine" when the machine's Node.js satisfies the range, else the pinned version (which must). */
function choose(machineVersion, range, pinned) {
    if (!satisfies(pinned, range)) {
        throw new Error(".nvmrc pins Node.js " + pinned + ", outside package.json engines.node '" + range + "'");
    }
    return machineVersion && satisfies(machineVersion, range) ? "machine" : parse(pinned).join(".");
}

/** package.json's engines.node and .nvmrc's version, from the project root. */
function projectPins(root) {
    var engines = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines;
    return {
        range: engines && engines.node,
        pinned: fs.readFileSync(path.join(root, ".nvmrc"), "utf8").trim(),
    };
}

module.exports = { satisfies: satisfies, choose: choose, projectPins: projectPins };

if (require.main === module) {
    try {
        var pins = projectPins(path.join(__dirname, "..", ".."));
        process.stdout.write(choose(process.argv[2], pins.range, pins.pinned) + "\n");
    } catch (e) {
        process.stderr.write("[node] " + e.message + "\n");
        process.exit(1);
    }
}
