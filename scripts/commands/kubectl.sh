#!/usr/bin/env bash
# npm run kubectl -- <args>: kubectl against the cluster the project uses (scripts/env/kube-env.sh):
# KUBECONFIG, else your current context, else the local control plane.
set -euo pipefail
# shellcheck source=../env/kube-env.sh
source "$(dirname "$0")/../env/kube-env.sh"
if [[ $GO_DEMO_2_CLUSTER == local && ! -f $KUBECONFIG ]]; then
  echo "[kubectl] the local cluster is not running: npm run cluster -- start" >&2
  exit 1
fi
exec kubectl "$@"
