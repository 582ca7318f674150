import * as fs from "fs";
import * as path from "path";

/** A folder and each folder under it, relative to `dir` ("" for `dir` itself). */
export function foldersOf(dir: string): string[] {
    return ["", ...fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)];
}

/** The files and folders of `dir` its README.md does not name (as `` `name``). */
export function unnamedInReadme(dir: string): string[] {
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    return fs.readdirSync(dir).filter((name) => name !== "README.md" && !readme.includes(`\`${name}`));
}
