// Preloaded with NODE_OPTIONS=--require by `npm run bench` into every Node.js process the engine
// starts: on exit, appends the process's entry script and peak RSS (KiB) to $GO_DEMO_2_PEAK_MEMORY_FILE.
"use strict";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a preload script runs as plain CommonJS
const fs = require("fs");
const file = process.env.GO_DEMO_2_PEAK_MEMORY_FILE;
if (file) {
    process.on("exit", () => {
        const line = JSON.stringify({ script: process.argv[1], maxRssKiB: process.resourceUsage().maxRSS });
        fs.appendFileSync(file, line + "\n");
    });
}
