#!/usr/bin/env bash
# npm run lint:workflows: actionlint over .github/ (built from its Go module once, cached by
# version), and a check that every workflow installs the Pulumi CLI version package.json pins and
# the Node.js version .nvmrc pins.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}
version=$(node -p 'require("./package.json").toolchain.actionlint')
bin_dir=$cache/actionlint-v$version

if [[ ! -x $bin_dir/actionlint ]]; then
  echo "[lint:workflows] building actionlint v$version from github.com/rhysd/actionlint (once)" >&2
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.build-actionlint.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  GOBIN=$tmp GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
    go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$version" ||
    { echo "[lint:workflows] FAILED: go install github.com/rhysd/actionlint/cmd/actionlint@v$version" >&2; exit 1; }
  mkdir -p "$bin_dir" && mv "$tmp/actionlint" "$bin_dir/actionlint"
fi

"$bin_dir/actionlint" -version | head -1 >&2
"$bin_dir/actionlint"

pinned=$(node -p 'require("./package.json").toolchain.pulumi')
wrong=$(grep -rn "pulumi-version:" .github/workflows | grep -v "pulumi-version: $pinned\$" || true)
if [[ -n $wrong ]]; then
  echo "[lint:workflows] pulumi-version differs from package.json toolchain.pulumi ($pinned):" >&2
  echo "$wrong" >&2
  exit 1
fi
# Node.js: only ever from .nvmrc, the file scripts/node.sh reads too.
wrong=$(grep -rn "node-version" .github | grep -v "node-version-file: .nvmrc\$" || true)
if [[ -n $wrong ]]; then
  echo "[lint:workflows] Node.js set other than by node-version-file: .nvmrc ($(cat .nvmrc)):" >&2
  echo "$wrong" >&2
  exit 1
fi
# Review comments: each stack's own, through scripts/pr-comment.sh, never `gh pr comment` (whose
# --edit-last would overwrite the preview comment the same bot posts).
wrong=$(grep -rn "gh pr comment" .github || true)
if [[ -n $wrong ]]; then
  echo "[lint:workflows] comment on pull requests through scripts/pr-comment.sh (a comment per stack, found by its marker), not gh pr comment:" >&2
  echo "$wrong" >&2
  exit 1
fi
echo "[lint:workflows] workflows OK (actionlint v$version, Pulumi CLI $pinned and Node.js from .nvmrc everywhere)" >&2
