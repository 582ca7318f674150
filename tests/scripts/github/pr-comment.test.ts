/**
 * scripts/github/pr-comment.sh against a stand-in `gh` that keeps a pull request's comments in a JSON
 * file and answers `gh api` the way GitHub's REST API does (the list filtered by the real jq
 * expression the script passes, PATCH and POST applied to the file).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { root } from "../../../tools/project/root";

const script = path.join(root, "scripts", "github", "pr-comment.sh");

interface Comment {
    id: number;
    body: string;
}

const FAKE_GH = `#!/usr/bin/env bash
# gh api [--paginate] [--method M] <path> [--jq expr] [-f body=...]
set -euo pipefail
shift # api
method=GET jq_expr="" body="" path=""
while (($#)); do
  case $1 in
    --paginate) ;;
    --method) method=$2; shift ;;
    --jq) jq_expr=$2; shift ;;
    -f) body=\${2#body=}; shift ;;
    *) path=$1 ;;
  esac
  shift
done
echo "$method $path" >>"$GH_LOG"
case $method in
  GET) jq -r "$jq_expr" "$GH_COMMENTS" ;;
  PATCH) id=\${path##*/}; jq --argjson id "$id" --arg body "$body" 'map(if .id == $id then .body = $body else . end)' "$GH_COMMENTS" >"$GH_COMMENTS.new" && mv "$GH_COMMENTS.new" "$GH_COMMENTS" ;;
  POST) jq --arg body "$body" '. + [{id: 900, body: $body}]' "$GH_COMMENTS" >"$GH_COMMENTS.new" && mv "$GH_COMMENTS.new" "$GH_COMMENTS" ;;
esac
`;

/** Runs the script for `stack` over a pull request holding `comments`; returns the comments after and the API calls made. */
function run(stack: string, comments: Comment[], review: string): { comments: Comment[]; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
    try {
        fs.writeFileSync(path.join(dir, "gh"), FAKE_GH, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "comments.json"), JSON.stringify(comments));
        fs.writeFileSync(path.join(dir, "review.md"), review);
        execFileSync("bash", [script, "42", stack, path.join(dir, "review.md")], {
            env: {
                ...process.env,
                PATH: `${dir}:${process.env.PATH}`,
                GITHUB_REPOSITORY: "owner/go-demo-2",
                GH_COMMENTS: path.join(dir, "comments.json"),
                GH_LOG: path.join(dir, "calls"),
            },
            stdio: "pipe",
        });
        return {
            comments: JSON.parse(fs.readFileSync(path.join(dir, "comments.json"), "utf8")),
            calls: fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** What pulumi/actions posts as the same bot: the preview, which the review must never touch. */
const preview: Comment = { id: 1, body: "#### :tropical_drink: `preview` on dev\n..." };

describe("scripts/github/pr-comment.sh: one review comment per stack", () => {
    it("adds the stack's comment, marked, when the pull request has none, leaving the preview alone", () => {
        const { comments, calls } = run("dev", [preview], "## Review of dev");
        expect(calls).toEqual(["GET repos/owner/go-demo-2/issues/42/comments", "POST repos/owner/go-demo-2/issues/42/comments"]);
        expect(comments).toEqual([preview, { id: 900, body: "<!-- go-demo-2-review:dev -->\n## Review of dev" }]);
    });

    it("edits that stack's own comment on the next run, not the preview nor another stack's review", () => {
        const prod = { id: 7, body: "<!-- go-demo-2-review:prod -->\nold prod" };
        const dev = { id: 8, body: "<!-- go-demo-2-review:dev -->\nold dev" };
        const { comments, calls } = run("dev", [preview, prod, dev], "new dev");
        expect(calls).toEqual(["GET repos/owner/go-demo-2/issues/42/comments", "PATCH repos/owner/go-demo-2/issues/comments/8"]);
        expect(comments).toEqual([preview, prod, { id: 8, body: "<!-- go-demo-2-review:dev -->\nnew dev" }]);
    });

    it("tells a stack from another whose name starts the same (dev, dev2)", () => {
        const dev2 = { id: 9, body: "<!-- go-demo-2-review:dev2 -->\nx" };
        const { calls } = run("dev", [dev2], "y");
        expect(calls[1]).toBe("POST repos/owner/go-demo-2/issues/42/comments");
    });
});
