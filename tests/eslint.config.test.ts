import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { root } from "../tools/project/root";

/** Every JavaScript file of the repository: by its extension, or an executable Node.js runs (its shebang). */
function javaScriptFiles(): string[] {
    return execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
        .split("\n")
        .filter((f) => f !== "" && fs.existsSync(path.join(root, f)))
        .filter((f) => /\.[cm]?js$/.test(f) || /^#!.*\bnode\b/.test(fs.readFileSync(path.join(root, f), "utf8").split("\n", 1)[0]));
}

describe("eslint.config.mjs", () => {
    it("lints every JavaScript file with the project's rules: what the engine runs, the configs, the component provider", () => {
        const files = javaScriptFiles();
        expect(files).toEqual(expect.arrayContaining(["main.js", "runtime/loader.js", "jest.config.js", "components/pulumi-resource-go-demo-2"]));
        // ESLint's own answer, in a process of its own (it loads its config as an ES module).
        const script = `const { ESLint } = require("eslint");
            (async () => {
                const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
                const rules = {};
                for (const file of ${JSON.stringify(files)}) {
                    const config = (await eslint.isPathIgnored(file)) ? undefined : await eslint.calculateConfigForFile(file);
                    rules[file] = config?.rules?.eqeqeq?.[0] ?? "not linted with them";
                }
                console.log(JSON.stringify(rules));
            })();`;
        const rules = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }));
        expect(rules).toEqual(Object.fromEntries(files.map((f) => [f, 2])));
    });
});
