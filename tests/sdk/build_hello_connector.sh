#!/usr/bin/env bash
# The SDK works out of tree: install sluice, build examples/hello_connector against the installed
# package only, and check the worker's loader accepts the result.
set -euo pipefail
build="$1"
source="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$source/examples/hello_connector" -B "$tmp/hello" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/hello" >/dev/null
plugin="$tmp/hello/plugins/libhello-connector.so"
test -f "$plugin"
nm -D --defined-only "$plugin" | grep -q ' sluice_plugin_entry$'
# The installed tree must not need the build tree: headers and library come from the prefix.
test -f "$tmp/prefix/include/sluice/plugin.h"
ls "$tmp/prefix"/lib*/libsluice-api.so* >/dev/null
echo "hello connector built against the installed SDK: $plugin"
