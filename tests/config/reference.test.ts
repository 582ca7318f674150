import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { KNOWN_KEYS } from "../../config";
import { CONFIG_REFERENCE, configReferenceTable, withoutLinks } from "../../config/reference";
import { docsWithTable, projectWithDescriptions } from "../../tools/docs/docsConfig";
import { root } from "../../tools/project/root";

const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("the config reference (config/reference.ts) is the one source of the keys' documentation", () => {
    it("documents exactly the keys config.ts decodes, plus the provider keys the program checks", () => {
        expect(CONFIG_REFERENCE.map((k) => k.key).filter((k) => !k.includes(":")).sort()).toEqual([...KNOWN_KEYS].sort());
        expect(CONFIG_REFERENCE.map((k) => k.key).filter((k) => k.includes(":"))).toEqual(["kubernetes:context", "kubernetes:kubeconfig"]);
    });

    it("is the table docs/configuration.md holds (npm run docs:config writes it)", () => {
        const docs = read("docs/configuration.md");
        expect(docsWithTable(docs)).toBe(docs);
        expect(docs).toContain(configReferenceTable());
    });

    it("gives Pulumi.yaml's description and type of every key it declares (npm run docs:config writes them)", () => {
        const project = read("Pulumi.yaml");
        expect(projectWithDescriptions(project)).toBe(project);
        const declared = (yaml.load(project) as { config: Record<string, { type: string; description: string }> }).config;
        const types: Record<string, string> = { string: "string", integer: "integer", boolean: "boolean", list: "array", "string[]": "array" };
        for (const [key, { type, description }] of Object.entries(declared)) {
            const doc = CONFIG_REFERENCE.find((k) => k.key === key);
            expect([key, description, types[doc?.type ?? ""]]).toEqual([key, withoutLinks(doc?.accepted ?? ""), type]);
        }
    });

    it("writes links as text for Pulumi.yaml, which renders no Markdown", () => {
        expect(withoutLinks("see [What it survives](operations.md#what-it-survives); and `x`")).toBe(
            "see What it survives (docs/operations.md); and `x`",
        );
    });
});
