#!/usr/bin/env bash
# npm run down [-- <stack>]: destroys the stack (dev by default), then stops the local cluster
# if that is where it ran. Your own cluster is left running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
stack=${1:-dev}

# shellcheck source=../env/kube-env.sh
source scripts/env/kube-env.sh
# shellcheck source=../env/pulumi-env.sh
source scripts/env/pulumi-env.sh

if pulumi stack select "$stack" >/dev/null 2>&1; then
  pulumi destroy --yes --stack "$stack"
else
  echo "[down] no stack $stack on $PULUMI_BACKEND_URL; nothing to destroy" >&2
fi
if [[ $GO_DEMO_2_CLUSTER == local ]]; then
  bash scripts/cluster/cluster.sh stop
fi
