/**
 * `npm run docs:config`: writes the config reference (config/reference.ts) where it is read: the
 * table in docs/configuration.md, between its markers, and each declared key's description in
 * Pulumi.yaml. tests/config/reference.test.ts fails until this has been run after a change.
 */
import * as fs from "fs";
import * as path from "path";

import { CONFIG_REFERENCE, configReferenceTable, TABLE_MARKERS, withoutLinks } from "../../config/reference";
import { root } from "../project/root";

/** docs/configuration.md with the rendered table between the markers. */
export function docsWithTable(markdown: string): string {
    const [begin, end] = TABLE_MARKERS;
    const from = markdown.indexOf(begin);
    const to = markdown.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`docs/configuration.md lacks the markers ${begin} … ${end}`);
    }
    return `${markdown.slice(0, from + begin.length)}\n${configReferenceTable()}\n${markdown.slice(to)}`;
}

/** Pulumi.yaml with each declared key's `description:` line set from the reference (a JSON string is a YAML scalar). */
export function projectWithDescriptions(yaml: string): string {
    return CONFIG_REFERENCE.reduce(
        (text, { key, accepted }) =>
            text.replace(new RegExp(`(\\n  ${key}:\\n(?:    .*\\n)*?    description: ).*`), (_, head: string) => `${head}${JSON.stringify(withoutLinks(accepted))}`),
        yaml,
    );
}

if (require.main === module) {
    const docs = path.join(root, "docs", "configuration.md");
    fs.writeFileSync(docs, docsWithTable(fs.readFileSync(docs, "utf8")));
    const project = path.join(root, "Pulumi.yaml");
    fs.writeFileSync(project, projectWithDescriptions(fs.readFileSync(project, "utf8")));
    process.stdout.write(`config reference: ${CONFIG_REFERENCE.length} keys written to docs/configuration.md and Pulumi.yaml\n`);
}
