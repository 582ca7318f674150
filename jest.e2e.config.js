/** End-to-end tests: real engine, real control plane; run through `npm run test:e2e`. */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["@swc/jest"] },
    testMatch: ["<rootDir>/tests/e2e/**/*.e2e.test.ts"],
    maxWorkers: 1,
};
