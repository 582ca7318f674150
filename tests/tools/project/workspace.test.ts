import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

import { PROGRAM_FILES } from "../../../tools/project/workspace";
import { root } from "../../../tools/project/root";

/** Every file of the repository the program loads, from index.ts through its relative imports, as paths from the root. */
function programModules(): string[] {
    const seen = new Set<string>();
    const visit = (file: string): void => {
        if (seen.has(file)) {
            return;
        }
        seen.add(file);
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(root, file), "utf8"));
        for (const { fileName } of importedFiles.filter((i) => i.fileName.startsWith("."))) {
            const base = path.join(path.dirname(file), fileName);
            const found = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(root, f)));
            if (found) {
                visit(found);
            }
        }
    };
    visit("index.ts");
    return [...seen].sort();
}

describe("copyProject's PROGRAM_FILES", () => {
    it("hold every module the program loads, so that a copied program runs (e2e and benchmark stacks are copies)", () => {
        const modules = programModules();
        expect(modules).toEqual(expect.arrayContaining(["index.ts", "stack/index.ts", "stack/monitoring.ts", "guards/transitions.ts", "config/kubeconfig.ts"]));
        const covered = (file: string) => PROGRAM_FILES.some((entry) => file === entry || file.startsWith(`${entry}/`));
        expect(modules.filter((m) => !covered(m))).toEqual([]);
    });
});
