#!/usr/bin/env bash
# `npm run test:matrix`: the aggregation e2e, `deploy --external` + step 15 and the wardle
# aggregated e2e against each supported Kubernetes version (one control plane per version,
# binaries built once per version from the Go module proxy and cached in ~/.cache/extapi).
#   scripts/test-matrix.sh                 1.34.4 1.35.4 1.36.3 1.37.2
#   scripts/test-matrix.sh 1.34.4 1.37.2   only these
#   scripts/test-matrix.sh --ci            what `npm test` adds: the aggregation e2e on the oldest and
#                                          the newest (the default version runs every test)
# Cost per version: cold build ~3-4 min of 2 idle cores (kube-apiserver + kubectl; etcd is
# shared by all versions), warm ~0 s; the tests ~1-2 min.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(test/e2e/control-plane.e2e.test.ts test/e2e/aggregation.e2e.test.ts test/e2e/cli-deploy.e2e.test.ts test/e2e/wardle-aggregated.e2e.test.ts)
if [ "${1:-}" = --ci ]; then
  versions=(1.34.4 1.37.2)
  files=(test/e2e/aggregation.e2e.test.ts)
else
  versions=("$@")
  [ ${#versions[@]} -gt 0 ] || versions=(1.34.4 1.35.4 1.36.3 1.37.2)
fi
results=()
status=0
for v in "${versions[@]}"; do
  echo "== Kubernetes $v: binaries"
  t0=$SECONDS
  EXTAPI_K8S_VERSION="$v" bash scripts/build-control-plane.sh >/dev/null
  echo "== Kubernetes $v: binaries ready in $((SECONDS-t0)) s"
  t0=$SECONDS
  echo "== Kubernetes $v: ${#files[@]} e2e files"
  if EXTAPI_K8S_VERSION="$v" npx tsx src/testing/cluster-cli.ts exec -- \
      node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"; then
    results+=("$v: pass ($((SECONDS-t0)) s)")
  else
    results+=("$v: FAIL ($((SECONDS-t0)) s)"); status=1
  fi
done
echo "== matrix"
printf '  %s\n' "${results[@]}"
exit $status
