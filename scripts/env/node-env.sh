# shellcheck shell=bash
# Source this file (`source scripts/env/node-env.sh`) to run on the project's Node.js
# (scripts/toolchain/node.sh: the machine's if package.json's engines accept it, else the release
# .nvmrc pins) with the locked dependencies installed: `npm ci` runs when node_modules is missing
# or older than package-lock.json, and the components package built. Whatever starts `node` by
# name afterwards — npm, the Pulumi language host, tools, tests — gets that Node.js, and Node's
# compile cache (kept between runs, outside the repo; runtime/loader.js enables the same one for a program
# started without these scripts).

_gd2_node_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_gd2_node_out=$(bash "$_gd2_node_root/scripts/toolchain/node.sh") || {
  echo "[node-env] scripts/toolchain/node.sh failed" >&2
  unset _gd2_node_root _gd2_node_out
  return 1
}
_gd2_node_bin=${_gd2_node_out##*$'\n'}
[[ $PATH == "$_gd2_node_bin:"* ]] || export PATH="$_gd2_node_bin:$PATH"
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$(bash "$_gd2_node_root/scripts/lib.sh" cache-root)/node-compile-cache}

if [[ ! -f $_gd2_node_root/node_modules/.package-lock.json ||
  $_gd2_node_root/package-lock.json -nt $_gd2_node_root/node_modules/.package-lock.json ]]; then
  printf '[node-env] installing the locked dependencies (npm ci, Node.js %s)\n' "$(node --version)" >&2
  (cd "$_gd2_node_root" && npm ci --no-audit --no-fund) || {
    unset _gd2_node_root _gd2_node_out _gd2_node_bin
    return 1
  }
fi
# The program consumes the components as their package (node_modules/go-demo-2 → components/,
# built to components/dist): rebuilt here whenever a source changed (tsc --build; well under a
# second when nothing did), so no run ever uses a stale build.
(cd "$_gd2_node_root" && npx --no-install tsc --build components) || {
  echo "[node-env] building the components package (tsc --build components) failed" >&2
  unset _gd2_node_root _gd2_node_out _gd2_node_bin
  return 1
}
unset _gd2_node_root _gd2_node_out _gd2_node_bin
