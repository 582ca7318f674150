# shellcheck shell=bash
# What the scripts share, sourced by them (`source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"`):
#
#   PROJECT_DIR   the repository's root
#   CACHE_ROOT    where builds and downloads are kept, by version, outside the repository:
#                 ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2} (loader.js agrees)
#   LOG_TAG       set it before logging: log lines read "[<tag>] <message>" on stderr, or
#                 "[<tag>] +<seconds>s <message>" with LOG_ELAPSED=1
#   log / die     progress, and an error that ends the script (exit 1)
#   pj <expr>     a value of package.json (empty when absent); the expression sees the file as `p`
#   publish       moves a finished build into the cache
#   new_wrapper   a throwaway Go module to build others' commands from
#
# Sourced files (scripts/env/) must not leave these names in an interactive shell, so they ask
# for the cache root alone by running this file: `bash scripts/lib.sh cache-root`.

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}
LOG_TAG=${LOG_TAG:-scripts}

# LOG_FD: where log writes, stderr unless a script keeps its terminal on another descriptor.
log() { printf '[%s] %s%s\n' "$LOG_TAG" "${LOG_ELAPSED:+"+${SECONDS}s "}" "$*" >&"${LOG_FD:-2}"; }
die() {
  log "ERROR: $*"
  exit 1
}

pj() {
  node -p "const v = (p => $1)(require(process.argv[1])); v == null ? '' : v" "$PROJECT_DIR/package.json" ||
    die "cannot read $1 from $PROJECT_DIR/package.json"
}

# publish <finished-dir> <cache-dir> [<file>]: moves a finished build into the cache with one
# rename(2) (mv -T: never into an existing directory), so that a half build never looks complete.
# When <cache-dir>/<file> is already there (another run finished first) that build is kept and
# this one dropped. Any other <cache-dir> (a stale or broken build) is replaced: moved aside first,
# removed once the new one is in place.
publish() {
  local src=$1 dest=$2 file=${3:-} old=""
  if [[ -n $file && -x $dest/$file ]]; then
    log "$dest was completed meanwhile; keeping it"
    rm -rf "$src"
    return 0
  fi
  if [[ -e $dest ]]; then
    old=$(mktemp -d "$dest.old.XXXXXX")
    mv -T "$dest" "$old"
  fi
  mv -T "$src" "$dest" || {
    [[ -z $old ]] || mv -T "$old" "$dest"
    die "cannot move $src to $dest"
  }
  [[ -z $old ]] || rm -rf "$old"
}

# new_wrapper <name> [<parent dir>]: a fresh directory under <parent dir> (default CACHE_ROOT)
# holding src/, an empty Go module local/go-demo-2-build-<name> to `go get` and `go build` others'
# commands in, and out/, for what is then published; prints its path. The caller removes it.
new_wrapper() {
  local name=$1 parent=${2:-$CACHE_ROOT} dir out
  mkdir -p "$parent"
  dir=$(mktemp -d "$parent/.build-$name.XXXXXX")
  mkdir "$dir/src" "$dir/out"
  out=$(cd "$dir/src" && go mod init "local/go-demo-2-build-$name" 2>&1) || {
    rm -rf "$dir"
    die "go mod init in $dir/src failed: $out"
  }
  printf '%s\n' "$dir"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
  cache-root) printf '%s\n' "$CACHE_ROOT" ;;
  *)
    echo "usage: bash $0 cache-root   (or source it)" >&2
    exit 2
    ;;
  esac
fi
