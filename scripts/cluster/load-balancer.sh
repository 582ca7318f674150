# shellcheck shell=bash
# The local cluster's simulated load-balancer controller, sourced by cluster.sh: lb off|on.

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
# (the fake nodes' only: the real node's lease is its kubelet's, never the kwok controller's)
node_leases() {
  kc -n kube-node-lease get leases -o jsonpath='{range .items[*]}{.metadata.name} {.spec.holderIdentity}{"\n"}{end}' \
    | awk -v real="$REAL_NODE_NAME" '$1 != real'
}

cmd_lb() {
  local want=${1:-} pidfile=$CLUSTER_DIR/pids/kwok-controller.pid pid old_holder cwd args=() i config start deadline
  [[ $want == on || $want == off ]] || die "usage: $0 lb on|off"
  lock_cluster
  healthy || die "the local cluster is not running (npm run cluster -- start)"
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
