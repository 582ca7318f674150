#!/usr/bin/env bash
# Writes a stamp: a file whose mtime says when an answer was worked out and whose lines hold the
# answer, so that the next run can tell, from mtimes alone (`[[ $stamp -nt $input ]]`, `find
# -newer $stamp`), that nothing it depends on changed since, and reuse the answer without starting
# Node.js, npm or tsc. Used by node.sh, pulumi.sh and env/node-env.sh for their stamps under
# node_modules/.cache/go-demo-2/ (gone with node_modules).
#
#   scripts/toolchain/stamp.sh write <stamp> <t0> [<line>...]
#
# <t0> is $EPOCHREALTIME read BEFORE the inputs were read (or the build started): the stamp is
# dated 0.05 s before it (file times come from a clock that may lag by a tick), so an input edited
# while the answer was being worked out is newer than the stamp, which then no longer holds. The
# stamp is replaced by a rename: a reader sees the old one or the new one, never half of one.
# Exit 0 when written, 1 when not, 2 on a bad command.
set -euo pipefail

[[ ${1:-} == write && $# -ge 3 ]] || {
  echo "usage: $0 write <stamp> <t0 (EPOCHREALTIME)> [<line>...]" >&2
  exit 2
}
stamp=$2 t0=${3/,/.}
shift 3
[[ $t0 =~ ^[0-9]+(\.[0-9]+)?$ ]] || {
  echo "[stamp] not an EPOCHREALTIME: '$t0'" >&2
  exit 2
}
mkdir -p "${stamp%/*}"
tmp=$(mktemp "$stamp.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if (($# > 0)); then printf '%s\n' "$@" >"$tmp"; fi
touch -d "@$(LC_ALL=C awk -v t="$t0" 'BEGIN { printf "%.6f", t - 0.05 }')" "$tmp"
mv -f "$tmp" "$stamp"
trap - EXIT
