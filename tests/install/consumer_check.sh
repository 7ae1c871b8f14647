#!/usr/bin/env bash
# Installs a configured build into a staging folder and builds a consumer with
# nothing but `pkg-config --cflags --libs uvscrape` pointed at it, then runs it.
set -euo pipefail
build=${1:?usage: consumer_check.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --destdir "$stage" --quiet
pcdir=$(dirname "$(find "$stage" -name uvscrape.pc | head -n 1)")
[ -f "$pcdir/uvscrape.pc" ] || { echo "consumer_check: uvscrape.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage"
# Installed headers are the public face only: none reaches into the sources.
incdir=$(pkg-config --variable=includedir uvscrape)/uvscrape
if grep -n '#include "\(common\|driver\|scraper\|http\|net\|url\|html\|robots\)/' "$incdir"/*.hpp; then
  echo "consumer_check: an installed header includes an internal one" >&2
  exit 1
fi
flags=$(pkg-config --cflags --libs uvscrape)
libdir=$(pkg-config --variable=libdir uvscrape)  # sysroot-prefixed by pkg-config
# shellcheck disable=SC2086
g++ -std=c++20 -Wall -Wextra -Werror "$root/tests/install/consumer.cpp" -o "$stage/consumer" $flags
LD_LIBRARY_PATH="$libdir" "$stage/consumer"
# Static linking works too, with the private libraries pkg-config lists.
# shellcheck disable=SC2086
g++ -std=c++20 "$root/tests/install/consumer.cpp" -o "$stage/consumer-static" \
  $(pkg-config --cflags uvscrape) "$libdir/libuvscrape.a" $(pkg-config --libs --static uvscrape | sed 's/-luvscrape//')
"$stage/consumer-static"
echo "consumer_check: shared and static consumers built from the installed files and ran"

# As a Meson subproject of a downstream project.
sub="$stage/subproject-consumer"
mkdir -p "$sub/subprojects"
cp "$root/tests/install/subproject_consumer/meson.build" "$root/tests/install/consumer.cpp" "$sub/"
ln -s "$root" "$sub/subprojects/uvscrape"
# uvscrape's own subproject (llhttp) is promoted to the top level, as Meson requires.
ln -s "$root/subprojects/llhttp" "$sub/subprojects/llhttp"
meson setup "$sub/build" "$sub" >"$stage/subproject-setup.log" 2>&1 \
  || { cat "$stage/subproject-setup.log" >&2; exit 1; }
ninja -C "$sub/build" >"$stage/subproject-build.log" 2>&1 \
  || { tail -n 30 "$stage/subproject-build.log" >&2; exit 1; }
"$sub/build/consumer"
echo "consumer_check: consumer built with uvscrape as a Meson subproject and ran"
