#!/usr/bin/env bash
# Builds the images the real node runs -- STAND-INS, made here because no registry is reachable
# from these machines -- as docker-archive tars (manifest.json, config, one layer) that
# `ctr -n k8s.io images import` takes. Prints, as its last stdout line, the directory holding them:
# $CACHE_ROOT/images-<hash of images/ and the versions used>/ (scripts/lib.sh), built once.
#
#   go-demo-2.local/pause:stand-in   the Pod sandbox (containerd's sandbox_image): cmd/pause
#
# Each image's programs are this project's own (cmd/), built with the Go toolchain (static,
# CGO_ENABLED=0) in one `go build`.
set -euo pipefail
LOG_TAG=images
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
IMAGES_DIR=$PROJECT_DIR/images

# image_archive <out.tar> <name:tag> <rootfs dir> <entrypoint JSON array> [<cmd JSON array>] [<env JSON array>]
image_archive() {
  local out=$1 ref=$2 rootfs=$3 entrypoint=$4 cmd=${5:-null} env=${6:-'["PATH=/usr/local/bin:/usr/bin:/bin:/sbin"]'}
  local w; w=$(mktemp -d "$tmp/archive.XXXXXX")
  tar --numeric-owner --owner=0 --group=0 --mtime='2000-01-01 00:00:00Z' --sort=name -C "$rootfs" -cf "$w/layer.tar" .
  local diff; diff=$(sha256sum "$w/layer.tar" | awk '{print $1}')
  printf '{"architecture":"amd64","os":"linux","created":"2000-01-01T00:00:00Z","config":{"Entrypoint":%s,"Cmd":%s,"Env":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2000-01-01T00:00:00Z","created_by":"go-demo-2 images/build.sh (stand-in)"}]}' \
    "$entrypoint" "$cmd" "$env" "$diff" >"$w/config.json"
  local cfg; cfg=$(sha256sum "$w/config.json" | awk '{print $1}')
  mv "$w/config.json" "$w/$cfg.json"
  mkdir "$w/$diff" && mv "$w/layer.tar" "$w/$diff/layer.tar"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$ref" "$diff" >"$w/manifest.json"
  tar --numeric-owner --owner=0 --group=0 -C "$w" -cf "$out" manifest.json "$cfg.json" "$diff/layer.tar"
  rm -rf "$w"
}

main() {
  command -v go >/dev/null || die "go not found on PATH"
  local hash dest
  hash=$( (cd "$IMAGES_DIR" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum; go version) | sha256sum | cut -c1-16)
  dest=$CACHE_ROOT/images-$hash
  if [[ -f $dest/pause.tar ]]; then printf '%s\n' "$dest"; return 0; fi
  mkdir -p "$CACHE_ROOT"
  tmp=$(mktemp -d "$CACHE_ROOT/.images-build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  local t0=$SECONDS
  log "building the stand-in images' programs (go build ./cmd/...)"
  mkdir -p "$tmp/bin" "$tmp/out"
  (cd "$IMAGES_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/bin/" ./cmd/...) >&2 \
    || die "go build of images/cmd failed"

  local r=$tmp/rootfs-pause; mkdir -p "$r"
  cp "$tmp/bin/pause" "$r/pause"
  image_archive "$tmp/out/pause.tar" go-demo-2.local/pause:stand-in "$r" '["/pause"]'

  publish "$tmp/out" "$dest" pause.tar
  log "stand-in images built in $((SECONDS - t0))s -> $dest"
  printf '%s\n' "$dest"
}

main "$@"
