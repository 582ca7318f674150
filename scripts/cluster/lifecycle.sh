# shellcheck shell=bash
# The local cluster's life, sourced by cluster.sh: start (kwokctl --runtime=binary with the binaries
# of build.sh, then its nodes, storage and cert-manager), stop (no process or listening port left)
# and status; and what the other parts ask of a running cluster: kc, its processes, its health.

CLUSTER_NAME=go-demo-2
WORK_DIR=$PROJECT_DIR/.cluster                       # KWOK_WORKDIR (git-ignored)
CLUSTER_DIR=$WORK_DIR/clusters/$CLUSTER_NAME         # kwokctl's per-cluster dir
KUBECONFIG_OUT=$WORK_DIR/kubeconfig                  # self-contained admin kubeconfig
# kwokctl adds/removes a context in a kubeconfig (default ~/.kube/config, which we must not touch).
KWOKCTL_KUBECONFIG=$WORK_DIR/kwokctl.kubeconfig
KWOKCTL_CONFIG=$CLUSTER_SCRIPTS/kwokctl.yaml
# PersistentVolumes the local cluster offers; Released ones return to the pool (kwokctl.yaml).
VOLUME_COUNT=8
START_TIMEOUT=${GO_DEMO_2_CLUSTER_TIMEOUT:-180}

export KWOK_WORKDIR=$WORK_DIR
export KWOK_KUBE_VERSION=v$K8S_VERSION
export KWOK_ETCD_VERSION=$ETCD_VERSION
export KWOK_VERSION=$KWOK_VERSION

# shellcheck disable=SC2153 # KWOK_DIR comes from build.sh
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
    real_node_start
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
  REAL_NODE_ON_FAILURE=fail_start real_node_start
  log "cluster $CLUSTER_NAME is up in $((SECONDS - t0))s"
  log "  API:        $(api_url)"
  log "  kubeconfig: $KUBECONFIG_OUT   (npm run kubectl -- get nodes)"
}

cmd_stop() {
  lock_cluster
  local t0=$SECONDS pids=() name pid
  # Before the API server goes: the real node (its Pods through its kubelet) and the controller,
  # which would otherwise log connection errors until killed.
  real_node_stop
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
  real_node_status
  echo "  load balancer: $(lb_state) (npm run cluster -- lb on|off)"
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
