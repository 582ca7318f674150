// Preloaded into Node.js (NODE_OPTIONS=--require) by scripts/env/pulumi-env.sh when the Pulumi
// toolchain is the one built from Go modules here. Its language host (SDK 3.68.0) takes runtime
// options only as command-line flags, which the CLI no longer passes, so it ignores Pulumi.yaml's
// `typescript: false` and always starts the SDK's runner with PULUMI_NODEJS_TYPESCRIPT=true.
// In the runner's process, and no other, this applies Pulumi.yaml's option the way the official
// CLI's host does: with `typescript: false` the runner loads neither TypeScript nor ts-node.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a preload script runs as plain CommonJS */
const fs = require("fs");
const path = require("path");
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

const runner = process.argv[1] || "";
if (/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run([\\/]index\.js)?$/.test(runner)) {
    const pwd = process.argv.indexOf("--pwd");
    if (typescriptOption(pwd > 0 ? process.argv[pwd + 1] : process.cwd(), runner) === false) {
        delete process.env.PULUMI_NODEJS_TYPESCRIPT;
    }
}
