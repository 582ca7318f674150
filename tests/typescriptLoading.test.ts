import * as fs from "fs";
import * as path from "path";
import { create } from "ts-node";

const root = path.join(__dirname, "..");

/**
 * How Pulumi's Node.js runners load the TypeScript: both register the project's ts-node with the
 * tsconfig.json of their working directory (the program's runner passes no transpile option of its
 * own, the policy runner demands `typeCheck: true`). These build ts-node's service the same way.
 */
describe("loading the TypeScript under pulumi preview and up", () => {
    it("runs the program transpile-only through swc: no type check on each run", () => {
        const { options } = create({ project: path.join(root, "tsconfig.json") });
        expect(options).toMatchObject({ transpileOnly: true, swc: true });
    });

    it("type-checks the policy pack with TypeScript, through the tsconfig policy/analyzer points ts-node at", () => {
        const analyzer = fs.readFileSync(path.join(root, "policy", "analyzer"), "utf8");
        const project = /^export TS_NODE_PROJECT="\$dir\/(.+)"$/m.exec(analyzer)?.[1];
        expect(project).toBeDefined();
        // ts-node refuses swc with a type check, so the project's own tsconfig would stop the pack.
        expect(() => create({ typeCheck: true, project: path.join(root, "tsconfig.json") })).toThrow(/Custom transpiler/);
        const { options } = create({ typeCheck: true, project: path.join(root, "policy", project!) });
        expect(options).toMatchObject({ swc: false, typeCheck: true });
    });
});
