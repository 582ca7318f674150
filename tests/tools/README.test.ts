import * as path from "path";

import { root } from "../../tools/project/root";
import { foldersOf, unnamedInReadme } from "../support/folderReadmes";

describe("tools/: a README per folder, naming each of its files", () => {
    const tools = path.join(root, "tools");

    it.each(foldersOf(tools))("tools/%s", (folder) => {
        expect(unnamedInReadme(path.join(tools, folder))).toEqual([]);
    });
});
