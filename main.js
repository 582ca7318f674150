// The program's entry, where the engine looks for it (package.json's "main"); runtime/README.md says how it runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the runner requires this as CommonJS
module.exports = require("./runtime/main");
