#!/usr/bin/env bash
# Installs the Debian packages a test node needs (a C compiler and runc's seccomp support at build time,
# the ip tool for the bridge and routes, nft for kube-proxy's nftables mode).
# Idempotent and fast when everything is present; must run as root (as in CI).
set -euo pipefail

say() { echo "[node-host] $*" >&2; }
die() { echo "[node-host] error: $*" >&2; exit 1; }

# package -> a file it installs (checked instead of asking dpkg, so the fast path is a stat)
declare -A probe=(
  [gcc]=/usr/bin/gcc
  [libc6-dev]=/usr/include/stdio.h
  [libseccomp-dev]=/usr/include/seccomp.h
  [pkg-config]=/usr/bin/pkg-config
  [iproute2]=/usr/sbin/ip
  [nftables]=/usr/sbin/nft
)
missing=()
for pkg in "${!probe[@]}"; do [ -e "${probe[$pkg]}" ] || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing Debian packages ${missing[*]}; run this script as root (it uses apt-get)."
command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get here; install them with your package manager."
exec 9>/var/lock/extapi-node-host.lock
flock 9
say "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
  || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; } \
  || die "apt-get could not install ${missing[*]}"
