/**
 * The documentation: README.md stays a runbook a newcomer reads in minutes, and every relative
 * link in it and under docs/ (docs/components/ included) leads somewhere — a file or folder that
 * exists and, for an anchor into a Markdown file, a heading of that file.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { root } from "../tools/project/root";

/** README.md's length limit: about 200 lines, with a little room. */
const README_MAX_LINES = 220;
/** The README's first screen, which must give the two commands a fresh machine needs. */
const FIRST_SCREEN_LINES = 40;

/** README.md and every .md file under docs/, recursively. */
function markdownFiles(dir: string): string[] {
    const found: string[] = [];
    const walk = (d: string): void => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".md")) {
                found.push(full);
            }
        }
    };
    const docs = path.join(dir, "docs");
    if (fs.existsSync(docs)) {
        walk(docs);
    }
    return [path.join(dir, "README.md"), ...found.sort()];
}

/** The same text with every fenced code block blanked out (line breaks kept, so line numbers hold). */
function withoutFences(text: string): string {
    let fence: { char: string; length: number } | undefined;
    return text
        .split("\n")
        .map((line) => {
            const marker = /^\s*(`{3,}|~{3,})/.exec(line);
            if (fence) {
                if (marker && marker[1][0] === fence.char && marker[1].length >= fence.length && line.trim() === marker[1]) {
                    fence = undefined;
                }
                return "";
            }
            if (marker) {
                fence = { char: marker[1][0], length: marker[1].length };
                return "";
            }
            return line;
        })
        .join("\n");
}

/** The same text with inline code spans blanked out too: a `[x](y)` inside backticks is no link. */
function withoutCode(text: string): string {
    return withoutFences(text).replace(/(`+)(?:(?!\1)[\s\S])+?\1(?!`)/g, (span) => span.replace(/[^\n]/g, " "));
}

/** A heading's anchor as GitHub makes it: lowercase, punctuation but '-' and '_' dropped, spaces to '-'. */
function githubSlug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text, not its target
        .replace(/<[^>]+>/g, "") // HTML tags
        .trim()
        .toLowerCase();
    return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
}

/** Every anchor a Markdown file offers: its headings' slugs (the second of a name gets -1, …) and HTML ids. */
function anchorsOf(text: string): Set<string> {
    const anchors = new Set<string>();
    const counts = new Map<string, number>();
    const add = (heading: string): void => {
        const slug = githubSlug(heading);
        const n = counts.get(slug) ?? 0;
        counts.set(slug, n + 1);
        anchors.add(n === 0 ? slug : `${slug}-${n}`);
    };
    const lines = withoutFences(text).split("\n");
    lines.forEach((line, i) => {
        const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(line);
        if (atx) {
            add(atx[1] ?? "");
            return;
        }
        const previous = lines[i - 1];
        if (/^ {0,3}(=+|-+)\s*$/.test(line) && previous?.trim() && !/^\s*([#|>*+-]|\d+\.)/.test(previous)) {
            add(previous);
        }
    });
    for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) {
        anchors.add(match[1]);
    }
    return anchors;
}

interface Link {
    line: number;
    target: string;
}

/** Every link target of a Markdown text that is relative (no scheme such as http(s): or mailto:). */
function relativeLinks(text: string): Link[] {
    const code = withoutCode(text);
    const lineOf = (index: number): number => code.slice(0, index).split("\n").length;
    const links: Link[] = [];
    for (const match of code.matchAll(/!?\[[^\]]*\]\(\s*<?([^()\s<>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
        links.push({ line: lineOf(match.index!), target: match[1] });
    }
    // Reference definitions: [label]: target
    for (const match of code.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) {
        links.push({ line: lineOf(match.index!), target: match[1] });
    }
    return links.filter((l) => l.target !== "" && !/^(https?:\/\/|mailto:)/i.test(l.target));
}

/** Every broken relative link of the given Markdown files, as `file:line: target — what is wrong`. */
function brokenLinks(files: string[], base: string): string[] {
    const texts = new Map<string, string>();
    const read = (file: string): string => {
        if (!texts.has(file)) {
            texts.set(file, fs.readFileSync(file, "utf8"));
        }
        return texts.get(file)!;
    };
    const broken: string[] = [];
    for (const file of files) {
        for (const { line, target } of relativeLinks(read(file))) {
            const where = `${path.relative(base, file)}:${line}: ${target}`;
            const hash = target.indexOf("#");
            const filePart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
            const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
            const resolved = filePart === "" ? file : path.resolve(path.dirname(file), filePart);
            if (path.relative(base, resolved).startsWith("..")) {
                broken.push(`${where} — leads outside the repository`);
                continue;
            }
            if (!fs.existsSync(resolved)) {
                broken.push(`${where} — no such file or folder: ${path.relative(base, resolved)}`);
                continue;
            }
            if (anchor !== undefined && resolved.endsWith(".md") && fs.statSync(resolved).isFile()) {
                if (!anchorsOf(read(resolved)).has(anchor)) {
                    broken.push(`${where} — ${path.relative(base, resolved)} has no heading with the anchor #${anchor}`);
                }
            }
        }
    }
    return broken;
}

