#!/usr/bin/env bash
# Installs the Debian 12 packages uvscrape needs to build, test and run.
# Idempotent: packages already present are not touched, and apt-get update runs
# only when something is missing. Uses sudo when not root.
set -euo pipefail

packages=(
  build-essential g++ clang meson ninja-build pkg-config   # toolchain
  libclang-rt-14-dev                                       # libFuzzer and the sanitizer runtimes
  libuv1-dev node-llhttp libmbedtls-dev libc-ares-dev      # event loop, HTTP parser, TLS, DNS
  libidn2-dev libunistring-dev libxml2-dev nlohmann-json3-dev  # IDNA hosts (static: unistring), HTML/XPath, JSON
  zlib1g-dev libbrotli-dev ca-certificates                 # Content-Encoding, CA bundle
  libpsl-dev publicsuffix                                  # the cookie jar's public suffixes
  libsqlite3-dev libzstd-dev                               # the run store, its stored responses
  nettle-dev                                               # SHA-256 (dedup fingerprints, archived files)
  libhiredis-dev redis-server                              # the run store on Redis (and its tests)
  libgtest-dev libgmock-dev libbenchmark-dev               # tests and micro-benchmarks
  nginx openssl curl python3                         # integration tests and benchmarks
  tinyproxy                                                # a real HTTP proxy for the proxy tests
  valgrind                                                 # callgrind figures
  chromium                                                 # the dashboard tested in a real (headless) browser
)
# Extra packages can be asked for: install-deps.sh [more packages...]
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "install-deps: apt-get update failed (network or sources.list?)" >&2; exit 1; }
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/uvscrape-apt.log 2>&1; then
  # Tell which package failed, and why, before giving up.
  for p in "${missing[@]}"; do
    if ! $SUDO apt-get install -y -qq --no-install-recommends "$p" >/tmp/uvscrape-apt-one.log 2>&1; then
      echo "install-deps: package '$p' failed to install:" >&2
      tail -n 5 /tmp/uvscrape-apt-one.log >&2
    fi
  done
  exit 1
fi
# Debian's nginx package starts a system nginx on port 80; our tests start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  $SUDO systemctl stop nginx || true
fi
echo "install-deps: done"
