#!/usr/bin/env bash
# scripts/github/pr-comment.sh <pull request number> <stack> <body file>: puts a stack's review on a
# pull request as one comment of its own, which the next run edits in place. The comment is found by
# a marker naming the stack on its first line, so each stack's review edits its own comment and
# never the preview comment pulumi/actions posts as the same bot (`gh pr comment --edit-last` would
# edit whichever comment that bot made last). Needs `gh` with GH_TOKEN, and GITHUB_REPOSITORY.
set -euo pipefail
pr=$1 stack=$2 file=$3
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is not set}"
marker="<!-- go-demo-2-review:$stack -->"
body="$marker
$(cat "$file")"

# The first comment of the pull request that starts with this stack's marker, if any.
id=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [[ -n $id ]]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -f body="$body" >/dev/null
  echo "[pr-comment] $stack: edited comment $id on #$pr" >&2
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -f body="$body" >/dev/null
  echo "[pr-comment] $stack: commented on #$pr" >&2
fi
