#!/usr/bin/env bash
# Runs the project's pinned `pulumi` with the project environment: `npm run pulumi -- <args>`.
set -euo pipefail
# shellcheck source=../env/pulumi-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env/pulumi-env.sh"
exec pulumi "$@"
