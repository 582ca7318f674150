#!/usr/bin/env bash
# Provides the Node.js the project runs on: the machine's when it satisfies package.json's
# engines.node, else the version pinned in .nvmrc, fetched once from the npm registry (the
# node-<os>-<arch> package ships the official binary) into the cache, by version:
# $CACHE_ROOT/node-v<version> (scripts/lib.sh).
#
#   scripts/toolchain/node.sh   the last stdout line is the absolute directory holding that `node`
#
# Needs a `node` and `npm` on PATH, of any version: npm fetches the pinned release.
set -euo pipefail
LOG_TAG=node
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# fetch <machine's version> <version> <dir>: the node-<os>-<arch> package of that release, unpacked
# into <dir>.
fetch() {
  local machine_version=$1 version=$2 dir=$3 os arch got
  case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no Node.js package on the npm registry for $(uname -s); install Node.js $version yourself" ;;
  esac
  case $(uname -m) in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no Node.js package on the npm registry for $(uname -m); install Node.js $version yourself" ;;
  esac
  log "the machine's Node.js is $machine_version; fetching $version (node-$os-$arch from the npm registry, once)"
  mkdir -p "$CACHE_ROOT"
  tmp=$(mktemp -d "$CACHE_ROOT/.node-fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$version" >/dev/null) || die "npm pack node-$os-$arch@$version failed"
  tar -xzf "$tmp"/node-"$os"-"$arch"-"$version".tgz -C "$tmp" || die "cannot unpack node-$os-$arch-$version.tgz"
  got=$("$tmp/package/bin/node" --version) || die "the fetched node does not run on this machine"
  [[ $got == "v$version" ]] || die "node-$os-$arch@$version holds Node.js $got"
  publish "$tmp/package" "$dir" bin/node
}

main() {
  local machine machine_version choice dir
  machine=$(command -v node) || die "no node on PATH: install any Node.js (npm comes with it); the project fetches the release it runs on"
  machine_version=$("$machine" --version)
  choice=$("$machine" "$(dirname "${BASH_SOURCE[0]}")/node-version.js" "$machine_version")
  if [[ $choice == machine ]]; then
    cd "$(dirname "$machine")" && pwd
    return 0
  fi
  dir=$CACHE_ROOT/node-v$choice
  if [[ ! -x $dir/bin/node ]]; then
    fetch "$machine_version" "$choice" "$dir"
    log "Node.js $choice in $dir"
  fi
  printf '%s\n' "$dir/bin"
}

main "$@"
