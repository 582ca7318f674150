# shellcheck shell=bash
# Source this file to choose the cluster the project talks to, the same way for every script:
#   1. KUBECONFIG, when the user set it;
#   2. otherwise the current context of ~/.kube/config, when there is one (kind, minikube, a cloud);
#   3. otherwise the local control plane of scripts/cluster/cluster.sh, at .cluster/kubeconfig.
# Exports KUBECONFIG and GO_DEMO_2_CLUSTER=user|local.

# Sourcing it again (pulumi-env.sh does) keeps the first decision.
[[ -n ${GO_DEMO_2_CLUSTER:-} ]] && return 0

_gd2_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -n ${KUBECONFIG:-} ]]; then
  export GO_DEMO_2_CLUSTER=user
# (kubectl reads ~/.kube/config, or migrates the legacy ~/.kube/.kubeconfig to it: without either
# there is no current context, and no kubectl need start to say so.)
elif { [[ -z ${HOME:-} || -e $HOME/.kube/config || -e $HOME/.kube/.kubeconfig ]]; } &&
  kubectl config current-context >/dev/null 2>&1; then
  export KUBECONFIG="$HOME/.kube/config" GO_DEMO_2_CLUSTER=user
else
  export KUBECONFIG="$_gd2_root/.cluster/kubeconfig" GO_DEMO_2_CLUSTER=local
fi
unset _gd2_root
