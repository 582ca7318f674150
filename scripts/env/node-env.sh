# shellcheck shell=bash
# Source this file (`source scripts/env/node-env.sh`) to run on the project's Node.js
# (scripts/toolchain/node.sh: the machine's if package.json's engines accept it, else the release
# .nvmrc pins) with the locked dependencies installed: `npm ci` runs when node_modules is missing
# or older than package-lock.json, and the components package built. Whatever starts `node` by
# name afterwards — npm, the Pulumi language host, tools, tests — gets that Node.js, and Node's
# compile cache (kept between runs, outside the repo; runtime/loader.js enables the same one for a program
# started without these scripts).
#
# When nothing changed this starts no Node.js, npm or tsc: node.sh answers from its stamp, the
# lockfile is compared by mtime with node_modules/.package-lock.json, and the components from a
# stamp written when they were last built (node_modules/.cache/go-demo-2/components).

_gd2_node_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_gd2_node_out=$(bash "$_gd2_node_root/scripts/toolchain/node.sh") || {
  echo "[node-env] scripts/toolchain/node.sh failed" >&2
  unset _gd2_node_root _gd2_node_out
  return 1
}
_gd2_node_bin=${_gd2_node_out##*$'\n'}
[[ $PATH == "$_gd2_node_bin:"* ]] || export PATH="$_gd2_node_bin:$PATH"
# The cache root, by scripts/lib.sh's rule (`bash scripts/lib.sh cache-root`; a test keeps them equal).
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}/node-compile-cache}

if [[ ! -f $_gd2_node_root/node_modules/.package-lock.json ||
  $_gd2_node_root/package-lock.json -nt $_gd2_node_root/node_modules/.package-lock.json ]]; then
  printf '[node-env] installing the locked dependencies (npm ci, Node.js %s)\n' "$(node --version)" >&2
  (cd "$_gd2_node_root" && npm ci --no-audit --no-fund) || {
    unset _gd2_node_root _gd2_node_out _gd2_node_bin
    return 1
  }
fi
# The program consumes the components as their package (node_modules/go-demo-2 → components/,
# built to components/dist): rebuilt here (tsc --build) whenever anything under components/
# changed since the stamp of the last build (dist/ aside) — a source, tsconfig.json, package.json,
# a file added or removed, dist/ removed — when dist/'s build info is missing, or when the
# dependencies were installed since, so no run ever uses a stale build. The stamp is dated from
# before the build: an edit made during it is newer.
_gd2_node_stamp=$_gd2_node_root/node_modules/.cache/go-demo-2/components
if [[ ! -f $_gd2_node_stamp || ! -f $_gd2_node_root/components/dist/tsconfig.tsbuildinfo ||
  ! $_gd2_node_stamp -nt $_gd2_node_root/node_modules/.package-lock.json ||
  ! $_gd2_node_stamp -nt $_gd2_node_root/scripts/env/node-env.sh ]] ||
  [[ -n $(find "$_gd2_node_root/components" -path "$_gd2_node_root/components/dist" -prune -o -newer "$_gd2_node_stamp" -print -quit 2>/dev/null) ]]; then
  # The stamp is a shortcut: where it cannot be written, every run builds (as tsc --build decides).
  _gd2_node_started=$(bash "$_gd2_node_root/scripts/toolchain/stamp.sh" start "$_gd2_node_stamp" 2>/dev/null) ||
    _gd2_node_started=""
  (cd "$_gd2_node_root" && node_modules/.bin/tsc --build components) || {
    echo "[node-env] building the components package (tsc --build components) failed" >&2
    [[ -z $_gd2_node_started ]] || rm -f "$_gd2_node_started"
    unset _gd2_node_root _gd2_node_out _gd2_node_bin _gd2_node_stamp _gd2_node_started
    return 1
  }
  [[ -z $_gd2_node_started ]] ||
    bash "$_gd2_node_root/scripts/toolchain/stamp.sh" write "$_gd2_node_stamp" "$_gd2_node_started" ||
    echo "[node-env] cannot write $_gd2_node_stamp: the next run builds again" >&2
fi
unset _gd2_node_root _gd2_node_out _gd2_node_bin _gd2_node_stamp _gd2_node_started
