#!/usr/bin/env bash
# npm run lint:workflows: actionlint over .github/ (scripts/toolchain/actionlint.sh), then the
# project's own rules for workflows. Exit 0 when all hold, 1 naming each line that breaks one.
set -euo pipefail
LOG_TAG=lint:workflows
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# fail_on <what is wrong> <offending lines>: report them, remember the failure.
failed=0
fail_on() {
  [[ -n $2 ]] || return 0
  log "$1:"
  echo "$2" >&2
  failed=1
}

main() {
  local actionlint out
  cd "$PROJECT_DIR"
  out=$(bash scripts/toolchain/actionlint.sh)
  actionlint=${out##*$'\n'}
  "$actionlint" -version | head -1 >&2
  "$actionlint"

  # The Pulumi CLI: only package.json's .toolchain.pulumi, which the setup action reads (its
  # output pulumi-version). A version typed into a workflow goes stale at the next bump.
  # shellcheck disable=SC2016 # ${{ }} is the workflow's expression, matched as it is written
  fail_on "pulumi-version other than the setup action's output (package.json toolchain.pulumi)" \
    "$(grep -rn "pulumi-version:" .github/workflows | grep -v 'pulumi-version: ${{ steps.setup.outputs.pulumi-version }}$' || true)"
  # Node.js: only ever from .nvmrc, the file scripts/toolchain/node.sh reads too.
  fail_on "Node.js set other than by node-version-file: .nvmrc ($(cat .nvmrc))" \
    "$(grep -rn "node-version" .github | grep -v "node-version-file: .nvmrc\$" || true)"
  # Review comments: each stack's own, through scripts/github/pr-comment.sh, never `gh pr comment`
  # (whose --edit-last would overwrite the preview comment the same bot posts).
  fail_on "comment on pull requests through scripts/github/pr-comment.sh (a comment per stack, found by its marker), not gh pr comment" \
    "$(grep -rn "gh pr comment" .github || true)"
  ((failed == 0)) || exit 1
  log "workflows OK (actionlint, the Pulumi CLI of package.json and Node.js from .nvmrc everywhere)"
}

main "$@"
