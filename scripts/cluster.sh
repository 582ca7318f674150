#!/usr/bin/env bash
# Local Kubernetes control plane on loopback, built from Go modules (no Docker, no images).
#
#   scripts/cluster.sh build    build/ensure the binaries in the cache (outside the repo)
#   scripts/cluster.sh start [--nodes N]
#                               start the cluster (idempotent) with N fake nodes kwok-node-0..N-1
#                               (default $GO_DEMO_2_NODES, else 1; on a running cluster, adds the
#                               missing ones); kubeconfig: .cluster/kubeconfig
#   scripts/cluster.sh node-lost <node>   that node's kubelet goes silent (kwok stops playing it)
#   scripts/cluster.sh node-back <node>   ... and reports again
#   scripts/cluster.sh lb off|on          the simulated load-balancer controller stops / runs again
#   scripts/cluster.sh stop     stop it; no process or listening port remains
#   scripts/cluster.sh status   what runs; exit 0 if running, 3 if not
#
# Versions come from package.json ".toolchain.{kubernetes,etcd,kwok,certManager}".
# Cache: ${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}/<component>-v<version>/
# Work dir: .cluster/ (kwokctl's KWOK_WORKDIR, git-ignored); kubeconfig: .cluster/kubeconfig.
# GO_DEMO_2_CLUSTER_TIMEOUT: seconds to wait for each readiness step of start (default 180).
# Cluster config (flags, CIDRs, LoadBalancer + Pod stages): scripts/cluster/kwokctl.yaml.
# cert-manager (controller + CRDs, started after the control plane): scripts/cluster/cert-manager.sh.
set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-demo-2}

# one node call: "kubernetes etcd kwok" versions from package.json .toolchain
read -r K8S_VERSION ETCD_VERSION KWOK_VERSION < <(node -p \
  'const t = require(process.argv[1]).toolchain; [t.kubernetes, t.etcd, t.kwok].join(" ")' "$PROJECT_DIR/package.json") \
  || { echo "[cluster] ERROR: cannot read .toolchain from $PROJECT_DIR/package.json" >&2; exit 1; }
K8S_VERSION=${K8S_VERSION#v} ETCD_VERSION=${ETCD_VERSION#v} KWOK_VERSION=${KWOK_VERSION#v}
for v in "$K8S_VERSION" "$ETCD_VERSION" "$KWOK_VERSION"; do
  [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "[cluster] ERROR: bad version '$v' in package.json .toolchain" >&2; exit 1; }
done

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
  local bins=(kube-apiserver kube-controller-manager kube-scheduler)
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
  flock -u 9; exec 9>&-
}

# --------------------------------------------------------------------------- cluster
CLUSTER_NAME=go-demo-2
WORK_DIR=$PROJECT_DIR/.cluster                       # KWOK_WORKDIR (git-ignored)
CLUSTER_DIR=$WORK_DIR/clusters/$CLUSTER_NAME         # kwokctl's per-cluster dir
KUBECONFIG_OUT=$WORK_DIR/kubeconfig                  # self-contained admin kubeconfig
# kwokctl adds/removes a context in a kubeconfig (default ~/.kube/config, which we must not touch).
KWOKCTL_KUBECONFIG=$WORK_DIR/kwokctl.kubeconfig
KWOKCTL_CONFIG=$PROJECT_DIR/scripts/cluster/kwokctl.yaml
NODE_MANIFEST=$PROJECT_DIR/scripts/cluster/node.yaml
# PersistentVolumes the local cluster offers; Released ones return to the pool (kwokctl.yaml).
VOLUME_COUNT=8
START_TIMEOUT=${GO_DEMO_2_CLUSTER_TIMEOUT:-180}

export KWOK_WORKDIR=$WORK_DIR
export KWOK_KUBE_VERSION=v$K8S_VERSION
export KWOK_ETCD_VERSION=$ETCD_VERSION
export KWOK_VERSION=$KWOK_VERSION

# (fd 8, the start/stop lock, must not leak into the long-running component processes)
kwokctl() { "$KWOK_DIR/kwokctl" --name "$CLUSTER_NAME" "$@" 8>&-; }
kc() { command kubectl --kubeconfig "$KUBECONFIG_OUT" --request-timeout=5s "$@"; }

