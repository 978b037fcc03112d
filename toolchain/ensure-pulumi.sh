#!/usr/bin/env bash
# Make `.tools/bin/pulumi` point at a Pulumi CLI that satisfies toolchain/versions.env.
#
# Order of preference:
#   1. a `pulumi` already on PATH (installed the normal way) whose version is >= the pin
#      (same major): users with the CLI never need Go;
#   2. a cached build of the pinned release in ${XDG_CACHE_HOME:-~/.cache}/zerotrust-iac;
#   3. a build from the Go module proxy (toolchain/pulumi-build): the CLI at the pinned
#      release, our Python language host on the same SDK release, and the two launcher
#      scripts that ship in the SDK module (pulumi-language-python-exec,
#      pulumi-resource-pulumi-python).
# Only `pulumi` is linked into .tools/bin: the CLI looks for its bundled language host and
# dynamic-provider shim next to the resolved executable, so they never shadow anything on PATH.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
. "$root/toolchain/versions.env"
want="v${PULUMI_VERSION}"
bin="$root/.tools/bin"
mkdir -p "$bin"

say() { printf 'toolchain: %s\n' "$*" >&2; }

# version_ge A B: true when semver A >= B (both without the leading v).
version_ge() {
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

link() {
  ln -sfn "$1" "$bin/pulumi"
  say "using $("$bin/pulumi" version) at $1"
}

# 1. A CLI on PATH (not our own link).
if [ "${ZT_IGNORE_PATH_PULUMI:-}" != "1" ]; then
  ambient="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin" | paste -sd:)" command -v pulumi || true)"
  if [ -n "$ambient" ]; then
    have="$("$ambient" version 2>/dev/null || true)"
    have="${have#v}"
    if [ -n "$have" ] && [ "${have%%.*}" = "${PULUMI_VERSION%%.*}" ] && version_ge "$have" "$PULUMI_VERSION"; then
      link "$ambient"
      exit 0
    fi
    say "ignoring pulumi on PATH ($ambient, version '${have:-unknown}'): need >= $want"
  fi
fi

# 2. A cached build of exactly this toolchain (keyed by the pin and the build inputs).
build_dir="$root/toolchain/pulumi-build"
key="$(cat "$build_dir/go.mod" "$build_dir/go.sum" "$build_dir"/cmd/pulumi-language-python/*.go | sha256sum | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/zerotrust-iac/pulumi-${want}-${key}"
if [ -x "$cache/pulumi" ] && [ "$("$cache/pulumi" version 2>/dev/null)" = "$want" ]; then
  link "$cache/pulumi"
  exit 0
fi

# 3. Build from the Go module proxy.
if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<EOF
toolchain: cannot provide the Pulumi CLI.
  Neither a 'pulumi' >= $want on PATH nor a Go toolchain was found.
  Fix one of:
    - install the Pulumi CLI (version >= $want) so that 'pulumi' is on PATH, or
    - install Go >= 1.21 (Go fetches the 1.26 toolchain the build needs) and re-run 'make setup'.
EOF
  exit 2
fi

say "building Pulumi $want from the Go module proxy (first run only; a few minutes on 2 cores)"
start=$(date +%s)
tmp="$cache.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${want}"
(
  cd "$build_dir"
  # -mod=readonly: go.mod/go.sum are the pins; a build never rewrites them.
  go build -mod=readonly -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
    -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go build -mod=readonly -trimpath -ldflags "$ldflags" \
    -o "$tmp/pulumi-language-python" ./cmd/pulumi-language-python
  sdk="$(go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  cp "$sdk/python/cmd/pulumi-language-python-exec" "$tmp/"
  cp "$sdk/python/dist/pulumi-resource-pulumi-python" "$tmp/"
)
# Module-cache files are read-only; the dynamic-provider shim must be executable.
chmod u+w,a+x "$tmp"/*
got="$("$tmp/pulumi" version)"
if [ "$got" != "$want" ]; then
  say "built CLI reports '$got', expected '$want'"
  exit 1
fi
rm -rf "$cache"
mv "$tmp" "$cache"
say "built in $(( $(date +%s) - start ))s, $(du -sh "$cache" | cut -f1) in $cache"
link "$cache/pulumi"
