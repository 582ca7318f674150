#!/usr/bin/env bash
# Provides actionlint, the linter of GitHub workflows, at the version package.json pins
# (.toolchain.actionlint): built once from its Go module into the cache, by version:
# $CACHE_ROOT/actionlint-v<version> (scripts/lib.sh).
#
#   scripts/toolchain/actionlint.sh   the last stdout line is the absolute path of that `actionlint`
#
# Needs Go on PATH for the first build.
set -euo pipefail
LOG_TAG=actionlint
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

main() {
  local version dest
  version=$(pj 'p.toolchain.actionlint')
  dest=$CACHE_ROOT/actionlint-v$version
  if [[ ! -x $dest/actionlint ]]; then
    command -v go >/dev/null || die "go not found on PATH (needed to build actionlint v$version once)"
    log "building actionlint v$version from github.com/rhysd/actionlint (once)"
    wrapper=$(new_wrapper "actionlint-v$version")
    trap 'rm -rf "$wrapper"' EXIT
    (cd "$wrapper/src" && GOBIN=$wrapper/out GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
      go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$version") ||
      die "go install github.com/rhysd/actionlint/cmd/actionlint@v$version failed"
    publish "$wrapper/out" "$dest" actionlint
  fi
  printf '%s\n' "$dest/actionlint"
}

main "$@"
