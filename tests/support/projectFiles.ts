/** What the tests read of the project's files beside what the tools read (tools/project/stackFiles.ts). */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { root } from "../../tools/project/root";

/** The cluster a stack file binds the stack to (`kubernetes:context`), if any. */
export function stackFileContext(stack: string): string | undefined {
    const doc = yaml.load(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, string> };
    return doc.config["kubernetes:context"];
}

/** Pulumi.yaml's project-level `config:` declarations. */
export function projectConfigDeclarations(): Record<string, { type: string; default?: unknown }> {
    const doc = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, { type: string; default?: unknown }>;
    };
    return doc.config;
}
