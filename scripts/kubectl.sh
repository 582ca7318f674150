#!/usr/bin/env bash
# kubectl against the local cluster (scripts/cluster.sh start) unless KUBECONFIG is set.
#   npm run kubectl -- get pods -A
set -euo pipefail
if [[ -n ${KUBECONFIG:-} ]]; then
  exec kubectl "$@"
fi
kubeconfig="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cluster/kubeconfig"
if [[ ! -f $kubeconfig ]]; then
  echo "scripts/kubectl.sh: no $kubeconfig; start the local cluster with scripts/cluster.sh start, or set KUBECONFIG" >&2
fi
exec kubectl --kubeconfig "$kubeconfig" "$@"
