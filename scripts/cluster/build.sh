# shellcheck shell=bash
# The local cluster's binaries, sourced by cluster.sh: etcd, kwok/kwokctl and kube-apiserver,
# kube-controller-manager and kube-scheduler, each built from its Go module at the version
# package.json's .toolchain gives (kubernetes, etcd, kwok) into
# $CACHE_ROOT/<component>-v<version>/, and cert-manager's controller (cert-manager.sh). `build`
# does it all under a lock; what is cached is kept.

read -r K8S_VERSION ETCD_VERSION KWOK_VERSION < <(pj '[p.toolchain.kubernetes, p.toolchain.etcd, p.toolchain.kwok].join(" ")')
K8S_VERSION=${K8S_VERSION#v} ETCD_VERSION=${ETCD_VERSION#v} KWOK_VERSION=${KWOK_VERSION#v}
for v in "$K8S_VERSION" "$ETCD_VERSION" "$KWOK_VERSION"; do
  [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$v' in package.json .toolchain"
done

K8S_DIR=$CACHE_ROOT/kubernetes-v$K8S_VERSION
ETCD_DIR=$CACHE_ROOT/etcd-v$ETCD_VERSION
KWOK_DIR=$CACHE_ROOT/kwok-v$KWOK_VERSION

# go_step <what> <cmd...>: run a go command, its output kept in $GO_LOG (shown on failure);
# on failure, name the module and version. (errexit does not apply inside "( ... ) || handler",
# so every step checks explicitly.)
go_step() {
  local what=$1; shift
  if ! "$@" >>"$GO_LOG" 2>&1; then
    tail -n 40 "$GO_LOG" >&2
    die "building $what failed at: $*"
  fi
}

build_kubernetes() {
  local v=$K8S_VERSION b
  # kubelet and kube-proxy (the real node) share most packages with the control plane: one
  # `go build`, one compile of what they share.
  local bins=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
  local ok=1
  for b in "${bins[@]}"; do [[ -x $K8S_DIR/bin/$b ]] || ok=0; done
  if ((ok)); then log "kubernetes v$v: cached in $K8S_DIR/bin"; return; fi

  local t0=$SECONDS what="k8s.io/kubernetes@v$v"
  log "kubernetes v$v: building $what (cold build takes 10-25 min on 2 cores)"
  local tmp; tmp=$(new_wrapper "kubernetes-v$v")
  (
    GO_LOG=$tmp/go.log
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
    local b cmds=()
    for b in "${bins[@]}"; do cmds+=("k8s.io/kubernetes/cmd/$b"); done
    go_step "$what" go get "${cmds[@]/%/@v$v}"
    local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    local ld="-s -w" k pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      for k in "gitVersion=v$v" "gitMajor=$major" "gitMinor=$minor" "gitTreeState=clean" "buildDate=$date"; do
        ld+=" -X $pkg.$k"
      done
    done
    log "kubernetes v$v: compiling ${bins[*]}"
    CGO_ENABLED=0 go_step "$what" go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ld" -o "$tmp/out/bin/" "${cmds[@]}"
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
    GO_LOG=$tmp/go.log
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
    GO_LOG=$tmp/go.log
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
  build_cert_manager
  real_node_packages
  build_node
  flock -u 9; exec 9>&-
}
