#!/usr/bin/env bash
# Builds the Go reference server, k8s.io/sample-apiserver, from the Go module proxy, once per
# version, into a cache outside the work tree:
#   ${EXTAPI_CACHE:-~/.cache/extapi}/sample-apiserver/v<version>/bin/sample-apiserver
# The version follows the control plane (kube-apiserver 1.36.3 -> sample-apiserver v0.36.3).
# Prints the bin directory on its last line. Safe to run concurrently (flock).
# Used by the parity suite (test/parity/) and the benchmarks (bench/).
set -euo pipefail

K8S_VERSION="${EXTAPI_K8S_VERSION:-1.36.3}"
SAMPLE_VERSION="${EXTAPI_SAMPLE_APISERVER_VERSION:-v0.${K8S_VERSION#1.}}"
CACHE_ROOT="${EXTAPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/extapi}"
OUT="$CACHE_ROOT/sample-apiserver/$SAMPLE_VERSION"
BIN="$OUT/bin"

say() { echo "[sample-apiserver] $*" >&2; }
die() { echo "[sample-apiserver] error: $*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed; install Go >= 1.26 (https://go.dev/dl) and run again, or set EXTAPI_SAMPLE_APISERVER_BIN to a directory holding sample-apiserver."
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

if [ -x "$BIN/sample-apiserver" ]; then
  say "cached: $BIN"
  echo "$BIN"; exit 0
fi

minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

mod="$OUT/module"
mkdir -p "$mod" "$BIN"
cd "$mod"
say "resolving k8s.io/sample-apiserver@$SAMPLE_VERSION from the Go module proxy"
gomod=$(go mod download -json "k8s.io/sample-apiserver@$SAMPLE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') \
  || die "could not download k8s.io/sample-apiserver@$SAMPLE_VERSION; is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
[ -f "$gomod" ] || die "the proxy gave no go.mod for k8s.io/sample-apiserver@$SAMPLE_VERSION"
gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")
rm -f go.mod go.sum
cat > go.mod <<MOD
module extapi.local/sampletools

go $gover

require k8s.io/sample-apiserver $SAMPLE_VERSION
MOD
# A published staging module requires its sibling staging modules at real versions, so no replace
# is needed. Should its go.mod ever carry "=> ../<module>" replaces (as in the k/k tree), pin each
# to the same published version, generated from the proxy's go.mod as build-control-plane.sh does.
count=0
for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => \.\./.*|\1|p' "$gomod"); do
  go mod edit -replace="$m=$m@$SAMPLE_VERSION"; count=$((count+1))
done
say "generated $count staging replace directives"
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/sample-apiserver"
GO
say "go mod tidy (downloads dependencies)"
go mod tidy >&2
say "building sample-apiserver $SAMPLE_VERSION (cold: about 1-2 min on 2 cores)"
t0=$SECONDS
go build -trimpath -ldflags "$ldflags" -o "$BIN/sample-apiserver.tmp" k8s.io/sample-apiserver >&2
mv "$BIN/sample-apiserver.tmp" "$BIN/sample-apiserver"
say "sample-apiserver built in $((SECONDS-t0)) s"
say "ready: $BIN"
echo "$BIN"
