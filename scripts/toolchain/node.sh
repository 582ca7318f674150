#!/usr/bin/env bash
# Provides the Node.js the project runs on: the machine's when it satisfies package.json's
# engines.node, else the version pinned in .nvmrc, fetched once from the npm registry (the
# node-<os>-<arch> package ships the official binary) into the cache, by version:
# $CACHE_ROOT/node-v<version> (scripts/lib.sh).
#
#   scripts/toolchain/node.sh   the last stdout line is the absolute directory holding that `node`
#
# Needs a `node` and `npm` on PATH, of any version: npm fetches the pinned release.
#
# The choice is remembered in a stamp, $CACHE_ROOT/stamps/<this checkout's path, / as %>/node
# (toolchain/stamp.sh): while it is newer than package.json, .nvmrc and this script and its helpers, and
# the `node` on PATH is the same file (path, inode, mtime, ctime, size) as when it was written,
# the directory it names is printed without starting any Node.js (a few milliseconds).
set -euo pipefail
LOG_TAG=node
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$PROJECT_DIR/scripts/toolchain
STAMP=$CACHE_ROOT/stamps/${PROJECT_DIR//\//%}/node

# machine_id <node>: what identifies that file (an upgrade in place replaces it: new inode, ctime).
machine_id() { stat -L -c '%d:%i:%Y:%Z:%s' "$1" 2>/dev/null; }

# stamp_fresh <machine node>: prints the remembered directory when the stamp still holds for it.
# The stamp's lines: the machine's `node` as found on PATH, its machine_id, CACHE_ROOT, the directory.
stamp_fresh() {
  local machine=$1 rec_machine="" rec_id="" rec_cache="" dir="" f
  [[ -f $STAMP ]] || return 1
  for f in "$PROJECT_DIR/package.json" "$PROJECT_DIR/.nvmrc" "$HERE/node.sh" "$HERE/node-version.js" "$HERE/stamp.sh" "$PROJECT_DIR/scripts/lib.sh"; do
    [[ $STAMP -nt $f ]] || return 1
  done
  { IFS= read -r rec_machine && IFS= read -r rec_id && IFS= read -r rec_cache && IFS= read -r dir; } <"$STAMP" || return 1
  [[ $rec_cache == "$CACHE_ROOT" && -n $dir && -x $dir/node ]] || return 1
  if [[ $machine == "$rec_machine" ]]; then
    [[ $rec_id == "$(machine_id "$machine")" ]] || return 1
  elif [[ $machine != "$dir/node" || $dir != "$CACHE_ROOT/node-v"*/bin ]]; then
    # (Sourced a second time, the pinned release chosen is first on PATH: the choice stands.)
    return 1
  fi
  printf '%s\n' "$dir"
}

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
  trap 'rm -rf "$tmp"; [[ -z ${STARTED:-} ]] || rm -f "$STARTED"' EXIT
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$version" >/dev/null) || die "npm pack node-$os-$arch@$version failed"
  tar -xzf "$tmp"/node-"$os"-"$arch"-"$version".tgz -C "$tmp" || die "cannot unpack node-$os-$arch-$version.tgz"
  got=$("$tmp/package/bin/node" --version) || die "the fetched node does not run on this machine"
  [[ $got == "v$version" ]] || die "node-$os-$arch@$version holds Node.js $got"
  publish "$tmp/package" "$dir" bin/node
}

main() {
  local machine machine_version choice dir id
  machine=$(command -v node) || die "no node on PATH: install any Node.js (npm comes with it); the project fetches the release it runs on"
  stamp_fresh "$machine" && return 0
  # The stamp is a shortcut: where it cannot be written, every run takes this path.
  STARTED=$(bash "$HERE/stamp.sh" start "$STAMP" 2>/dev/null) || STARTED=""
  trap '[[ -z ${STARTED:-} ]] || rm -f "$STARTED"' EXIT
  id=$(machine_id "$machine") || die "cannot stat $machine"
  machine_version=$("$machine" --version)
  choice=$("$machine" "$HERE/node-version.js" "$machine_version")
  if [[ $choice == machine ]]; then
    dir=$(cd "$(dirname "$machine")" && pwd)
  else
    dir=$CACHE_ROOT/node-v$choice/bin
    if [[ ! -x $dir/node ]]; then
      fetch "$machine_version" "$choice" "${dir%/bin}"
      log "Node.js $choice in ${dir%/bin}"
    fi
  fi
  [[ -z $STARTED ]] || bash "$HERE/stamp.sh" write "$STAMP" "$STARTED" "$machine" "$id" "$CACHE_ROOT" "$dir" || true
  printf '%s\n' "$dir"
}

main "$@"
