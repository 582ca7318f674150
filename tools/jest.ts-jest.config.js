/** The unit suite under the ts-jest preset (type-checks every file): `npm run bench` compares it with @swc/jest. */
module.exports = {
    rootDir: "..",
    preset: "ts-jest",
    testEnvironment: "node",
    testMatch: ["<rootDir>/tests/**/*.test.ts"],
    testPathIgnorePatterns: ["<rootDir>/tests/e2e/"],
};