# component pids recorded by kwokctl: lines "<name> <pid>"
component_pids() {
  local f
  [[ -d $CLUSTER_DIR/pids ]] || return 0
  for f in "$CLUSTER_DIR"/pids/*.pid; do
    [[ -e $f ]] || continue
    echo "$(basename "$f" .pid) $(cat "$f")"
  done
}

# process state letter (R, S, Z, ...) or empty if there is no such process
pid_state() {
  sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null || true
}

# alive = exists, is not a zombie (some inits reap orphans only every few seconds), and is one
# of this cluster's components (its command is $CLUSTER_DIR/bin/<name>), so a recycled pid
# of some unrelated process never counts -- and is never killed.
pid_alive() {
  local st cmd; st=$(pid_state "$1")
  [[ -n $st && $st != Z && $st != X ]] || return 1
  cmd=$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -n1) || return 1
  [[ $cmd == "$CLUSTER_DIR/bin/"* ]]
}

api_url() { sed -nE 's#^[[:space:]]*server:[[:space:]]*(.*)$#\1#p' "$KUBECONFIG_OUT" 2>/dev/null | head -n1; }

node_ready() {
  kc get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.podCIDR}{"\n"}{end}' 2>/dev/null \
    | awk '$2 == "True" && $3 != "" { ok=1 } END { exit !ok }'
}

# healthy = every component process alive, /readyz ok, a Ready node, default ServiceAccount present
healthy() {
  [[ -f $CLUSTER_DIR/kwok.yaml && -f $KUBECONFIG_OUT ]] || return 1
  local name pid n=0
  while read -r name pid; do
    n=$((n + 1)); pid_alive "$pid" || return 1
  done < <(component_pids)
  ((n >= 5)) || return 1
  [[ $(kc get --raw /readyz 2>/dev/null) == ok ]] || return 1
  node_ready || return 1
  kc -n default get serviceaccount default >/dev/null 2>&1
}

write_kubeconfig() {
  local tmp=$KUBECONFIG_OUT.tmp.$$
  command kubectl config view --raw --flatten --minify --kubeconfig "$CLUSTER_DIR/kubeconfig.yaml" >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$KUBECONFIG_OUT"
}

# fail_start <message>: keep the component logs, show their tails, tear down what was
# started (no processes left behind), exit 1.
fail_start() {
  local saved=$WORK_DIR/last-failed-start f
  rm -rf "$saved"; mkdir -p "$saved"
  cp -r "$CLUSTER_DIR/logs" "$CLUSTER_DIR/kwok.yaml" "$WORK_DIR/kwokctl-create.log" "$saved/" 2>/dev/null || true
  for f in "$saved"/logs/*.log; do
    [[ -e $f ]] || continue
    echo "----- $(basename "$f") (last 15 lines)" >&2
    tail -n 15 "$f" >&2
  done
  log "ERROR: $1"
  log "logs kept in $saved; tearing the half-started cluster down"
  cmd_stop || true
  exit 1
}

wait_for() { # wait_for <description> <command...>
  local what=$1; shift
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      fail_start "timed out after ${START_TIMEOUT}s waiting for: $what"
    fi
    sleep 0.5
  done
  log "$what"
}

# serialize start/stop of this project's cluster (parallel test runners, two terminals)
CLUSTER_LOCKED=0
lock_cluster() {
  ((CLUSTER_LOCKED)) && return 0
  mkdir -p "$WORK_DIR"
  exec 8>"$WORK_DIR/.lock"
  flock -n 8 || { log "waiting for another start/stop of this cluster"; flock 8; }
  CLUSTER_LOCKED=1
}

# The default StorageClass and its PersistentVolumes. No provisioner: claims bind to these
# volumes (the real PV controller and the scheduler's volume binder do it), WaitForFirstConsumer
# as on kind and most clouds. hostPath, so any node can take them; nothing is ever mounted.
storage_manifest() {
  cat <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
YAML
  local i
  for ((i = 0; i < VOLUME_COUNT; i++)); do
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv-$i
spec:
  storageClassName: standard
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath:
    path: /var/lib/go-demo-2/volumes/local-pv-$i
YAML
  done
}

cmd_start() {
  command -v kubectl >/dev/null || die "kubectl not found on PATH"
  lock_cluster
  if healthy; then
    log "cluster $CLUSTER_NAME already running and healthy: $(api_url) (kubeconfig: $KUBECONFIG_OUT)"
    ensure_nodes die
    start_cert_manager
    return 0
  fi
  if [[ -d $CLUSTER_DIR ]]; then
    log "found a stale or unhealthy cluster in $CLUSTER_DIR; removing it first"
    cmd_stop
  fi
  cmd_build
  mkdir -p "$WORK_DIR"
  local t0=$SECONDS
  log "creating cluster $CLUSTER_NAME (kwokctl --runtime=binary, workdir $CLUSTER_DIR)"
  # kwokctl would download kubectl only if none is on PATH; point it at the local one anyway.
  # --kubeconfig keeps it from editing ~/.kube/config; we write our own kubeconfig below.
  if ! KWOK_KUBECTL_BINARY=$(command -v kubectl) kwokctl create cluster \
      --config "$KWOKCTL_CONFIG" \
      --runtime binary \
      --etcd-binary "$ETCD_DIR/etcd" \
      --kube-apiserver-binary "$K8S_DIR/bin/kube-apiserver" \
      --kube-controller-manager-binary "$K8S_DIR/bin/kube-controller-manager" \
      --kube-scheduler-binary "$K8S_DIR/bin/kube-scheduler" \
      --kwok-controller-binary "$KWOK_DIR/kwok" \
      --kubeconfig "$KWOKCTL_KUBECONFIG" \
      --timeout "${START_TIMEOUT}s" \
      >"$WORK_DIR/kwokctl-create.log" 2>&1; then
    cat "$WORK_DIR/kwokctl-create.log" >&2
    fail_start "kwokctl create cluster failed"
  fi
  log "components started in $((SECONDS - t0))s"
  write_kubeconfig
  wait_for "API server is ready at $(api_url)" eval '[[ $(kc get --raw /readyz 2>/dev/null) == ok ]]'
  ensure_nodes fail_start
  local out
  out=$(storage_manifest | kc apply -f - 2>&1) || fail_start "creating the StorageClass and volumes failed: $out"
  log "default StorageClass standard with $VOLUME_COUNT PersistentVolumes of 10Gi"
  wait_for "ServiceAccount default/default exists" eval 'kc -n default get serviceaccount default >/dev/null 2>&1'
  healthy || fail_start "cluster started but is not healthy"
  start_cert_manager
  log "cluster $CLUSTER_NAME is up in $((SECONDS - t0))s"
  log "  API:        $(api_url)"
  log "  kubeconfig: $KUBECONFIG_OUT   (npm run kubectl -- get nodes)"
}

cmd_stop() {
  lock_cluster
  local t0=$SECONDS pids=() name pid
  # Before the API server goes: the controller would otherwise log connection errors until killed.
  stop_cert_manager
  while read -r name pid; do pids+=("$pid"); done < <(component_pids)
  if [[ -f $CLUSTER_DIR/kwok.yaml ]]; then
    log "deleting cluster $CLUSTER_NAME"
    if ! kwokctl delete cluster --kubeconfig "$KWOKCTL_KUBECONFIG" >"$WORK_DIR/kwokctl-delete.log" 2>&1; then
      cat "$WORK_DIR/kwokctl-delete.log" >&2
      log "kwokctl delete cluster failed; killing the recorded component processes directly"
    fi
  elif ((${#pids[@]} == 0)) && [[ ! -e $CLUSTER_DIR ]]; then
    rm -f "$KUBECONFIG_OUT"
    log "cluster $CLUSTER_NAME is not running"
    return 0
  fi
  # Make sure every process we started is gone (kwokctl sends SIGKILL; give it a moment).
  local deadline=$((SECONDS + 30)) left
  while :; do
    left=()
    for pid in "${pids[@]}"; do pid_alive "$pid" && left+=("$pid"); done
    ((${#left[@]} == 0)) && break
    if ((SECONDS >= deadline)); then die "processes still running after stop: ${left[*]}"; fi
    kill -KILL "${left[@]}" 2>/dev/null || true
    sleep 0.5
  done
  # They are dead now; wait until their parent (PID 1, as kwokctl detached them) has reaped
  # them, so not even a <defunct> entry remains. Not an error if that takes long.
  deadline=$((SECONDS + 30))
  while :; do
    left=()
    for pid in "${pids[@]}"; do [[ $(pid_state "$pid") == Z ]] && left+=("$pid"); done
    ((${#left[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      log "processes exited; PID 1 has not reaped them yet (zombies: ${left[*]})"; break
    fi
    sleep 0.5
  done
  rm -rf "$CLUSTER_DIR"
  rm -f "$KUBECONFIG_OUT" "$KWOKCTL_KUBECONFIG"
  log "cluster $CLUSTER_NAME stopped in $((SECONDS - t0))s${pids:+ (pids ${pids[*]} gone)}"
}

cmd_status() {
  if [[ ! -f $CLUSTER_DIR/kwok.yaml ]]; then
    echo "cluster $CLUSTER_NAME: not running (no $CLUSTER_DIR)"
    return 3
  fi
  local name pid state ok=1
  echo "cluster $CLUSTER_NAME (kwokctl --runtime=binary, workdir $CLUSTER_DIR)"
  while read -r name pid; do
    if pid_alive "$pid"; then state=running; else state=DEAD; ok=0; fi
    printf '  %-24s pid %-8s %s\n' "$name" "$pid" "$state"
  done < <(component_pids)
  cert_manager_status || ok=0
  echo "  load balancer: $(lb_state) (scripts/cluster.sh lb on|off)"
  echo "  API:        $(api_url)"
  echo "  kubeconfig: $KUBECONFIG_OUT"
  if [[ $(kc get --raw /readyz 2>/dev/null) == ok ]]; then
    echo "  readyz:     ok ($(kc version -o json 2>/dev/null | sed -nE 's/.*"gitVersion": "([^"]+)".*/\1/p' | tail -n1))"
    kc get nodes -o wide 2>/dev/null | sed 's/^/  /'
  else
    echo "  readyz:     NOT ready"; ok=0
  fi
  if ((ok)); then return 0; else return 3; fi
}

