#!/usr/bin/env bash
# npm run bench [-- --quick] : installs what the benchmark needs, builds the native client, runs bench/bench.ts.
# Options after --: --quick, --reps N, --targets vtl,tgt, --profile (node --cpu-prof on vtl), --skip-locate.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in libiscsi-dev tgt gcc; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
if [ "$(id -u)" != 0 ]; then
  echo "bench: tgtd needs root (its control socket lives in /var/run/tgtd); run as root or pass --targets vtl" >&2
fi

mkdir -p bench/out
gcc -O2 -Wall -Wextra -pthread -o bench/out/tape-bench bench/tape-bench.c -liscsi
node --import tsx bench/bench.ts "$@"
# The S3 backend beside the local one (starts its own Ceph; --quick and --reps pass through).
s3_args=()
for arg in "$@"; do case "$arg" in --quick) s3_args+=(--quick) ;; esac; done
node --import tsx bench/s3-stream.ts "${s3_args[@]}"
# Staging to a physical library (issue 15): vtl's copy to tgt next to the native client writing to tgt directly.
quick=""
for a in "$@"; do [ "$a" = --quick ] && quick=--quick; done
exec node --import tsx bench/copy-bench.ts $quick
