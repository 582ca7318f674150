#!/usr/bin/env bash
# npm run test:e2e: the stack with the real Pulumi engine on the local control plane.
# Uses its own state backend (.pulumi/e2e-state) so it never touches stacks made with npm run up,
# and stops the local cluster afterwards if it started it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '[e2e] %s (+%ss)\n' "$*" "$SECONDS" >&2; }

export KUBECONFIG="$root/.cluster/kubeconfig"
started=false
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
  step "starting the local cluster"
  bash scripts/cluster.sh start
  started=true
fi
stop_cluster() { if $started; then step "stopping the local cluster"; bash scripts/cluster.sh stop; fi; }
trap stop_cluster EXIT
step "cluster ready"

mkdir -p .pulumi/e2e-state
export PULUMI_BACKEND_URL="file://$root/.pulumi/e2e-state"
step "providing the Pulumi toolchain"
# shellcheck source=pulumi-env.sh
source scripts/pulumi-env.sh
step "toolchain ready: $(pulumi version)"

npx jest --config jest.e2e.config.js --runInBand "$@"
