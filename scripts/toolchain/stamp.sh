#!/usr/bin/env bash
# Writes a stamp: a file whose mtime says when an answer started to be worked out and whose lines
# hold the answer, so that the next run can tell from mtimes alone (`[[ $stamp -nt $input ]]`,
# `find -newer $stamp`) that nothing it depends on changed since, and reuse the answer without
# starting Node.js, npm or tsc. Used by node.sh and pulumi.sh (stamps in the cache root, by
# checkout) and env/node-env.sh (node_modules/.cache/go-demo-2/components, gone with node_modules).
#
#   scripts/toolchain/stamp.sh start <stamp>                     BEFORE reading the inputs: prints
#                                                                the path of a file made now
#   scripts/toolchain/stamp.sh write <stamp> <started> [<line>...]   once the answer is known
#
# The stamp gets the mtime of <started>, a file made (in TMPDIR, so that a run that fails leaves
# nothing beside the stamps) by the same clock as every input's mtime, before any input was read:
# an input edited while the answer was being worked out is newer than the stamp, which then no
# longer holds. `write` replaces the old stamp by a rename in its folder: a reader sees the old one
# or the new one, never half of one; it removes <started>. Exit 0 when done, 1 when not, 2 on a
# bad command.
set -euo pipefail

usage() {
  echo "usage: $0 start <stamp> | write <stamp> <started> [<line>...]" >&2
  exit 2
}

case ${1:-} in
start)
  (($# == 2)) || usage
  mktemp "${TMPDIR:-/tmp}/go-demo-2-stamp.${2##*/}.XXXXXX"
  ;;
write)
  (($# >= 3)) || usage
  stamp=$2 started=$3
  shift 3
  [[ -f $started ]] || {
    echo "[stamp] no $started (made by: $0 start $stamp)" >&2
    exit 1
  }
  mkdir -p "${stamp%/*}"
  tmp=$(mktemp "$stamp.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  if (($# > 0)); then printf '%s\n' "$@" >"$tmp"; fi
  touch -r "$started" "$tmp"
  mv -f "$tmp" "$stamp"
  trap - EXIT
  rm -f "$started"
  ;;
*) usage ;;
esac
