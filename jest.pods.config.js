/**
 * In-Pod tests: the stack's init containers, exec probes and hooks run with a real busybox in
 * network namespaces (tests/pods); `npm run test:pods`, as root.
 */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["@swc/jest"] },
    testMatch: ["<rootDir>/tests/pods/**/*.pods.test.ts"],
    setupFiles: ["<rootDir>/tests/support/setup.ts"],
    // As in the unit tests: the components' sources, one copy of each class.
    moduleNameMapper: { "^go-demo-2$": "<rootDir>/components/index.ts" },
    maxWorkers: 1,
};
