#!/usr/bin/env bash
# Local Kubernetes control plane on loopback, built from Go modules (no Docker, no images).
# npm run cluster -- <command>, that is scripts/cluster/cluster.sh <command>:
#
#   build               build/ensure the binaries in the cache (outside the repo)
#   start [--nodes N]   start the cluster (idempotent) with N fake nodes kwok-node-0..N-1 (default
#                       $GO_DEMO_2_NODES, else 1; on a running cluster, adds the missing ones)
#   node-lost <node>    that node's kubelet goes silent (kwok stops playing it)
#   node-back <node>    ... and reports again
#   lb off|on           the simulated load-balancer controller stops / runs again
#   real-node start|stop|status|guard
#                       the real node alone (real-node.sh; started by start, stopped by stop);
#                       guard prints how many packets the leak guard dropped
#   stop                stop it; no process or listening port remains
#   status              what runs; exit 0 if running, 3 if not
#
# Exit codes: 0 done, 1 failed (the reason on stderr), 2 unknown command, 3 status: not running.
# Versions come from package.json ".toolchain.{kubernetes,etcd,kwok,certManager}".
# Cache: $CACHE_ROOT/<component>-v<version>/ (scripts/lib.sh).
# Work dir: .cluster/ (kwokctl's KWOK_WORKDIR, git-ignored); kubeconfig: .cluster/kubeconfig.
# GO_DEMO_2_CLUSTER_TIMEOUT: seconds to wait for each readiness step of start (default 180).
#
# This file only dispatches; each concern is a file of its own beside it (README.md): build.sh,
# lifecycle.sh (start, stop, status), nodes.sh, load-balancer.sh, cert-manager.sh; the cluster's
# config is kwokctl.yaml (flags, CIDRs, LoadBalancer + Pod stages) and node.yaml.
set -euo pipefail

CLUSTER_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_TAG=cluster LOG_ELAPSED=1
# shellcheck source=../lib.sh
source "$CLUSTER_SCRIPTS/../lib.sh"
# shellcheck source=build.sh
source "$CLUSTER_SCRIPTS/build.sh"
# shellcheck source=node-build.sh
source "$CLUSTER_SCRIPTS/node-build.sh"
# shellcheck source=lifecycle.sh
source "$CLUSTER_SCRIPTS/lifecycle.sh"
# shellcheck source=nodes.sh
source "$CLUSTER_SCRIPTS/nodes.sh"
# shellcheck source=load-balancer.sh
source "$CLUSTER_SCRIPTS/load-balancer.sh"
# shellcheck source=cert-manager.sh
source "$CLUSTER_SCRIPTS/cert-manager.sh"
# shellcheck source=real-node.sh
source "$CLUSTER_SCRIPTS/real-node.sh"

main() {
  case "${1:-}" in
  build) cmd_build ;;
  start)
    shift
    parse_start_args "$@"
    cmd_start
    ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  node-lost) cmd_node_lost "${2:-}" ;;
  node-back) cmd_node_back "${2:-}" ;;
  lb) cmd_lb "${2:-}" ;;
  real-node) cmd_real_node "${2:-}" ;;
  *)
    echo "usage: $0 build|start [--nodes N]|stop|status|node-lost <node>|node-back <node>|lb on|off|real-node start|stop|status|guard" >&2
    exit 2
    ;;
  esac
}

main "$@"
