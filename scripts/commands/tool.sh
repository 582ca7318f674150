#!/usr/bin/env bash
# Runs a tools/<folder>/<name>.ts program with the project's Pulumi toolchain and cluster environment:
#   scripts/commands/tool.sh review/render dev    (npm run render -- dev)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tool=$1
shift
# shellcheck source=../env/kube-env.sh
source "$root/scripts/env/kube-env.sh"
# shellcheck source=../env/pulumi-env.sh
source "$root/scripts/env/pulumi-env.sh"
exec "$root/node_modules/.bin/tsx" "$root/tools/$tool.ts" "$@"
