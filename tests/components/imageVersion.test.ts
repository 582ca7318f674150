/**
 * Properties that must hold for every tag, not only the examples other tests pick (fast-check
 * generates the inputs and shrinks a failure to its smallest case).
 */
import fc from "fast-check";

import { imageVersion, lineBefore } from "../../components/imageVersion";

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