# --------------------------------------------------------------------------- nodes
# Several fake nodes, so that the real scheduler spreads Pods and the real node lifecycle
# controller can lose one. Each is scripts/cluster/node.yaml under its own name.
NODE_COUNT=${GO_DEMO_2_NODES:-1}

# start's options: --nodes N (wins over GO_DEMO_2_NODES).
parse_start_args() {
  while (($# > 0)); do
    case $1 in
      --nodes) (($# >= 2)) || die "--nodes needs a number"; NODE_COUNT=$2; shift 2 ;;
      --nodes=*) NODE_COUNT=${1#--nodes=}; shift ;;
      *) die "start: unknown option '$1' (accepted: --nodes N)" ;;
    esac
  done
  [[ $NODE_COUNT =~ ^[0-9]+$ ]] && ((NODE_COUNT >= 1 && NODE_COUNT <= 20)) \
    || die "node count '$NODE_COUNT' (--nodes or GO_DEMO_2_NODES): expected an integer from 1 to 20"
}

# node_manifests: kwok-node-0 .. kwok-node-<NODE_COUNT-1>, each node.yaml with its own name.
node_manifests() {
  local i
  for ((i = 0; i < NODE_COUNT; i++)); do
    echo "---"
    sed "s/kwok-node-0/kwok-node-$i/g" "$NODE_MANIFEST"
  done
}

# How many nodes are Ready and have a podCIDR.
ready_node_count() {
  kc get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.podCIDR}{"\n"}{end}' 2>/dev/null \
    | awk '$1 == "True" && $2 != "" { n++ } END { print n + 0 }'
}

# ensure_nodes <on-failure>: creates the nodes that are missing (never removes any) and waits
# until NODE_COUNT are Ready. <on-failure> is fail_start for a cluster being started (torn down),
# die for one that was already running (left as it is).
ensure_nodes() {
  local on_failure=$1 out deadline=$((SECONDS + START_TIMEOUT))
  out=$(node_manifests | kc apply -f - 2>&1) || "$on_failure" "creating the fake nodes failed: $out"
  until (($(ready_node_count) >= NODE_COUNT)); do
    ((SECONDS < deadline)) || "$on_failure" "timed out after ${START_TIMEOUT}s waiting for $NODE_COUNT Ready node(s)"
    sleep 0.5
  done
  log "$NODE_COUNT node(s) Ready with a podCIDR"
}

# node-lost <node>: the node's kubelet goes silent: kwok no longer posts the node's status
# (kwokctl.yaml's node stages skip a node annotated go-demo-2.local/kubelet=stopped; one update
# already scheduled may still land, up to 10 s later) and no longer renews its Lease (handed to
# another holder for an hour; kwok plays a node only while it holds its lease) -- which is all a
# dead kubelet does. The rest is the real controller-manager's: Ready turns Unknown once the
# last heartbeat is older than the node-monitor grace period, the node is tainted unreachable,
# and its Pods are evicted when their toleration runs out. node-back undoes both.
LOST_HOLDER=go-demo-2-node-lost
KUBELET_ANNOTATION=go-demo-2.local/kubelet
cmd_node_lost() {
  [[ -n ${1:-} ]] || die "usage: $0 node-lost <node>"
  kc annotate --overwrite node "$1" "$KUBELET_ANNOTATION=stopped" >/dev/null || die "cannot find node $1"
  kc -n kube-node-lease patch lease "$1" --type merge \
    -p "{\"spec\":{\"holderIdentity\":\"$LOST_HOLDER\",\"leaseDurationSeconds\":3600}}" >/dev/null \
    || die "node $1 has no lease to take over"
  log "node $1 no longer reports to the API server"
}
cmd_node_back() {
  [[ -n ${1:-} ]] || die "usage: $0 node-back <node>"
  kc -n kube-node-lease patch lease "$1" --type merge -p '{"spec":{"holderIdentity":null,"leaseDurationSeconds":40}}' >/dev/null \
    || die "node $1 has no lease"
  kc annotate node "$1" "$KUBELET_ANNOTATION-" >/dev/null || die "cannot find node $1"
  log "node $1 reports again"
}

# --------------------------------------------------------------------------- load balancer
# lb off|on: the cluster's load-balancer controller -- kwokctl.yaml's service-loadbalancer-ingress
# Stage -- goes away (as on kind or minikube: LoadBalancer Services get no address) or comes back.
# Only the kwok controller is restarted, with kwokctl's config (kwok.yaml) with or without that
# Stage; everything else keeps running. Off does not take addresses already given away, as a
# controller that stops would not; on gives one to every LoadBalancer Service still without.
# The restarted controller's Pod IP pool starts over, so its config starts it right after the
# highest Pod IP in use: no two running Pods ever share an address (one of a Pod that is gone may
# come back, as with any CNI).
LB_STAGE=service-loadbalancer-ingress
LB_CONFIG_ON=$CLUSTER_DIR/kwok-load-balancer-on.yaml
LB_CONFIG_OFF=$CLUSTER_DIR/kwok-load-balancer-off.yaml

lb_state() {
  local pid config
  pid=$(cat "$CLUSTER_DIR/pids/kwok-controller.pid" 2>/dev/null) && pid_alive "$pid" || { echo unknown; return; }
  config=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n 's/^--config=//p')
  if [[ $config == "$LB_CONFIG_OFF" ]]; then echo off; else echo on; fi
}

