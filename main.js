// The program's entry (package.json "main"): plain JavaScript, so the SDK's runner needs neither
// TypeScript's compiler nor ts-node (Pulumi.yaml: typescript: false); loader.js runs index.ts,
// whose default export is the program: an async function whose result is the stack outputs.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- the runner requires this as CommonJS */
require("./loader").register({ programDir: __dirname });
module.exports = require("./index.ts").default;
