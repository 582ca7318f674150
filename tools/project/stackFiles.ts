import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { PROJECT } from "../../config";
import { root } from "./root";

/** The stacks this project ships a Pulumi.<stack>.yaml for. */
export const STACKS = ["lab", "dev", "prod"] as const;

/**
 * A stack file's `go-demo-2:` config, as the engine hands it to the program: keys without
 * the project prefix, strings as they are, everything else JSON-encoded.
 */
export function stackFileConfig(stack: string): Record<string, string> {
    const doc = yaml.load(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
    };
    return Object.fromEntries(
        Object.entries(doc.config)
            .filter(([key]) => key.startsWith(`${PROJECT}:`))
            .map(([key, value]) => [
                key.slice(PROJECT.length + 1),
                typeof value === "string" ? value : JSON.stringify(value),
            ]),
    );
}
