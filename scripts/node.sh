#!/usr/bin/env bash
# Provides the Node.js the project runs on: the machine's when it satisfies package.json's
# engines.node, else the version pinned in .nvmrc, fetched once from the npm registry (the
# node-<os>-<arch> package ships the official binary) into a cache outside the repo, by version:
# ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}/node-v<version>.
#
#   scripts/node.sh   the last stdout line is the absolute directory holding that `node`
#
# Needs a `node` and `npm` on PATH, of any version: npm fetches the pinned release.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}
log() { printf '[node] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

machine=$(command -v node) || die "no node on PATH: install any Node.js (npm comes with it); the project fetches the release it runs on"
machine_version=$("$machine" --version)
choice=$("$machine" "$root/scripts/node-version.js" "$machine_version")
if [[ $choice == machine ]]; then
  cd "$(dirname "$machine")" && pwd
  exit 0
fi

dir=$cache/node-v$choice
if [[ ! -x $dir/bin/node ]]; then
  case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no Node.js package on the npm registry for $(uname -s); install Node.js $choice yourself" ;;
  esac
  case $(uname -m) in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no Node.js package on the npm registry for $(uname -m); install Node.js $choice yourself" ;;
  esac
  log "the machine's Node.js is $machine_version; fetching $choice (node-$os-$arch from the npm registry, once)"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.node-fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$choice" >/dev/null) || die "npm pack node-$os-$arch@$choice failed"
  tar -xzf "$tmp"/node-"$os"-"$arch"-"$choice".tgz -C "$tmp" || die "cannot unpack node-$os-$arch-$choice.tgz"
  got=$("$tmp/package/bin/node" --version) || die "the fetched node does not run on this machine"
  [[ $got == "v$choice" ]] || die "node-$os-$arch@$choice holds Node.js $got"
  # One rename, so a half-unpacked release never looks complete; a concurrent run may have won.
  "$tmp/package/bin/node" -e '
    try { require("fs").renameSync(process.argv[1], process.argv[2]); }
    catch (e) { if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e; }' "$tmp/package" "$dir"
  log "Node.js $choice in $dir"
fi
printf '%s\n' "$dir/bin"
