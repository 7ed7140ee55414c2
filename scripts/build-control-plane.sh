#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy, once per version,
# into a cache outside the work tree: ${EXTAPI_CACHE:-~/.cache/extapi}/control-plane/k8s-<v>-etcd-<v>/bin.
# Prints the bin directory on its last line. Safe to run concurrently (flock).
set -euo pipefail

K8S_VERSION="${EXTAPI_K8S_VERSION:-1.36.3}"
ETCD_VERSION="${EXTAPI_ETCD_VERSION:-3.6.16}"
CACHE_ROOT="${EXTAPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/extapi}"
OUT="$CACHE_ROOT/control-plane/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
BIN="$OUT/bin"

say() { echo "[control-plane] $*" >&2; }
die() { echo "[control-plane] error: $*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed; install Go >= 1.26 (https://go.dev/dl) and run again."
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ] && [ -x "$BIN/etcd" ]; then
  say "cached: $BIN"
  echo "$BIN"; exit 0
fi

minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
staging="v0.${K8S_VERSION#1.}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

build_k8s() {
  local mod="$OUT/k8s-module"
  mkdir -p "$mod" "$BIN"
  cd "$mod"
  say "resolving k8s.io/kubernetes@v$K8S_VERSION from the Go module proxy"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') \
    || die "could not download k8s.io/kubernetes@v$K8S_VERSION; is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  [ -f "$gomod" ] || die "the proxy gave no go.mod for k8s.io/kubernetes@v$K8S_VERSION"
  local gover; gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")
  rm -f go.mod go.sum
  cat > go.mod <<MOD
module extapi.local/k8stools

go $gover

require k8s.io/kubernetes v$K8S_VERSION
MOD
  # The staging replace list comes from the proxy's own copy of k/k's go.mod.
  local count=0
  for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"; count=$((count+1))
  done
  say "generated $count staging replace directives ($staging)"
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  say "go mod tidy (downloads dependencies)"
  go mod tidy >&2
  say "building kube-apiserver v$K8S_VERSION (cold: about 3-4 min on 2 cores)"
  local t0=$SECONDS
  go build -trimpath -ldflags "$ldflags" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  say "kube-apiserver built in $((SECONDS-t0)) s"
  t0=$SECONDS
  go build -trimpath -ldflags "$ldflags" -o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl >&2
  mv "$BIN/kubectl.tmp" "$BIN/kubectl"
  say "kubectl built in $((SECONDS-t0)) s"
}

# etcd is shared by every Kubernetes version: built once per etcd version, then copied into $BIN.
build_etcd() {
  local shared="$CACHE_ROOT/etcd/etcd-$ETCD_VERSION"
  mkdir -p "$shared/bin" "$BIN"
  exec 8>"$shared/.lock"
  flock 8
  if [ ! -x "$shared/bin/etcd" ]; then build_etcd_into "$shared"; fi
  cp "$shared/bin/etcd" "$BIN/etcd.tmp" && mv "$BIN/etcd.tmp" "$BIN/etcd"
  exec 8>&-
}

build_etcd_into() {
  local mod="$1/etcd-module" bin="$1/bin"
  mkdir -p "$mod"
  cd "$mod"
  rm -f go.mod go.sum
  cat > go.mod <<MOD
module extapi.local/etcdtools

go 1.24

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
MOD
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  say "go mod tidy for etcd v$ETCD_VERSION"
  go mod tidy >&2
  local t0=$SECONDS
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
  mv "$bin/etcd.tmp" "$bin/etcd"
  say "etcd built in $((SECONDS-t0)) s"
}

[ -x "$BIN/etcd" ] || build_etcd
{ [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ]; } || build_k8s
say "ready: $BIN"
echo "$BIN"
