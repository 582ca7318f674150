import { parseConfig } from "../../config";

/** The problems parseConfig reports for one key, none when it accepts it. */
export function problemsFor(key: string, value: string): string[] {
    try {
        parseConfig({ [key]: value }, "dev");
        return [];
    } catch (e) {
        return (e as { problems: string[] }).problems;
    }
}
