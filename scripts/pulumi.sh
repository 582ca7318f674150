#!/usr/bin/env bash
# Runs the project's pinned `pulumi` with the project environment: `npm run pulumi -- <args>`.
set -euo pipefail
# shellcheck source=SCRIPTDIR/pulumi-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/pulumi-env.sh"
exec pulumi "$@"
