import fc from "fast-check";

import { quantityBytes } from "../../components/quantity";
import { problemsFor } from "../support/config";

describe("quantityBytes", () => {
    it.each([
        ["1073741824", 2 ** 30],
        ["1Gi", 2 ** 30],
        ["1G", 1e9],
        ["512Mi", 512 * 2 ** 20],
        ["10Ti", 10 * 2 ** 40],
        ["3k", 3000],
    ])("%s is %d bytes", (quantity, bytes) => {
        expect(quantityBytes(quantity)).toBe(bytes);
    });

    it("refuses what is not a quantity", () => {
        expect(() => quantityBytes("1Xi")).toThrow("not a Kubernetes quantity of whole bytes, k…P or Ki…Pi: \"1Xi\"");
    });
});

// Properties (fast-check generates the inputs and shrinks a failure to its smallest case).
describe("quantityBytes, for every size", () => {
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
