#!/usr/bin/env bash
# scripts/commands/with-local-cluster.sh <command> [args...]: runs a command against the local
# control plane (started if it is not running, and then stopped afterwards) with the Pulumi
# toolchain on PATH and a state backend of its own (.pulumi/test-state), so that test and benchmark
# stacks never meet the ones made with npm run up. Used by npm run test:e2e and npm run bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
step() { printf '[local-cluster] %s (+%ss)\n' "$*" "$SECONDS" >&2; }

# shellcheck source=../env/node-env.sh
source scripts/env/node-env.sh
step "Node.js $(node --version)"

export KUBECONFIG="$root/.cluster/kubeconfig"
# Three fake nodes: the disruption tests spread Pods over nodes, drain one and lose one.
export GO_DEMO_2_NODES=${GO_DEMO_2_NODES:-3}
started=false
if ! bash scripts/cluster/cluster.sh status >/dev/null 2>&1; then
  step "starting the local cluster ($GO_DEMO_2_NODES nodes)"
  bash scripts/cluster/cluster.sh start
  started=true
else
  # A cluster already running keeps running afterwards; it only gains the nodes it lacks.
  bash scripts/cluster/cluster.sh start
fi
stop_cluster() { if $started; then step "stopping the local cluster"; bash scripts/cluster/cluster.sh stop; fi; }
trap stop_cluster EXIT
step "cluster ready"

mkdir -p .pulumi/test-state
export PULUMI_BACKEND_URL="file://$root/.pulumi/test-state"
step "providing the Pulumi toolchain"
# shellcheck source=../env/pulumi-env.sh
source scripts/env/pulumi-env.sh
step "toolchain ready: pulumi $(pulumi version)"

"$@"
