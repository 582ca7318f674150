# shellcheck shell=bash
# The local cluster's fake nodes, sourced by cluster.sh: how many (start --nodes N), creating them
# (node.yaml under each name), and a node whose kubelet goes silent (node-lost) and comes back.

# Several fake nodes, so that the real scheduler spreads Pods and the real node lifecycle
# controller can lose one. Each is node.yaml under its own name.
NODE_MANIFEST=$CLUSTER_SCRIPTS/node.yaml
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
