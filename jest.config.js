/** Unit tests: @swc/jest strips types only (fast); `npm run typecheck` type-checks. */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["@swc/jest"] },
    testMatch: ["<rootDir>/tests/**/*.test.ts"],
    testPathIgnorePatterns: ["<rootDir>/tests/e2e/"],
};
