#!/usr/bin/env bash
# The test command (`npm test`): type check, lint, then every test file in ONE node:test run,
# wrapped by `cluster-cli exec` so that all e2e files share one real control plane
# (etcd + kube-apiserver built from the Go module proxy, cached outside the work tree).
#   scripts/test.sh          everything, then the aggregation e2e on the oldest and newest supported Kubernetes
#   scripts/test.sh unit     unit and in-process tests only (no control plane)
#   scripts/test.sh e2e      end-to-end tests only
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"

echo "== type check"
npx tsc --noEmit -p .
echo "== lint"
npx eslint --max-warnings=0 .

mapfile -t unit < <(find src examples bench -name '*.test.ts' -not -path '*/node_modules/*' | sort)
mapfile -t e2e < <(find test -name '*.test.ts' | sort)
runner=(node --import tsx --test --test-concurrency=1 --test-reporter=spec)

case "$mode" in
  unit) exec "${runner[@]}" "${unit[@]}" ;;
  e2e) files=("${e2e[@]}") ;;
  all) files=("${unit[@]}" "${e2e[@]}") ;;
  *) echo "usage: scripts/test.sh [all|unit|e2e]" >&2; exit 2 ;;
esac
echo "== binaries (built once from the Go module proxy, cached by version outside the work tree)"
bash scripts/build-control-plane.sh >/dev/null
bash scripts/build-sample-apiserver.sh >/dev/null
bash scripts/build-node.sh >/dev/null     # test/node/: runc, containerd, CNI, kubelet, ... (root: also apt-get)
echo "== tests (${#files[@]} files; control plane shared across e2e files)"
status=0
npx tsx src/testing/cluster-cli.ts exec -- "${runner[@]}" "${files[@]}" || status=$?
if [ "$mode" = all ]; then
  echo "== the oldest and the newest supported Kubernetes (scripts/test-matrix.sh --ci)"
  bash scripts/test-matrix.sh --ci || status=1
fi
exit $status
