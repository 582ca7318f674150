#!/usr/bin/env bash
# Provides the busybox the in-Pod tests run the stack's commands with: upstream busybox at the
# version package.json pins (.toolchain.busybox), built once with `make defconfig` (which enables
# the applets the API image's busybox has: ash, wget, nc with -z and -w, sleep, kill) into the
# cache, by version: $CACHE_ROOT/busybox-<version> (scripts/lib.sh).
#
#   scripts/toolchain/busybox.sh          the last stdout line is the absolute path of that `busybox`
#   scripts/toolchain/busybox.sh static   the same, linked statically (CONFIG_STATIC=y), for the
#                                         real node's stand-in images (images/build.sh), into
#                                         $CACHE_ROOT/busybox-<version>-static
#
# The source tarball is checked against .toolchain.busyboxSha256 and fetched from busybox.net, or,
# where that is unreachable, as the Debian source package's orig tarball (`apt-get source`, with a
# private apt state, so the machine's apt configuration is neither used nor changed). Needs gcc,
# make and bzip2. Distribution busybox binaries are not used: Debian's is built without `nc -z`.
set -euo pipefail
LOG_TAG=busybox
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# fetch_source <version> <sha256> <debian suite> <tarball>
fetch_source() {
  local version=$1 sha256=$2 suite=$3 tarball=$4 apt keyring orig opts
  log "fetching the busybox $version source (once)"
  if ! curl -fsSL --max-time 60 -o "$tarball" "https://busybox.net/downloads/busybox-$version.tar.bz2" 2>/dev/null; then
    log "busybox.net unreachable; taking the orig tarball of Debian $suite's busybox source package"
    apt=$tmp/apt
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [[ -r $keyring ]] || die "no $keyring: install busybox $version's source yourself into $CACHE_ROOT/busybox-$version, or reach busybox.net"
    echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $suite main" >"$apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1
      -o APT::Sandbox::User="$(id -un)")
    apt-get "${opts[@]}" -qq update >&2 || die "apt-get update of Debian $suite's sources failed"
    (cd "$apt/src" && apt-get "${opts[@]}" -qq source --download-only busybox >&2) ||
      die "apt-get source busybox failed"
    orig=$(find "$apt/src" -name "busybox_$version.orig.tar.bz2" | head -1)
    [[ -n $orig ]] || die "Debian $suite's busybox source is not version $version: $(ls "$apt/src")"
    mv "$orig" "$tarball"
  fi
  echo "$sha256  $tarball" | sha256sum -c --quiet - >&2 || die "busybox-$version.tar.bz2 does not match .toolchain.busyboxSha256"
}

# build <version> <tarball> <out dir>: make defconfig, then the busybox binary into <out dir>.
build() {
  local version=$1 tarball=$2 out=$3 src opt static=${STATIC:-}
  log "building busybox $version (make defconfig${static:+ + CONFIG_STATIC=y}; a few minutes, once)"
  tar -xjf "$tarball" -C "$tmp"
  src=$tmp/busybox-$version
  (cd "$src" && make -s defconfig >"$tmp/build.log" 2>&1 &&
    if [[ -n $static ]]; then
      sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' .config && make -s oldconfig </dev/null >>"$tmp/build.log" 2>&1
    fi &&
    make -s -j"$(nproc)" busybox >>"$tmp/build.log" 2>&1) || {
    tail -n 30 "$tmp/build.log" >&2
    die "building busybox $version failed"
  }
  # The applets and options the commands under test use; a build without them would test nothing.
  for opt in ASH NC NC_110_COMPAT WGET FEATURE_WGET_TIMEOUT SLEEP KILL ${static:+STATIC}; do
    grep -qx "CONFIG_$opt=y" "$src/.config" || die "busybox $version's defconfig lacks CONFIG_$opt"
  done
  mkdir -p "$out" && mv "$src/busybox" "$out/busybox"
}

main() {
  local version sha256 suite dest tool
  version=$(pj 'p.toolchain.busybox')
  sha256=$(pj 'p.toolchain.busyboxSha256')
  suite=$(pj 'p.toolchain.busyboxDebianSuite')
  STATIC=""
  case ${1:-} in
    "") ;;
    static) STATIC=1 ;;
    *) die "usage: $0 [static]" ;;
  esac
  dest=$CACHE_ROOT/busybox-$version${STATIC:+-static}
  if [[ -x $dest/busybox ]]; then
    printf '%s\n' "$dest/busybox"
    return 0
  fi
  for tool in gcc make bzip2 sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is needed to build busybox $version (Debian: apt-get install build-essential bzip2)"
  done
  mkdir -p "$CACHE_ROOT"
  # global: fetch_source and build work in it, the EXIT trap removes it
  tmp=$(mktemp -d "$CACHE_ROOT/.busybox-build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  fetch_source "$version" "$sha256" "$suite" "$tmp/busybox-$version.tar.bz2"
  build "$version" "$tmp/busybox-$version.tar.bz2" "$tmp/out"
  publish "$tmp/out" "$dest" busybox
  log "busybox $version in $dest"
  printf '%s\n' "$dest/busybox"
}

main "$@"
