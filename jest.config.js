/** Unit tests: @swc/jest strips types only (fast); `npm run typecheck` type-checks. */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["@swc/jest"] },
    testMatch: ["<rootDir>/tests/**/*.test.ts"],
    testPathIgnorePatterns: ["<rootDir>/tests/e2e/", "<rootDir>/tests/pods/"],
    setupFiles: ["<rootDir>/tests/support/setup.ts"],
    // Unit tests test the components' sources: the program's import of the package resolves to
    // them, so there is one copy of each class. The program itself (e2e, up) runs the built package.
    moduleNameMapper: { "^go-demo-2$": "<rootDir>/components/index.ts" },
    // Jest's default is one worker per core but one, which on 2 cores runs every file in one
    // process; each file mostly loads modules, so a worker per core halves the wall time.
    maxWorkers: "100%",
};
