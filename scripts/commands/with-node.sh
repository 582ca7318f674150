#!/usr/bin/env bash
# scripts/commands/with-node.sh <command> [args...]: runs a command on the project's Node.js with
# the locked dependencies installed (scripts/env/node-env.sh). npm scripts start with it, so
# `npm test` and the others run on that Node.js whichever one started npm.
set -euo pipefail
# shellcheck source=../env/node-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env/node-env.sh"
exec "$@"
