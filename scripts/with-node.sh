#!/usr/bin/env bash
# scripts/with-node.sh <command> [args...]: runs a command on the project's Node.js with the locked
# dependencies installed (scripts/node-env.sh). npm scripts start with it, so `npm test` and the
# others run on that Node.js whichever one started npm.
set -euo pipefail
# shellcheck source=node-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
exec "$@"
