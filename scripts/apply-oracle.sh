#!/usr/bin/env bash
# The full apply oracle run: N seeded sequences (default 2000) of applies, updates and patches on a
# CRD on the real kube-apiserver and on extapi, compared step by step (see test/apply-oracle/).
#   scripts/apply-oracle.sh [sequences] [first-seed]
set -euo pipefail
cd "$(dirname "$0")/.."
export APPLY_ORACLE_SEQUENCES="${1:-2000}" APPLY_ORACLE_FIRST_SEED="${2:-1}"
bash scripts/build-control-plane.sh >/dev/null
exec npx tsx src/testing/cluster-cli.ts exec -- node --import tsx --test --test-reporter=spec test/apply-oracle/apply-oracle.e2e.test.ts
