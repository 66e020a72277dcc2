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
# Heavy services start once per run and are shared by every suite that needs them; one trap stops them all.
ceph_dir=$(mktemp -d /tmp/vtl-ceph-XXXXXX)
tgt_dir=$(mktemp -d)
VTL_TEST_PG_DIR=
trap 'bash scripts/services/ceph.sh stop "$ceph_dir"; bash scripts/services/tgt-library.sh stop "$tgt_dir"; rm -rf "$tgt_dir"; [ -z "$VTL_TEST_PG_DIR" ] || bash scripts/services/postgres.sh stop "$VTL_TEST_PG_DIR"' EXIT
# One Ceph with radosgw for every suite that needs an S3 store (they read VTL_TEST_S3_*).
eval "$(bash scripts/services/ceph.sh start "$ceph_dir")"
# Debian's tgt as the physical tape library of test/physical (issue 15).
eval "$(bash scripts/services/tgt-library.sh start "$tgt_dir" | sed 's/^/export /')"
# One PostgreSQL for the catalog contract and the cluster tests (VTL_TEST_PG_URL).
pg_env=$(bash scripts/services/postgres.sh start) # an assignment, so that a failed start stops the run here
eval "$pg_env"
node --test --test-concurrency=2 dist/src dist/test
