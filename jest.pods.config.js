/**
 * In-Pod tests: the stack's init containers, exec probes and hooks run with a real busybox in
 * network namespaces (tests/pods); `npm run test:pods`, as root.
 */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["@swc/jest"] },
    testMatch: ["<rootDir>/tests/pods/**/*.pods.test.ts"],
    setupFiles: ["<rootDir>/tests/setup.ts"],
    maxWorkers: 1,
};
