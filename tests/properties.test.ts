/**
 * Properties that must hold for every input, not only the examples the other tests pick
 * (fast-check generates the inputs and shrinks a failure to its smallest case): the content hash
 * that names releases, image version parsing, the config decoders, storage quantities.
 */
import fc from "fast-check";

import { imageVersion, lineBefore } from "../components/imageVersion";
import { contentHash } from "../components/templateHash";
import { parseConfig } from "../config";
import { quantityBytes } from "../components/quantity";

/** Plain JSON-like data, as Pod templates are. */
const data = fc.jsonValue();

/** The same object with its keys in another order, at every level. */
function reordered(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(reordered);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
    }
    return value;
}

describe("contentHash", () => {
    it("is the same for the same data in any key order", () => {
        fc.assert(fc.property(data, (value) => contentHash(value, "t") === contentHash(reordered(value), "t")));
    });

    it("differs when any value changes (a template change is a new release)", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.string(), { minKeys: 1 }), fc.string(), (template, suffix) => {
                const [key, value] = Object.entries(template)[0];
                fc.pre(suffix !== "");
                return contentHash(template, "t") !== contentHash({ ...template, [key]: value + suffix }, "t");
            }),
        );
    });

    it("is always 10 hex digits, the length Kubernetes keeps of pod-template-hash", () => {
        fc.assert(fc.property(data, (value) => /^[0-9a-f]{10}$/.test(contentHash(value, "t"))));
    });
});

describe("imageVersion", () => {
    const repository = fc.constantFrom("mongo", "library/mongo", "registry.example.com:5000/team/mongo");
    const number = fc.nat({ max: 99 });

    it("reads the major and minor of any version tag, whatever follows them", () => {
        fc.assert(
            fc.property(repository, number, number, fc.constantFrom("", ".7", ".23-rc1", "-jammy"), (repo, major, minor, rest) => {
                expect(imageVersion(`${repo}:${major}.${minor}${rest}`)).toEqual([major, minor]);
            }),
        );
    });

    it("reads no version from a digest, and latest from no tag", () => {
        fc.assert(
            fc.property(repository, fc.stringMatching(/^[a-f0-9]{64}$/), (repo, digest) => {
                expect(imageVersion(`${repo}:4.4@sha256:${digest}`)).toBeUndefined();
                expect(imageVersion(repo)).toBe("latest");
            }),
        );
    });

    it("orders lines as numbers, not as text (3.10 after 3.9)", () => {
        fc.assert(
            fc.property(number, number, number, number, (a, b, c, d) => {
                const before = lineBefore([a, b], [c, d]);
                expect(before).toBe(a * 1000 + b < c * 1000 + d);
            }),
        );
    });
});

describe("the config decoders", () => {
    it("take exactly the integers in range for replicas (1–100), naming the key and the value otherwise", () => {
        fc.assert(
            fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
                const problems = problemsFor("replicas", String(n));
                if (n >= 1 && n <= 100) {
                    expect(problems).toEqual([]);
                } else {
                    expect(problems).toEqual([`go-demo-2:replicas = "${n}": expected an integer from 1 to 100.`]);
                }
            }),
        );
    });

    it("refuse any text that is not a whole number, for every integer key", () => {
        fc.assert(
            fc.property(
                fc.constantFrom("replicas", "nodePort", "loadBalancerWaitSeconds", "rolloutTimeoutSeconds"),
                fc.string().filter((s) => !/^-?\d+$/.test(s)),
                (key, text) => {
                    expect(problemsFor(key, text)).toEqual([expect.stringMatching(new RegExp(`^go-demo-2:${key} = .*expected an integer`))]);
                },
            ),
        );
    });

    it("decode a boolean from exactly true or false", () => {
        fc.assert(
            fc.property(fc.string(), (text) => {
                const problems = problemsFor("tls", text);
                expect(problems.length === 0).toBe(text === "true" || text === "false");
            }),
        );
    });
});

describe("quantityBytes", () => {
    const quantity = fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom("", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"));

    it("grows with the number for a fixed unit, and a binary unit is larger than its decimal one", () => {
        fc.assert(
            fc.property(quantity, fc.integer({ min: 1, max: 1000 }), ([n, unit], more) => {
                expect(quantityBytes(`${n + more}${unit}`)).toBeGreaterThan(quantityBytes(`${n}${unit}`));
                if (unit.endsWith("i")) {
                    expect(quantityBytes(`${n}${unit}`)).toBeGreaterThan(quantityBytes(`${n}${unit[0] === "K" ? "k" : unit[0]}`));
                }
            }),
        );
    });

    it("accepts every size config/keys.ts accepts", () => {
        fc.assert(
            fc.property(quantity, ([n, unit]) => {
                expect(problemsFor("dbStorageSize", `${n}${unit}`)).toEqual([]);
                expect(Number.isFinite(quantityBytes(`${n}${unit}`))).toBe(true);
            }),
        );
    });
});

/** The problems parseConfig reports for one key, none when it accepts it. */
function problemsFor(key: string, value: string): string[] {
    try {
        parseConfig({ [key]: value }, "dev");
        return [];
    } catch (e) {
        return (e as { problems: string[] }).problems;
    }
}
