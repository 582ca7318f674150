/** The unit suite under ts-jest (type-checks every file): `npm run bench` compares it with @swc/jest. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest reads its config as plain CommonJS
const unit = require("../jest.config");

module.exports = { ...unit, rootDir: "..", transform: { "^.+\\.ts$": ["ts-jest"] } };
