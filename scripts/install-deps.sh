#!/usr/bin/env bash
# Installs the Debian packages that building and testing foud need.
# Idempotent: asks apt only for what is missing.
set -eu
pkgs=(build-essential clang libcmocka-dev iproute2 iputils-ping iperf3 valgrind socat jq curl
      python3 ethtool tcpdump tshark nftables procps psmisc kmod cpio
      qemu-system-x86 busybox-static libbpf-dev libelf-dev zlib1g-dev bpftool libsystemd-dev systemd
      dpkg-dev pkg-config lintian libjansson-dev libmicrohttpd-dev prometheus
      libcurl4-openssl-dev libssl-dev etcd-server etcd-client openssl conntrack strace)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
