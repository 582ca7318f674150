/** The config as a whole: decoded through the key table, defaulted, checked across keys, refused with every problem at once. */
import * as pulumi from "@pulumi/pulumi";

import { decodeKeys, StackConfig, withDefaults } from "./keys";
import { crossKeyProblems } from "./rules";

/**
 * Thrown with every configuration problem at once; Pulumi prints a RunError without a stack trace.
 * `what` heads the list: an invalid config, or a change the deployed stack refuses (guards/transitions.ts).
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: string[],
        stack: string,
        what = "Invalid configuration",
    ) {
        super(
            `${what} for stack ${stack} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/**
 * Decodes, defaults and validates the stack's raw config (keys without the `go-demo-2:` prefix,
 * values as Pulumi passes them: strings, lists JSON-encoded). Throws one ConfigError listing
 * every problem, `otherProblems` (found outside the project's keys) first; returns only a fully
 * valid config. Rules across keys see a key that did not decode at its default.
 */
export function parseConfig(raw: Record<string, string>, stack: string, otherProblems: string[] = []): StackConfig {
    const { decoded, problems } = decodeKeys(raw);
    const config = withDefaults(decoded, stack);
    const all = [...otherProblems, ...problems, ...crossKeyProblems(config)];
    if (all.length > 0) {
        throw new ConfigError(all, stack);
    }
    return config;
}
