#!/usr/bin/env bash
# The one test command: installs what the tests need (Debian and npm packages, the guest image) and runs
# every tier: lint, unit and integration tests (node:test), real initiators (libiscsi), and the QEMU guest tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm run build --silent
npm run lint --silent
node --test --test-concurrency=2 dist/src dist/test
