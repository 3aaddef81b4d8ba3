#!/usr/bin/env bash
# Installs the reference Codex app-server (@openai/codex@0.169.0, ~400 MB from the npm registry) once into a cache
# outside the checkout and prints the native binary's path on stdout. Reused when already there.
#   CODEX_REFERENCE_CACHE  where to install (default: ${XDG_CACHE_HOME:-~/.cache}/codex-app-server-ts/reference-0.169.0)
set -euo pipefail
version=0.169.0
dir="${CODEX_REFERENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codex-app-server-ts/reference-$version}"

find_bin() {
  { find "$dir/node_modules/@openai" -path '*/vendor/*/bin/codex' -type f 2>/dev/null || true; } | head -n 1
}

bin="$(find_bin)"
if [ -z "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "$version"; then
  echo "installing @openai/codex@$version into $dir (once; reused by later runs)" >&2
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "name": "codex-reference-cache", "private": true }' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --no-save "@openai/codex@$version" >&2
  bin="$(find_bin)"
fi
if [ -z "$bin" ]; then
  echo "@openai/codex@$version has no native binary for this platform under $dir" >&2
  exit 1
fi
echo "$bin"
