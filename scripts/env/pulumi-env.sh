# shellcheck shell=bash
# Source this file (`source scripts/env/pulumi-env.sh`) to run Pulumi the way this project does:
# the project's Node.js and the pinned toolchain first on PATH, a project-local PULUMI_HOME and a
# local file state backend. A user's own PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE and
# KUBECONFIG are kept.

_gd2_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The language host starts the `node` it finds on PATH: the project's (node-env.sh).
# shellcheck source=node-env.sh
source "$_gd2_root/scripts/env/node-env.sh" || {
  unset _gd2_root
  return 1
}
_gd2_out=$(bash "$_gd2_root/scripts/toolchain/pulumi.sh" ensure) || {
  echo "[pulumi-env] scripts/toolchain/pulumi.sh failed" >&2
  unset _gd2_root _gd2_out
  return 1
}
_gd2_bin=${_gd2_out##*$'\n'}

case ":$PATH:" in
*":$_gd2_bin:"*) ;;
*) export PATH="$_gd2_bin:$PATH" ;;
esac

export PULUMI_HOME="$_gd2_root/.pulumi/home"
if [[ -z ${PULUMI_BACKEND_URL:-} ]]; then
  [[ -d $_gd2_root/.pulumi/state ]] || mkdir -p "$_gd2_root/.pulumi/state"
  export PULUMI_BACKEND_URL="file://$_gd2_root/.pulumi/state"
fi
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=true
# A toolchain built from Go modules (it leaves toolchain.txt beside bin/) means a machine
# without downloads: a missing plugin should fail at once instead of trying to fetch it.
if [[ -f $_gd2_bin/../toolchain.txt ]]; then
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # Its language host ignores Pulumi.yaml's runtime options; the SDK's runner gets them from
  # this preload instead (runtime/runtime-options.js).
  _gd2_preload="--require \"$_gd2_root/runtime/runtime-options.js\""
  case " ${NODE_OPTIONS:-} " in
  *" $_gd2_preload "*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }$_gd2_preload" ;;
  esac
  unset _gd2_preload
fi
# The cluster: KUBECONFIG, else the current context, else the local one (one rule, kube-env.sh).
# shellcheck source=kube-env.sh
source "$_gd2_root/scripts/env/kube-env.sh"

unset _gd2_root _gd2_out _gd2_bin
