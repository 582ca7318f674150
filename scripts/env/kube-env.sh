# shellcheck shell=bash
# Source this file to choose the cluster the project talks to, the same way for every script:
#   1. KUBECONFIG, when the user set it;
#   2. otherwise the current context of ~/.kube/config, when there is one (kind, minikube, a cloud);
#   3. otherwise the local control plane of scripts/cluster/cluster.sh, at .cluster/kubeconfig.
# Exports KUBECONFIG and GO_DEMO_2_CLUSTER=user|local.

# Sourcing it again (pulumi-env.sh does) keeps the first decision.
[[ -n ${GO_DEMO_2_CLUSTER:-} ]] && return 0

_gd2_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Whether ~/.kube/config names a current context: kubectl reads ~/.kube/config (or migrates the
# legacy ~/.kube/.kubeconfig to it), so without either there is none and no kubectl need start to
# say so. Otherwise kubectl's answer is remembered in a stamp in the cache root (scripts/lib.sh's
# rule; toolchain/stamp.sh), reused while it is newer than both files and this script.
_gd2_context=""
if [[ -z ${KUBECONFIG:-} ]]; then
  if [[ -n ${HOME:-} && ! -e $HOME/.kube/config && ! -e $HOME/.kube/.kubeconfig ]]; then
    _gd2_context=no
  else
    _gd2_stamp=${GO_DEMO_2_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/go-demo-2}/stamps/kube-current-context
    if [[ -n ${HOME:-} && -f $_gd2_stamp && $_gd2_stamp -nt $_gd2_root/scripts/env/kube-env.sh &&
      (! -e $HOME/.kube/config || $_gd2_stamp -nt $HOME/.kube/config) &&
      (! -e $HOME/.kube/.kubeconfig || $_gd2_stamp -nt $HOME/.kube/.kubeconfig) ]] &&
      IFS= read -r _gd2_context <"$_gd2_stamp" && [[ $_gd2_context == "$HOME "@(yes|no) ]]; then
      _gd2_context=${_gd2_context##* }
    else
      _gd2_started=""
      # Only an answer of an installed kubectl is remembered.
      if [[ -n ${HOME:-} ]] && command -v kubectl >/dev/null 2>&1; then
        _gd2_started=$(bash "$_gd2_root/scripts/toolchain/stamp.sh" start "$_gd2_stamp" 2>/dev/null) || _gd2_started=""
      fi
      if kubectl config current-context >/dev/null 2>&1; then _gd2_context=yes; else _gd2_context=no; fi
      [[ -z $_gd2_started ]] ||
        bash "$_gd2_root/scripts/toolchain/stamp.sh" write "$_gd2_stamp" "$_gd2_started" "$HOME $_gd2_context" 2>/dev/null ||
        true
    fi
  fi
fi
if [[ -n ${KUBECONFIG:-} ]]; then
  export GO_DEMO_2_CLUSTER=user
elif [[ $_gd2_context == yes ]]; then
  export KUBECONFIG="$HOME/.kube/config" GO_DEMO_2_CLUSTER=user
else
  export KUBECONFIG="$_gd2_root/.cluster/kubeconfig" GO_DEMO_2_CLUSTER=local
fi
unset _gd2_root _gd2_context _gd2_stamp _gd2_started
