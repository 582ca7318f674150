#!/usr/bin/env bash
# scripts/github/drift-issue.sh <stack> <success|failure> <preview output file>: tells people about
# drift through one GitHub issue per stack, labelled `drift`. The scheduled drift workflow calls it
# after its refreshing preview: on drift it opens the stack's issue with what the preview found, or
# adds that to the issue already open; once the stack is clean again it closes the issue, saying so.
# Needs `gh` with GH_TOKEN (issues: write) and GITHUB_REPOSITORY; GITHUB_RUN_URL, if set, is linked.
set -euo pipefail
stack=$1 outcome=$2 file=$3
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is not set}"
title="Drift: the $stack stack differs from the program"
run=${GITHUB_RUN_URL:+ ($GITHUB_RUN_URL)}

open=$(gh issue list --repo "$GITHUB_REPOSITORY" --label drift --state open --json number,title \
  --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)

case $outcome in
failure)
  body=$(mktemp)
  trap 'rm -rf "$body"' EXIT
  {
    echo "\`pulumi preview --refresh --expect-no-changes\` on $(date -u +%F)$run found changes: the live cluster is not what the program describes. \`npm run up -- $stack\` puts it back (see docs/operations.md)."
    echo
    echo '```'
    cat "$file"
    echo '```'
  } >"$body"
  if [[ -n $open ]]; then
    gh issue comment "$open" --repo "$GITHUB_REPOSITORY" --body-file "$body" >/dev/null
    echo "[drift-issue] $stack: drift again, added to issue #$open" >&2
  else
    gh label create drift --repo "$GITHUB_REPOSITORY" --force --description "The live cluster differs from the program" >/dev/null
    gh issue create --repo "$GITHUB_REPOSITORY" --title "$title" --label drift --body-file "$body" >/dev/null
    echo "[drift-issue] $stack: drift, issue opened" >&2
  fi
  ;;
success)
  if [[ -n $open ]]; then
    gh issue close "$open" --repo "$GITHUB_REPOSITORY" --comment "No drift on $(date -u +%F)$run: the $stack stack matches the program again." >/dev/null
    echo "[drift-issue] $stack: clean, issue #$open closed" >&2
  else
    echo "[drift-issue] $stack: clean" >&2
  fi
  ;;
*)
  echo "usage: $0 <stack> <success|failure> <preview output file>" >&2
  exit 2
  ;;
esac
