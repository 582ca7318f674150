/**
 * scripts/github/drift-issue.sh against a stand-in `gh` that keeps the repository's issues in a JSON
 * file (`issue list` filtered by the real jq expression the script passes).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { root } from "../../../tools/project/root";

const script = path.join(root, "scripts", "github", "drift-issue.sh");

interface Issue {
    number: number;
    title: string;
    state: "open" | "closed";
    labels: string[];
    comments: string[];
}

const FAKE_GH = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$GH_LOG"
noun=$1 verb=$2; shift 2
jq_expr="" title="" body_file="" comment="" number=""
while (($#)); do
  case $1 in
    --jq) jq_expr=$2; shift ;;
    --title) title=$2; shift ;;
    --body-file) body_file=$2; shift ;;
    --comment) comment=$2; shift ;;
    --repo|--label|--state|--json|--description) shift ;;
    --force) ;;
    *) number=$1 ;;
  esac
  shift
done
store=$GH_ISSUES
update() { jq "$@" "$store" >"$store.new" && mv "$store.new" "$store"; }
case "$noun $verb" in
  "label create") ;;
  "issue list") jq -r "map(select(.state == \\"open\\" and (.labels | index(\\"drift\\")))) | $jq_expr" "$store" ;;
  "issue create") update --arg t "$title" --rawfile b "$body_file" '. + [{number: 100, title: $t, state: "open", labels: ["drift"], comments: [$b]}]' ;;
  "issue comment") update --argjson n "$number" --rawfile b "$body_file" 'map(if .number == $n then .comments += [$b] else . end)' ;;
  "issue close") update --argjson n "$number" --arg c "$comment" 'map(if .number == $n then .state = "closed" | .comments += [$c] else . end)' ;;
esac
`;

function run(stack: string, outcome: string, issues: Issue[], preview = "~ Service go-demo-2-api update"): { issues: Issue[]; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-issue-"));
    try {
        fs.writeFileSync(path.join(dir, "gh"), FAKE_GH, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "issues.json"), JSON.stringify(issues));
        fs.writeFileSync(path.join(dir, "preview.txt"), preview);
        fs.writeFileSync(path.join(dir, "calls"), "");
        execFileSync("bash", [script, stack, outcome, path.join(dir, "preview.txt")], {
            env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_REPOSITORY: "owner/go-demo-2", GH_ISSUES: path.join(dir, "issues.json"), GH_LOG: path.join(dir, "calls") },
            stdio: "pipe",
        });
        return {
            issues: JSON.parse(fs.readFileSync(path.join(dir, "issues.json"), "utf8")),
            calls: fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n").map((c) => c.split(" ").slice(0, 2).join(" ")),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const title = (stack: string) => `Drift: the ${stack} stack differs from the program`;
const issue = (number: number, stack: string, state: Issue["state"] = "open"): Issue => ({ number, title: title(stack), state, labels: ["drift"], comments: ["first"] });

describe("scripts/github/drift-issue.sh: drift someone hears about", () => {
    it("opens the stack's issue, with what the preview found, on the first drift", () => {
        const { issues, calls } = run("prod", "failure", []);
        expect(calls).toEqual(["issue list", "label create", "issue create"]);
        expect(issues).toEqual([expect.objectContaining({ title: title("prod"), state: "open", labels: ["drift"] })]);
        expect(issues[0].comments[0]).toContain("~ Service go-demo-2-api update");
        expect(issues[0].comments[0]).toContain("npm run up -- prod");
    });

    it("adds to the open issue on the next drift instead of opening another, and leaves other stacks' issues alone", () => {
        const { issues, calls } = run("prod", "failure", [issue(5, "dev"), issue(7, "prod")], "second finding");
        expect(calls).toEqual(["issue list", "issue comment"]);
        expect(issues.find((i) => i.number === 7)?.comments).toEqual(["first", expect.stringContaining("second finding")]);
        expect(issues.find((i) => i.number === 5)?.comments).toEqual(["first"]);
    });

    it("closes the stack's issue once the stack is clean, saying so, and does nothing when there is none", () => {
        const closed = run("prod", "success", [issue(5, "dev"), issue(7, "prod")]);
        expect(closed.issues.map((i) => [i.number, i.state])).toEqual([
            [5, "open"],
            [7, "closed"],
        ]);
        expect(closed.issues[1].comments[1]).toMatch(/No drift on .*: the prod stack matches the program again/);
        expect(run("prod", "success", [issue(5, "dev")]).calls).toEqual(["issue list"]);
    });

    it("ignores a closed issue of the stack: new drift opens a new one", () => {
        expect(run("dev", "failure", [issue(3, "dev", "closed")]).calls).toEqual(["issue list", "label create", "issue create"]);
    });
});
