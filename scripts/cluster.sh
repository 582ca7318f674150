#!/usr/bin/env bash
# Local Kubernetes control plane on loopback, built from Go modules (no Docker, no images).
#
#   scripts/cluster.sh build    build/ensure the binaries in the cache (outside the repo)
#   scripts/cluster.sh start    start the cluster (idempotent); kubeconfig: .cluster/kubeconfig
#   scripts/cluster.sh stop     stop it; no process or listening port remains
#   scripts/cluster.sh status   what runs; exit 0 if running, 3 if not
#
# Versions come from package.json ".toolchain.{kubernetes,etcd,kwok}".
# Cache: ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}/<component>-v<version>/
set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}

toolchain() { node -p "require(process.argv[1]).toolchain[process.argv[2]]" "$PROJECT_DIR/package.json" "$1"; }
K8S_VERSION=$(toolchain kubernetes)
ETCD_VERSION=$(toolchain etcd)
KWOK_VERSION=$(toolchain kwok)
K8S_VERSION=${K8S_VERSION#v} ETCD_VERSION=${ETCD_VERSION#v} KWOK_VERSION=${KWOK_VERSION#v}

K8S_DIR=$CACHE_ROOT/kubernetes-v$K8S_VERSION
ETCD_DIR=$CACHE_ROOT/etcd-v$ETCD_VERSION
KWOK_DIR=$CACHE_ROOT/kwok-v$KWOK_VERSION

log() { echo "[cluster] +${SECONDS}s $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --------------------------------------------------------------------------- build

# new_wrapper <name>: a throwaway Go module in a temp dir under the cache root; prints its path.
new_wrapper() {
  local tmp
  tmp=$(mktemp -d "$CACHE_ROOT/.build-$1.XXXXXX")
  (cd "$tmp" && mkdir src out && cd src && go mod init "local/go-demo-2-build-$1" >/dev/null 2>&1)
  echo "$tmp"
}

# publish <tmp-out-dir> <final-dir>: atomic move into the cache.
publish() {
  rm -rf "$2.old"
  if [[ -e $2 ]]; then mv -T "$2" "$2.old"; fi
  mv -T "$1" "$2"
  rm -rf "$2.old"
}

# go_step <what> <cmd...>: run a go command; on failure, name the module and version.
# (errexit does not apply inside "( ... ) || handler", so every step checks explicitly.)
go_step() {
  local what=$1; shift
  if ! "$@"; then
    die "building $what failed at: $*"
  fi
}

build_kubernetes() {
  local v=$K8S_VERSION b
  local bins=(kube-apiserver kube-controller-manager kube-scheduler)
  local ok=1
  for b in "${bins[@]}"; do [[ -x $K8S_DIR/bin/$b ]] || ok=0; done
  if ((ok)); then log "kubernetes v$v: cached in $K8S_DIR/bin"; return; fi

  local t0=$SECONDS what="k8s.io/kubernetes@v$v"
  log "kubernetes v$v: building $what (cold build takes 10-25 min on 2 cores)"
  local tmp; tmp=$(new_wrapper "kubernetes-v$v")
  (
    cd "$tmp/src"
    local gomod
    gomod=$(go mod download -json "k8s.io/kubernetes@v$v" | node -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.GoMod)})') \
      || die "downloading $what failed"
    local major=${v%%.*} rest=${v#*.}; local minor=${rest%%.*} patch=${rest#*.}
    # Every staging module k8s.io/kubernetes replaces with ./staging/... -> its published v0.<minor>.<patch>.
    local staging; staging=$(sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\2#p' "$gomod")
    [[ -n $staging ]] || die "no staging replaces found in $gomod"
    local m args=()
    for m in $staging; do args+=("-replace=$m=$m@v0.$minor.$patch"); done
    go_step "$what" go mod edit "${args[@]}"
    # Keep the upstream godebug defaults (behaviour as in the official build).
    local gd; for gd in $(sed -nE 's#^godebug[[:space:]]+([^[:space:]]+=[^[:space:]]+).*#\1#p' "$gomod"); do
      go_step "$what" go mod edit -godebug="$gd"
    done
    log "kubernetes v$v: $(wc -w <<<"$staging") staging modules replaced by v0.$minor.$patch; resolving dependencies"
    go_step "$what" go get "k8s.io/kubernetes/cmd/kube-apiserver@v$v" \
      "k8s.io/kubernetes/cmd/kube-controller-manager@v$v" "k8s.io/kubernetes/cmd/kube-scheduler@v$v"
    local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    local ld="-s -w" k val pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      for k in "gitVersion=v$v" "gitMajor=$major" "gitMinor=$minor" "gitTreeState=clean" "buildDate=$date"; do
        ld+=" -X $pkg.$k"
      done
    done
    log "kubernetes v$v: compiling ${bins[*]}"
    CGO_ENABLED=0 go_step "$what" go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ld" -o "$tmp/out/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  for b in "${bins[@]}"; do [[ -x $tmp/out/bin/$b ]] || { rm -rf "$tmp"; die "building $what: $b missing"; }; done
  publish "$tmp/out" "$K8S_DIR"; rm -rf "$tmp"
  log "kubernetes v$v: built in $((SECONDS - t0))s -> $K8S_DIR/bin"
}

build_etcd() {
  local v=$ETCD_VERSION
  if [[ -x $ETCD_DIR/etcd ]]; then log "etcd v$v: cached in $ETCD_DIR"; return; fi
  local t0=$SECONDS what="go.etcd.io/etcd/server/v3@v$v"
  log "etcd v$v: building $what"
  local tmp; tmp=$(new_wrapper "etcd-v$v")
  (
    cd "$tmp/src"
    # Since v3.5 the etcd main package is the root package of the server module.
    go_step "$what" go get "go.etcd.io/etcd/server/v3@v$v"
    CGO_ENABLED=0 go_step "$what" go build -trimpath -ldflags "-s -w" -o "$tmp/out/etcd" go.etcd.io/etcd/server/v3
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  publish "$tmp/out" "$ETCD_DIR"; rm -rf "$tmp"
  log "etcd v$v: built in $((SECONDS - t0))s -> $ETCD_DIR/etcd"
}

build_kwok() {
  local v=$KWOK_VERSION
  if [[ -x $KWOK_DIR/kwok && -x $KWOK_DIR/kwokctl ]]; then log "kwok v$v: cached in $KWOK_DIR"; return; fi
  local t0=$SECONDS what="sigs.k8s.io/kwok@v$v"
  log "kwok v$v: building $what (cmd/kwok, cmd/kwokctl)"
  local tmp; tmp=$(new_wrapper "kwok-v$v")
  (
    cd "$tmp/src"
    go_step "$what" go get "sigs.k8s.io/kwok/cmd/kwok@v$v" "sigs.k8s.io/kwok/cmd/kwokctl@v$v"
    CGO_ENABLED=0 go_step "$what" go build -trimpath \
      -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$v -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$K8S_VERSION" \
      -o "$tmp/out/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  publish "$tmp/out" "$KWOK_DIR"; rm -rf "$tmp"
  log "kwok v$v: built in $((SECONDS - t0))s -> $KWOK_DIR"
}

cmd_build() {
  command -v go >/dev/null || die "go not found on PATH (Go toolchain needed to build the control plane)"
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.build.lock"
  flock -n 9 || { log "another build is running; waiting for it"; flock 9; }
  build_etcd
  build_kwok
  build_kubernetes
  flock -u 9
}

# --------------------------------------------------------------------------- main
case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 build|start|stop|status" >&2; exit 2 ;;
esac
