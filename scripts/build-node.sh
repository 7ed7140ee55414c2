#!/usr/bin/env bash
# Builds what a test node runs, from the Go module proxy, once per version, into a cache outside
# the work tree: ${EXTAPI_CACHE:-~/.cache/extapi}/node/<versions>/bin
#   runc (cgo, seccomp), containerd + ctr + containerd-shim-runc-v2, the CNI plugins bridge,
#   host-local and loopback (containerd's CRI sets up each pod's lo with it; no portmap: no test
#   uses hostPort), and kubelet, kube-controller-manager, kube-scheduler, kube-proxy
#   from k8s.io/kubernetes at the control plane's version (the same wrapper module as
#   build-control-plane.sh: require k8s.io/kubernetes, staging modules replaced by their
#   published versions), and upstream's pause (build/pause/linux/pause.c of that module, gcc -static)
#   for the pod sandbox image.
# Installs its Debian build dependencies first (scripts/setup-node-host.sh).
# Prints the bin directory on its last line. Safe to run concurrently (flock).
set -euo pipefail

K8S_VERSION="${EXTAPI_K8S_VERSION:-1.36.3}"
RUNC_VERSION="${EXTAPI_RUNC_VERSION:-1.5.3}"
CONTAINERD_VERSION="${EXTAPI_CONTAINERD_VERSION:-2.4.2}"
CNI_VERSION="${EXTAPI_CNI_PLUGINS_VERSION:-1.10.0}"
CACHE_ROOT="${EXTAPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/extapi}"
OUT="$CACHE_ROOT/node/k8s-$K8S_VERSION-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-cni-$CNI_VERSION"
BIN="$OUT/bin"
HERE="$(cd "$(dirname "$0")" && pwd)"

say() { echo "[node] $*" >&2; }
die() { echo "[node] error: $*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed; install Go >= 1.26 (https://go.dev/dl) and run again."
bash "$HERE/setup-node-host.sh"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

K8S_TOOLS=(kubelet kube-controller-manager kube-scheduler kube-proxy)
OTHER_TOOLS=(runc containerd ctr containerd-shim-runc-v2 bridge host-local loopback pause)

mkdir -p "$OUT" "$BIN"
exec 9>"$OUT/.lock"
flock 9

have_all() { local t; for t in "$@"; do [ -x "$BIN/$t" ] || return 1; done; }
if have_all "${K8S_TOOLS[@]}" "${OTHER_TOOLS[@]}"; then
  say "cached: $BIN"
  echo "$BIN"; exit 0
fi

# go_build_in <module dir> <module@version> <output name> <package> [go build args...]
# builds <package> inside a wrapper module that requires <module@version>.
go_build_in() {
  local dir="$1" req="$2" name="$3" pkg="$4"; shift 4
  mkdir -p "$dir"; cd "$dir"
  if [ ! -f go.mod ]; then
    printf 'module extapi.local/%s\n\ngo 1.24\n\nrequire %s %s\n' "$(basename "$dir")" "${req%@*}" "${req#*@}" > go.mod
  fi
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "tools-$name.go"
  go mod tidy >&2
  local t0=$SECONDS
  go build -trimpath "$@" -o "$BIN/$name.tmp" "$pkg" >&2
  mv "$BIN/$name.tmp" "$BIN/$name"
  say "$name built in $((SECONDS-t0)) s"
}

build_runc() {
  say "building runc v$RUNC_VERSION (cgo, seccomp)"
  CGO_ENABLED=1 go_build_in "$OUT/runc-module" "github.com/opencontainers/runc@v$RUNC_VERSION" runc \
    github.com/opencontainers/runc -tags seccomp -ldflags "-s -w -X main.version=$RUNC_VERSION"
}

build_cni() {
  local p
  for p in bridge host-local loopback; do
    local pkg="github.com/containernetworking/plugins/plugins/main/$p"
    [ "$p" = host-local ] && pkg="github.com/containernetworking/plugins/plugins/ipam/host-local"
    [ -x "$BIN/$p" ] || go_build_in "$OUT/cni-module" "github.com/containernetworking/plugins@v$CNI_VERSION" "$p" "$pkg" -ldflags "-s -w"
  done
}

build_containerd() {
  local m=github.com/containerd/containerd/v2 v="-X github.com/containerd/containerd/v2/version.Version=v$CONTAINERD_VERSION"
  say "building containerd v$CONTAINERD_VERSION (cold: about 2-3 min on 2 cores)"
  [ -x "$BIN/containerd" ] || go_build_in "$OUT/containerd-module" "$m@v$CONTAINERD_VERSION" containerd "$m/cmd/containerd" \
    -tags "no_btrfs no_devmapper no_zfs urfave_cli_no_docs" -ldflags "-s -w $v"
  [ -x "$BIN/ctr" ] || go_build_in "$OUT/containerd-module" "$m@v$CONTAINERD_VERSION" ctr "$m/cmd/ctr" \
    -tags "no_btrfs no_devmapper no_zfs urfave_cli_no_docs" -ldflags "-s -w $v"
  [ -x "$BIN/containerd-shim-runc-v2" ] || go_build_in "$OUT/containerd-module" "$m@v$CONTAINERD_VERSION" containerd-shim-runc-v2 "$m/cmd/containerd-shim-runc-v2" \
    -tags "no_grpc" -ldflags "-s -w $v"
}

build_k8s() {
  local mod="$OUT/k8s-module"
  mkdir -p "$mod"; cd "$mod"
  local minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#1.}" ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  say "resolving k8s.io/kubernetes@v$K8S_VERSION from the Go module proxy"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') \
    || die "could not download k8s.io/kubernetes@v$K8S_VERSION; is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  [ -f "$gomod" ] || die "the proxy gave no go.mod for k8s.io/kubernetes@v$K8S_VERSION"
  local gover; gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")
  rm -f go.mod go.sum
  printf 'module extapi.local/k8snode\n\ngo %s\n\nrequire k8s.io/kubernetes v%s\n' "$gover" "$K8S_VERSION" > go.mod
  # The staging replace list comes from the proxy's own copy of k/k's go.mod (as in build-control-plane.sh).
  local m
  for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for t in "${K8S_TOOLS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$t"; done
    printf ')\n'
  } > tools.go
  go mod tidy >&2
  local t
  for t in "${K8S_TOOLS[@]}"; do
    [ -x "$BIN/$t" ] && continue
    say "building $t v$K8S_VERSION"
    local t0=$SECONDS
    go build -trimpath -ldflags "$ldflags" -o "$BIN/$t.tmp" "k8s.io/kubernetes/cmd/$t" >&2
    mv "$BIN/$t.tmp" "$BIN/$t"
    say "$t built in $((SECONDS-t0)) s"
  done
}

build_pause() {
  local dir; dir=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -f "$dir/build/pause/linux/pause.c" ] || die "no build/pause/linux/pause.c in k8s.io/kubernetes@v$K8S_VERSION"
  say "building pause (upstream pause.c, static)"
  gcc -Os -Wall -Werror -static -DVERSION="v$K8S_VERSION-extapi" -o "$BIN/pause.tmp" "$dir/build/pause/linux/pause.c" >&2
  strip "$BIN/pause.tmp"
  mv "$BIN/pause.tmp" "$BIN/pause"
}

[ -x "$BIN/runc" ] || build_runc
[ -x "$BIN/pause" ] || build_pause
have_all bridge host-local loopback || build_cni
have_all containerd ctr containerd-shim-runc-v2 || build_containerd
have_all "${K8S_TOOLS[@]}" || build_k8s
say "ready: $BIN"
echo "$BIN"
