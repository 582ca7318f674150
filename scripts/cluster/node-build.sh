# shellcheck shell=bash
# The real node's own builds, sourced by cluster.sh after build.sh: CoreDNS (the cluster DNS, from
# node/coredns.go: the coredns module's server with only the plugins the cluster needs), at the
# version package.json's .toolchain.coredns gives, into $CACHE_ROOT/coredns-v<version>-<hash>/;
# kube-router (.toolchain.kubeRouter), whose firewall enforces NetworkPolicies; the stand-in images. kubelet and
# kube-proxy come out of build.sh's kubernetes build. Each build prints its time.

COREDNS_VERSION=$(pj 'p.toolchain.coredns'); COREDNS_VERSION=${COREDNS_VERSION#v}
[[ $COREDNS_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$COREDNS_VERSION' in package.json .toolchain.coredns"
# by version and by the main it is built from (a plugin more is another build)
COREDNS_DIR=$CACHE_ROOT/coredns-v$COREDNS_VERSION-$(sha256sum "$CLUSTER_SCRIPTS/node/coredns.go" | cut -c1-8)

build_coredns() {
  local v=$COREDNS_VERSION
  if [[ -x $COREDNS_DIR/coredns ]]; then log "coredns v$v: cached in $COREDNS_DIR"; return; fi
  local t0=$SECONDS what="github.com/coredns/coredns@v$v"
  log "coredns v$v: building the cluster DNS from $what (cold: a few minutes)"
  local tmp; tmp=$(new_wrapper "coredns-v$v")
  (
    GO_LOG=$tmp/go.log
    cd "$tmp/src"
    cp "$CLUSTER_SCRIPTS/node/coredns.go" main.go
    go_step "$what" go get "$what"
    go_step "$what" go mod tidy
    CGO_ENABLED=0 go_step "$what" go build -trimpath \
      -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=v$v" -o "$tmp/out/coredns" .
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  publish "$tmp/out" "$COREDNS_DIR" coredns; rm -rf "$tmp"
  log "coredns v$v: built in $((SECONDS - t0))s -> $COREDNS_DIR/coredns"
}

KUBE_ROUTER_VERSION=$(pj 'p.toolchain.kubeRouter'); KUBE_ROUTER_VERSION=${KUBE_ROUTER_VERSION#v}
KUBE_ROUTER_DIR=$CACHE_ROOT/kube-router-v$KUBE_ROUTER_VERSION

# kube-router, for its NetworkPolicy firewall only (iptables + ipset; no routing, no proxy).
build_kube_router() {
  local v=$KUBE_ROUTER_VERSION
  [[ -n $v ]] || return 0
  if [[ -x $KUBE_ROUTER_DIR/kube-router ]]; then log "kube-router v$v: cached in $KUBE_ROUTER_DIR"; return; fi
  local t0=$SECONDS what="github.com/cloudnativelabs/kube-router/v2@v$v"
  log "kube-router v$v: building the NetworkPolicy agent from $what (cold: several minutes)"
  local tmp; tmp=$(new_wrapper "kube-router-v$v")
  (
    GO_LOG=$tmp/go.log
    cd "$tmp/src"
    go_step "$what" go get "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$v"
    CGO_ENABLED=0 go_step "$what" go build -trimpath -ldflags "-s -w" -o "$tmp/out/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  publish "$tmp/out" "$KUBE_ROUTER_DIR" kube-router; rm -rf "$tmp"
  log "kube-router v$v: built in $((SECONDS - t0))s -> $KUBE_ROUTER_DIR/kube-router"
}

# build_node: what the real node needs beyond build.sh's (called under build.sh's lock).
build_node() {
  build_coredns
  build_kube_router
  build_node_images
}

# build_node_images: the stand-in images (images/build.sh: the static busybox, then this project's
# programs in one go build), cached by the hash of their sources.
build_node_images() {
  [[ $(uname -s) == Linux ]] || return 0
  local t0=$SECONDS dir
  log "stand-in images: images/build.sh (when not cached: the static busybox, then FerretDB and the MongoDB driver, then ghostunnel; several minutes)"
  dir=$(bash "$PROJECT_DIR/images/build.sh" | tail -n1) || die "building the stand-in images failed (images/build.sh)"
  log "stand-in images: ready in $((SECONDS - t0))s -> $dir"
}