describe("README.md, the runbook", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const lines = readme.replace(/\n$/, "").split("\n");

    it(`has at most ${README_MAX_LINES} lines`, () => {
        expect(lines.length).toBeLessThanOrEqual(README_MAX_LINES);
    });

    it(`gives the two commands of a fresh machine in its first ${FIRST_SCREEN_LINES} lines`, () => {
        const firstScreen = lines.slice(0, FIRST_SCREEN_LINES).join("\n");
        expect(firstScreen).toContain("npm run up");
        expect(firstScreen).toContain("npm test");
    });

    it("links every page directly under docs/", () => {
        const linked = new Set(
            relativeLinks(readme).map((l) => path.resolve(root, decodeURIComponent(l.target.split("#")[0]))),
        );
        const pages = fs
            .readdirSync(path.join(root, "docs"))
            .filter((name) => name.endsWith(".md"))
            .map((name) => path.join(root, "docs", name));
        expect(pages.filter((p) => !linked.has(p)).map((p) => path.relative(root, p))).toEqual([]);
    });
});

describe("relative links in README.md and docs/", () => {
    const files = markdownFiles(root);

    it("reads README.md and the pages under docs/, docs/components/ included", () => {
        const relative = files.map((f) => path.relative(root, f));
        expect(relative).toContain("README.md");
        expect(relative).toContain(path.join("docs", "components", "README.md"));
        expect(files.flatMap((f) => relativeLinks(fs.readFileSync(f, "utf8"))).length).toBeGreaterThan(0);
    });

    it("all lead to a file or folder that exists, and to a heading of it where they name an anchor", () => {
        expect(brokenLinks(files, root)).toEqual([]);
    });
});

describe("the link check itself", () => {
    it("makes GitHub's anchors", () => {
        expect(githubSlug("Getting the tools: one code path, two sources")).toBe("getting-the-tools-one-code-path-two-sources");
        expect(githubSlug("Where the preview's 2× stands")).toBe("where-the-previews-2-stands");
        expect(githubSlug("The guards, and why they read the last deployment")).toBe("the-guards-and-why-they-read-the-last-deployment");
        expect(githubSlug("From Pulumi YAML, Python, Go, C# and Java (component package)")).toBe(
            "from-pulumi-yaml-python-go-c-and-java-component-package",
        );
        expect(githubSlug("`npm run up` and [the docs](docs/x.md)")).toBe("npm-run-up-and-the-docs");
        expect(githubSlug("snake_case and kebab-case")).toBe("snake_case-and-kebab-case");
    });

    it("reports every broken link at once: missing files, missing headings, links out of the tree; not code", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-docs-"));
        try {
            fs.mkdirSync(path.join(dir, "docs"));
            fs.writeFileSync(path.join(dir, "docs", "page.md"), "# Page\n\n## A section\n\n## A section\n\ntext\n");
            fs.writeFileSync(
                path.join(dir, "README.md"),
                [
                    "# Title",
                    "",
                    "[ok](docs/page.md) [ok](docs/page.md#a-section) [ok](docs/page.md#a-section-1) [ok](docs/)",
                    "[ok](#title) [external](https://example.com/nowhere.md) [mail](mailto:someone@example.com)",
                    "[missing](docs/gone.md) and [no heading](docs/page.md#no-such-section)",
                    "[a wrapped",
                    "text](docs/page.md#wrong) [outside](../elsewhere.md)",
                    "`[in code](docs/gone.md)`",
                    "```",
                    "[in a fence](docs/gone.md)",
                    "```",
                    "[ref]: docs/also-gone.md",
                    "",
                ].join("\n"),
            );
            expect(brokenLinks(markdownFiles(dir), dir)).toEqual([
                "README.md:5: docs/gone.md — no such file or folder: docs/gone.md",
                "README.md:5: docs/page.md#no-such-section — docs/page.md has no heading with the anchor #no-such-section",
                "README.md:6: docs/page.md#wrong — docs/page.md has no heading with the anchor #wrong",
                "README.md:7: ../elsewhere.md — leads outside the repository",
                "README.md:12: docs/also-gone.md — no such file or folder: docs/also-gone.md",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
