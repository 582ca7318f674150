// The program as the engine runs it (main.js, package.json's "main", requires this): plain
// JavaScript, so the SDK's runner needs neither TypeScript's compiler nor ts-node (Pulumi.yaml:
// typescript: false); loader.js runs index.ts, whose default export is the program: an async
// function whose result is the stack outputs.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- the runner requires this as CommonJS */
const path = require("path");

const programDir = path.join(__dirname, "..");
require("./loader").register({ programDir });
module.exports = require("../index.ts").default;
