#!/usr/bin/env bash
# npm run up [-- <stack>]: everything a fresh machine needs, then `pulumi up` (stack dev by default).
#   Node.js and the dependencies (node-env.sh: npm ci) → Pulumi toolchain → a cluster (the
#   user's, or the local one started here) → local state backend → stack select/create →
#   pulumi up --yes → outputs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stack=${1:-dev}
step() { printf '[up] %s\n' "$*" >&2; }

step "providing Node.js and the locked dependencies (scripts/node-env.sh)"
# shellcheck source=node-env.sh
source scripts/node-env.sh

# shellcheck source=kube-env.sh
source scripts/kube-env.sh
if [[ $GO_DEMO_2_CLUSTER == local ]]; then
  step "starting the local cluster (scripts/cluster.sh start)"
  bash scripts/cluster.sh start
else
  step "using your cluster: KUBECONFIG=$KUBECONFIG, context $(kubectl config current-context)"
fi

step "providing the Pulumi toolchain (scripts/toolchain.sh)"
# shellcheck source=pulumi-env.sh
source scripts/pulumi-env.sh

step "stack $stack on $PULUMI_BACKEND_URL"
pulumi stack select --create "$stack" >/dev/null
if bound=$(pulumi config get kubernetes:context --stack "$stack" 2>/dev/null); then
  step "stack $stack is bound to context $bound (kubernetes:context): it deploys there, or refuses"
fi
if ! pulumi up --yes --stack "$stack"; then
  step "pulumi up failed; what the stack's Pods report (scripts/not-ready.sh):"
  bash scripts/not-ready.sh || true
  exit 1
fi
pulumi stack output --stack "$stack" --json