# The address after the highest Pod IP in use (empty when no Pod has one).
next_pod_ip() {
  local max a b c d n
  max=$(kc get pods -A -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}' \
    | grep -E '^[0-9]+(\.[0-9]+){3}$' | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n | tail -n1) || true
  [[ -n $max ]] || return 0
  IFS=. read -r a b c d <<<"$max"
  n=$(((a << 24 | b << 16 | c << 8 | d) + 1))
  echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}

# "<node> <holder>" for every node lease.
node_leases() {
  kc -n kube-node-lease get leases -o jsonpath='{range .items[*]}{.metadata.name} {.spec.holderIdentity}{"\n"}{end}'
}

cmd_lb() {
  local want=${1:-} pidfile=$CLUSTER_DIR/pids/kwok-controller.pid pid old_holder cwd args=() i config start deadline
  [[ $want == on || $want == off ]] || die "usage: $0 lb on|off"
  lock_cluster
  healthy || die "the local cluster is not running (scripts/cluster.sh start)"
  if [[ $(lb_state) == "$want" ]]; then log "load balancer already $want"; return 0; fi
  start=$(next_pod_ip)
  if [[ $want == on ]]; then config=$LB_CONFIG_ON; else config=$LB_CONFIG_OFF; fi
  # kwok.yaml is kwokctl's multi-document YAML: drop the Stage's document for off, and start the
  # Pod IP pool (KwokConfiguration's cidr) at $start.
  awk -v stage="name: $LB_STAGE" -v drop="$([[ $want == off ]] && echo 1)" -v start="$start" '
    function flush() {
      if (doc == "" || (drop && doc ~ stage)) { doc = ""; return }
      if (start != "" && doc ~ /kind: KwokConfiguration/) gsub(/\n  cidr: [^\n]*/, "\n  cidr: " start "/24", doc)
      printf "%s%s", (n++ ? "---\n" : ""), doc; doc = ""
    }
    /^---$/ { flush(); next }
    { doc = doc $0 "\n" }
    END { flush() }' "$CLUSTER_DIR/kwok.yaml" >"$config"
  if [[ $want == off ]] && grep -q "name: $LB_STAGE" "$config"; then die "cannot remove the $LB_STAGE Stage from $config"; fi
  if [[ -n $start ]] && ! grep -q "cidr: $start/24" "$config"; then die "cannot set the Pod IP pool's start in $config"; fi
  pid=$(cat "$pidfile")
  old_holder=$(node_leases | awk -v lost="$LOST_HOLDER" '$2 != "" && $2 != lost { print $2; exit }')
  cwd=$(readlink "/proc/$pid/cwd")
  mapfile -d '' args <"/proc/$pid/cmdline"
  for i in "${!args[@]}"; do [[ ${args[$i]} == --config=* ]] && args[i]=--config=$config; done
  kill -TERM "$pid"
  deadline=$((SECONDS + 30))
  while pid_alive "$pid"; do
    ((SECONDS < deadline)) || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  done
  # The old controller's node leases would keep the new one from playing the nodes (no Pod would
  # start) until they expire, 40 s later: release them. A lost node's (node-lost) stays taken.
  node_leases | while read -r lease holder; do
    [[ $holder == "$LOST_HOLDER" ]] || kc -n kube-node-lease patch lease "$lease" --type merge -p '{"spec":{"holderIdentity":null}}' >/dev/null
  done
  # As kwokctl starts it: its own session, in its work dir, its pid where kwokctl keeps it.
  (
    cd "$cwd" || exit 1
    setsid "${args[@]}" </dev/null >>"$CLUSTER_DIR/logs/kwok-controller.log" 2>&1 8>&- 9>&- &
    echo $! >"$pidfile"
  )
  deadline=$((SECONDS + START_TIMEOUT))
  # Pods start once the new controller holds every lease (it retries a failed take every 10 s).
  until [[ $(lb_state) == "$want" ]] && node_leases | awk -v lost="$LOST_HOLDER" -v old="$old_holder" '
      $2 == lost { next } $2 == "" || $2 == old { bad = 1 } END { exit bad }'; do
    ((SECONDS < deadline)) || die "the kwok controller did not come back within ${START_TIMEOUT}s: see $CLUSTER_DIR/logs/kwok-controller.log"
    sleep 0.5
  done
  log "kwok controller restarted (pid $(cat "$pidfile"), Pod IPs from ${start:-the start of its pool: none in use}): load balancer $want"
}

# shellcheck source=cluster/cert-manager.sh
source "$PROJECT_DIR/scripts/cluster/cert-manager.sh"

# --------------------------------------------------------------------------- main
case "${1:-}" in
  build) cmd_build ;;
  start) shift; parse_start_args "$@"; cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  node-lost) cmd_node_lost "${2:-}" ;;
  node-back) cmd_node_back "${2:-}" ;;
  lb) cmd_lb "${2:-}" ;;
  *) echo "usage: $0 build|start [--nodes N]|stop|status|node-lost <node>|node-back <node>|lb on|off" >&2; exit 2 ;;
esac
