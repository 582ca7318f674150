#!/usr/bin/env bash
# Builds the images the real node runs -- STAND-INS, made here because no registry is reachable
# from these machines -- as docker-archive tars (manifest.json, config, one layer) that
# `ctr -n k8s.io images import` takes. Prints, as its last stdout line, the directory holding them:
# $CACHE_ROOT/images-<hash of images/ and the versions used>/ (scripts/lib.sh), built once.
#
#   go-demo-2.local/pause:stand-in        the Pod sandbox (containerd's sandbox_image): cmd/pause
#   go-demo-2.local/busybox:stand-in      busybox alone (static, defconfig): test Pods
#   go-demo-2.local/go-demo-2:stand-in    (and :stand-in-2, the same with a 3 s warm-up, for a release
#                                         to a "new image") busybox + cmd/go-demo-2, a stand-in for vfarcic/go-demo-2
#   go-demo-2.local/mongo:3.3-stand-in    busybox + cmd/mongod (FerretDB, SQLite), a stand-in for mongo:3.3
#   go-demo-2.local/curl:stand-in         busybox + cmd/curl, a stand-in for the smoke Job's curl image
#   go-demo-2.local/ghostunnel:v1.8.4     busybox + ghostunnel v1.8.4 itself (ghostunnel/go.mod), NOT a
#                                         stand-in: the TLS sidecar, as ghostunnel/ghostunnel:v1.8.4
#
# The stand-ins' programs are this project's own (cmd/), built with the Go toolchain (static,
# CGO_ENABLED=0) in one `go build`; the busybox is scripts/toolchain/busybox.sh's static build, so
# the stack's init containers, probes and hooks run unchanged (sh, wget -T, nc -z -w, sleep, kill).
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

# base_rootfs <busybox> <dir>: the static busybox with a link per applet, /etc/passwd and group
# (root, nobody, mongodb 999), /tmp.
base_rootfs() {
  local bb=$1 r=$2 a
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/local/bin,etc,tmp,root}
  chmod 1777 "$r/tmp"
  cp "$bb" "$r/bin/busybox"
  for a in $("$bb" --list); do
    [[ $a == busybox || -e $r/bin/$a ]] || ln -s busybox "$r/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nmongodb:x:999:999:mongodb:/data/db:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nmongodb:x:999:\nnobody:x:65534:\n' >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
}

main() {
  command -v go >/dev/null || die "go not found on PATH"
  local hash dest
  hash=$( (cd "$IMAGES_DIR" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum; go version) | sha256sum | cut -c1-16)
  dest=$CACHE_ROOT/images-$hash
  local busybox
  busybox=$(bash "$PROJECT_DIR/scripts/toolchain/busybox.sh" static | tail -n1) || die "the static busybox could not be built"
  hash=$( (echo "$hash"; sha256sum "$busybox") | sha256sum | cut -c1-16)
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
  # The TLS sidecar is no stand-in: ghostunnel itself, at the version the stack pins
  # (TLS_PROXY_IMAGE), from its module (ghostunnel/go.mod). With cgo, as its release is built: its
  # build without cgo does not compile at v1.8.4 (the PKCS#11 stub's signature is out of date).
  # Static, with Go's resolver and user lookup, to run on the busybox base.
  log "building ghostunnel $(awk '$1 == "github.com/ghostunnel/ghostunnel" {print $2}' "$IMAGES_DIR/ghostunnel/go.mod") (go build, cgo, static)"
  command -v cc >/dev/null || die "ghostunnel needs a C compiler and glibc's static libraries (Debian: apt-get install gcc libc6-dev)"
  (cd "$IMAGES_DIR/ghostunnel" && CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo -ldflags '-s -w -extldflags "-static"' \
    -o "$tmp/bin/ghostunnel" github.com/ghostunnel/ghostunnel) >&2 2> >(grep -v "requires at runtime the shared libraries\|^/usr/bin/ld: .*in function\|^# github.com/ghostunnel" >&2) \
    || die "go build of ghostunnel failed"

  local r=$tmp/rootfs-pause; mkdir -p "$r"
  cp "$tmp/bin/pause" "$r/pause"
  image_archive "$tmp/out/pause.tar" go-demo-2.local/pause:stand-in "$r" '["/pause"]'

  base_rootfs "$busybox" "$tmp/rootfs-busybox"
  image_archive "$tmp/out/busybox.tar" go-demo-2.local/busybox:stand-in "$tmp/rootfs-busybox" '["sh"]'

  r=$tmp/rootfs-api; base_rootfs "$busybox" "$r"
  cp "$tmp/bin/go-demo-2" "$r/usr/local/bin/go-demo"
  image_archive "$tmp/out/go-demo-2.tar" go-demo-2.local/go-demo-2:stand-in "$r" '["/usr/local/bin/go-demo"]'
  # The release's image: the same program, with a warm-up of 3 s before it listens (main.go).
  image_archive "$tmp/out/go-demo-2-2.tar" go-demo-2.local/go-demo-2:stand-in-2 "$r" '["/usr/local/bin/go-demo"]' null \
    '["PATH=/usr/local/bin:/usr/bin:/bin:/sbin","STAND_IN_LISTEN_DELAY=3s"]'

  r=$tmp/rootfs-mongo; base_rootfs "$busybox" "$r"
  cp "$tmp/bin/mongod" "$r/usr/bin/mongod"
  mkdir -p "$r/data/db" && chown 999:999 "$r/data/db"
  # As the mongo images' entrypoint: arguments that start with '-' are mongod's.
  printf '#!/bin/sh\n# mongo stand-in entrypoint (go-demo-2 images/build.sh)\ncase "$1" in -*) set -- mongod "$@" ;; esac\nexec "$@"\n' \
    >"$r/usr/local/bin/docker-entrypoint.sh"
  chmod 755 "$r/usr/local/bin/docker-entrypoint.sh"
  image_archive "$tmp/out/mongo.tar" go-demo-2.local/mongo:3.3-stand-in "$r" '["/usr/local/bin/docker-entrypoint.sh"]' '["mongod"]'

  # As the official image: ghostunnel the entrypoint, on a base with a shell and sleep (Alpine's there).
  r=$tmp/rootfs-ghostunnel; base_rootfs "$busybox" "$r"
  cp "$tmp/bin/ghostunnel" "$r/usr/bin/ghostunnel"
  image_archive "$tmp/out/ghostunnel.tar" go-demo-2.local/ghostunnel:v1.8.4 "$r" '["/usr/bin/ghostunnel"]'

  r=$tmp/rootfs-curl; base_rootfs "$busybox" "$r"
  cp "$tmp/bin/curl" "$r/usr/bin/curl"
  image_archive "$tmp/out/curl.tar" go-demo-2.local/curl:stand-in "$r" '["curl"]'

  publish "$tmp/out" "$dest" pause.tar
  log "stand-in images built in $((SECONDS - t0))s -> $dest"
  printf '%s\n' "$dest"
}

main "$@"
