#!/usr/bin/env bash
# The one test command: installs what the tests need (Debian and npm packages, the guest image) and runs
# every tier: lint, unit and integration tests (node:test), real initiators (libiscsi), and the QEMU guest tier
# (dist/test/e2e/e2e.test.js, picked up by the same node --test run; VTL_SKIP_E2E=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm run build --silent
npm run lint --silent
if [ "${VTL_SKIP_E2E:-}" != 1 ]; then
  # Built (or found in the cache, keyed by a stamp) before the test run so its minute is not a test's timeout.
  bash scripts/guest/build-guest.sh >/dev/null
fi
# One PostgreSQL for every suite that needs it (the catalog contract, the cluster tests); stopped on exit.
pg_env=$(bash scripts/services/postgres.sh start) # an assignment, so that a failed start stops the run here
eval "$pg_env"
trap 'bash scripts/services/postgres.sh stop "$VTL_TEST_PG_DIR"' EXIT
node --test --test-concurrency=2 dist/src dist/test
