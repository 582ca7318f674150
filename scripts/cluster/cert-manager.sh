# shellcheck shell=bash
# cert-manager for the local cluster, sourced by cluster.sh (after lib.sh: log, die, pj, new_wrapper,
# publish, CACHE_ROOT; build.sh: go_step; lifecycle.sh: kc, fail_start, wait_for, pid_state,
# WORK_DIR, KUBECONFIG_OUT).
#
# A real cert-manager controller, run out of cluster against the local API server: the project's
# own main (scripts/cluster/cert-manager/main.go) built from github.com/cert-manager/cert-manager at
# package.json .toolchain.certManager, and the CRDs of that same module version
# (deploy/crds/*.yaml), applied at start. Loopback only (it only dials the API server), no
# leader election, no metrics or health listener; `stop` leaves no process behind.
#
# Cache: $CACHE_ROOT/cert-manager-v<version>/{bin/cert-manager-controller,crds/,main.sha256}.
# The binary is rebuilt when main.go changes (its sha256 is kept next to it).
# Runtime: $WORK_DIR/cert-manager/{pid,controller.log}.

CERT_MANAGER_VERSION=$(pj 'p.toolchain.certManager')
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION#v}
[[ $CERT_MANAGER_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad .toolchain.certManager '$CERT_MANAGER_VERSION' in package.json"

CERT_MANAGER_DIR=$CACHE_ROOT/cert-manager-v$CERT_MANAGER_VERSION
CERT_MANAGER_MAIN=$CLUSTER_SCRIPTS/cert-manager/main.go
CERT_MANAGER_BIN=$CERT_MANAGER_DIR/bin/cert-manager-controller
CERT_MANAGER_RUN=$WORK_DIR/cert-manager
# The packages main.go imports; `go get` them (not the whole module) so that only their
# dependencies are downloaded.
CERT_MANAGER_PACKAGES=(
  pkg/controller pkg/logs pkg/issuer/selfsigned pkg/controller/issuers
  pkg/controller/certificaterequests/approver pkg/controller/certificaterequests/selfsigned
  pkg/controller/certificates/issuing pkg/controller/certificates/keymanager
  pkg/controller/certificates/readiness pkg/controller/certificates/requestmanager
  pkg/controller/certificates/revisionmanager pkg/controller/certificates/trigger
)

build_cert_manager() {
  local v=$CERT_MANAGER_VERSION sum
  sum=$(sha256sum "$CERT_MANAGER_MAIN" | cut -d' ' -f1)
  if [[ -x $CERT_MANAGER_BIN && -d $CERT_MANAGER_DIR/crds && $(cat "$CERT_MANAGER_DIR/main.sha256" 2>/dev/null) == "$sum" ]]; then
    log "cert-manager v$v: cached in $CERT_MANAGER_DIR"; return
  fi
  local t0=$SECONDS what="github.com/cert-manager/cert-manager@v$v"
  log "cert-manager v$v: building the controller from $what (cold build takes 3-4 min on 2 cores)"
  local tmp; tmp=$(new_wrapper "cert-manager-v$v")
  (
    # shellcheck disable=SC2034 # go_step (build.sh) writes it
    GO_LOG=$tmp/go.log
    cd "$tmp/src"
    cp "$CERT_MANAGER_MAIN" main.go
    local p pkgs=()
    for p in "${CERT_MANAGER_PACKAGES[@]}"; do pkgs+=("github.com/cert-manager/cert-manager/$p@v$v"); done
    go_step "$what" go get "${pkgs[@]}"
    local dir
    dir=$(go list -m -f '{{.Dir}}' github.com/cert-manager/cert-manager) || die "locating $what in the module cache failed"
    mkdir -p "$tmp/out/bin" "$tmp/out/crds"
    cp "$dir"/deploy/crds/*.yaml "$tmp/out/crds/"
    chmod u+w "$tmp/out/crds"/*.yaml
    log "cert-manager v$v: compiling"
    CGO_ENABLED=0 go_step "$what" go build -trimpath -ldflags "-s -w" -o "$tmp/out/bin/cert-manager-controller" .
    echo "$sum" >"$tmp/out/main.sha256"
  ) || { rm -rf "$tmp"; die "building $what failed (see above)"; }
  [[ -x $tmp/out/bin/cert-manager-controller ]] || { rm -rf "$tmp"; die "building $what: binary missing"; }
  ls "$tmp"/out/crds/*.yaml >/dev/null 2>&1 || { rm -rf "$tmp"; die "$what carries no deploy/crds/*.yaml"; }
  publish "$tmp/out" "$CERT_MANAGER_DIR"; rm -rf "$tmp"
  log "cert-manager v$v: built in $((SECONDS - t0))s -> $CERT_MANAGER_DIR"
}

# The pid of this cluster's controller, if it runs: the recorded pid, checked against its full
# command line (binary and this cluster's kubeconfig), so a recycled pid is never taken for it.
cert_manager_pid() {
  local pid st
  pid=$(cat "$CERT_MANAGER_RUN/pid" 2>/dev/null) || return 1
  st=$(pid_state "$pid")
  [[ -n $st && $st != Z && $st != X ]] || return 1
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == "$CERT_MANAGER_BIN --kubeconfig $KUBECONFIG_OUT "* ]] || return 1
  echo "$pid"
}

# every CRD of the release (one file each in crds/) is Established
cert_manager_crds_established() {
  local want have
  want=$(find "$CERT_MANAGER_DIR/crds" -name '*.yaml' | wc -l)
  have=$(kc get crd --no-headers -o 'custom-columns=GROUP:.spec.group,ESTABLISHED:.status.conditions[?(@.type=="Established")].status' 2>/dev/null \
    | awk '$1 ~ /(^|\.)cert-manager\.io$/ && $2 == "True"' | wc -l)
  ((have == want))
}

start_cert_manager() {
  local t0=$SECONDS out pid
  if pid=$(cert_manager_pid); then log "cert-manager v$CERT_MANAGER_VERSION already running (pid $pid)"; return 0; fi
  # Server-side apply: the CRDs are too large for the last-applied annotation of client-side apply.
  out=$(kc apply --server-side --force-conflicts --field-manager=go-demo-2-cluster -f "$CERT_MANAGER_DIR/crds/" 2>&1) \
    || fail_start "applying the cert-manager v$CERT_MANAGER_VERSION CRDs failed: $out"
  wait_for "cert-manager v$CERT_MANAGER_VERSION CRDs are established" cert_manager_crds_established
  mkdir -p "$CERT_MANAGER_RUN"
  # setsid: its own session, so it outlives this script (as kwokctl's components do) and a
  # Ctrl-C in the terminal that started the cluster does not reach it; fds 8/9 (locks) closed.
  setsid "$CERT_MANAGER_BIN" --kubeconfig "$KUBECONFIG_OUT" --cluster-resource-namespace kube-system \
    </dev/null >>"$CERT_MANAGER_RUN/controller.log" 2>&1 8>&- 9>&- &
  echo $! >"$CERT_MANAGER_RUN/pid"
  wait_for "cert-manager v$CERT_MANAGER_VERSION controller is running (log: $CERT_MANAGER_RUN/controller.log)" \
    eval 'cert_manager_pid >/dev/null && grep -q "\"running\"" "$CERT_MANAGER_RUN/controller.log"'
  log "cert-manager started in $((SECONDS - t0))s"
}

# stop_cert_manager: TERM, then KILL after 10 s; waits until the process is gone.
stop_cert_manager() {
  local pid deadline
  if pid=$(cert_manager_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while cert_manager_pid >/dev/null; do
      if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; fi
      if ((SECONDS >= deadline + 20)); then die "cert-manager controller (pid $pid) still running after stop"; fi
      sleep 0.2
    done
    log "cert-manager controller stopped (pid $pid gone)"
  fi
  rm -f "$CERT_MANAGER_RUN/pid"
}

cert_manager_status() {
  local pid
  if pid=$(cert_manager_pid); then
    printf '  %-24s pid %-8s %s\n' "cert-manager v$CERT_MANAGER_VERSION" "$pid" running
  else
    printf '  %-24s %-12s %s\n' "cert-manager v$CERT_MANAGER_VERSION" "" "NOT running"
    return 1
  fi
}
