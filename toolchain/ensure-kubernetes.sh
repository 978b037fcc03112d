#!/usr/bin/env bash
# Provide the Kubernetes half of the toolchain, built from the Go module proxy and cached:
#   .tools/bin/kube-apiserver, .tools/bin/etcd, .tools/bin/kubectl   (tests and the demo)
#   the pulumi-resource-kubernetes plugin, installed into $PULUMI_HOME at exactly the version the
#   pinned pulumi-kubernetes Python SDK asks for (the engine only accepts an exact match).
#
# Pins: toolchain/versions.env (KUBERNETES_VERSION, ETCD_VERSION, PULUMI_KUBERNETES_*), and the
# two wrapper modules in toolchain/kubernetes-build/ whose go.mod/go.sum hold the full graph.
# Builds land in ${XDG_CACHE_HOME:-~/.cache}/zerotrust-iac/<name>-<version>-<hash of build inputs>,
# so a second run (or a second checkout) only relinks and is done in a few seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
. "$root/toolchain/versions.env"
bin="$root/.tools/bin"
build="$root/toolchain/kubernetes-build"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/zerotrust-iac"
export PULUMI_HOME="${PULUMI_HOME:-$root/.tools/pulumi-home}"
mkdir -p "$bin" "$cache_root"

say() { printf 'toolchain: %s\n' "$*" >&2; }
fail() { say "$*"; exit 2; }

# The pins must agree with each other; a silent mismatch would build one thing and test another.
pin_in() { # pin_in FILE STRING WHAT
  grep -qF -- "$2" "$1" || fail "$3: '$2' not found in ${1#"$root"/} (toolchain/versions.env and it must agree)"
}
pin_in "$build/cluster/go.mod" "k8s.io/kubernetes v${KUBERNETES_VERSION}" "KUBERNETES_VERSION"
pin_in "$build/cluster/go.mod" "go.etcd.io/etcd/server/v3 v${ETCD_VERSION}" "ETCD_VERSION"
pin_in "$build/plugin/go.mod" "provider/v4 ${PULUMI_KUBERNETES_PROVIDER_MODULE}" "PULUMI_KUBERNETES_PROVIDER_MODULE"
pin_in "$build/plugin/go.mod" "sdk/v4 v${PULUMI_KUBERNETES_VERSION}" "PULUMI_KUBERNETES_VERSION"
pin_in "$root/requirements.txt" "pulumi-kubernetes==${PULUMI_KUBERNETES_VERSION}" "PULUMI_KUBERNETES_VERSION"

need_go() {
  command -v go >/dev/null 2>&1 && return 0
  cat >&2 <<EOF
toolchain: cannot build the Kubernetes tools: no Go toolchain on PATH.
  Install Go >= 1.24 (the wrapper modules need it; Go fetches a newer toolchain itself if asked)
  and re-run 'make kubernetes'. Nothing else is needed: everything comes from the Go module proxy.
EOF
  exit 2
}

key_of() { cat "$@" | sha256sum | cut -c1-12; }

# --- 1. kube-apiserver, etcd, kubectl (one wrapper module, one consistent dependency graph) ------
# Keyed by what the build reads: the wrapper's go.mod/go.sum and the pins stamped into the binaries
# (not the whole versions.env, so an unrelated pin never triggers a rebuild).
cluster_key="$(key_of "$build/cluster/go.mod" "$build/cluster/go.sum" <(echo "$KUBERNETES_VERSION $ETCD_VERSION"))"
cluster_cache="$cache_root/kubernetes-v${KUBERNETES_VERSION}-${cluster_key}"
k8s_version="v${KUBERNETES_VERSION}"
cluster_ok() { # (captured, not piped into grep -q: with pipefail an early-closing grep fails the check)
  [ -x "$cluster_cache/kube-apiserver" ] && [ -x "$cluster_cache/etcd" ] && [ -x "$cluster_cache/kubectl" ] || return 1
  [ "$("$cluster_cache/kube-apiserver" --version 2>/dev/null)" = "Kubernetes ${k8s_version}" ] || return 1
  [[ "$("$cluster_cache/etcd" --version 2>/dev/null)" == *"etcd Version: ${ETCD_VERSION}"* ]]
}
if ! cluster_ok; then
  need_go
  say "building kube-apiserver ${k8s_version}, kubectl and etcd ${ETCD_VERSION} from the Go module proxy"
  say "(first run only: 10-25 minutes on 2 cores; ~1.6 GB of Go modules, ~7 GB of Go build cache)"
  start=$(date +%s)
  tmp="$cluster_cache.partial"
  rm -rf "$tmp" && mkdir -p "$tmp"
  minor="${KUBERNETES_VERSION#*.}"
  minor="${minor%%.*}"
  # The same version stamps hack/lib/version.sh sets: clients (pulumi-kubernetes, kubectl) read
  # the server's /version, and an unstamped build reports v0.0.0-master.
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=${k8s_version} -X $pkg.gitMajor=${KUBERNETES_VERSION%%.*}"
    ldflags+=" -X $pkg.gitMinor=${minor} -X $pkg.gitTreeState=clean"
  done
  (
    cd "$build/cluster"
    export CGO_ENABLED=0
    go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
    go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/kubectl" k8s.io/kubernetes/cmd/kubectl
    go build -mod=readonly -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$cluster_cache" && mv "$tmp" "$cluster_cache"
  cluster_ok || fail "built binaries in $cluster_cache do not report ${k8s_version} / etcd ${ETCD_VERSION}"
  say "built in $(($(date +%s) - start))s, $(du -sh "$cluster_cache" | cut -f1) in $cluster_cache"
fi
for tool in kube-apiserver etcd kubectl; do
  ln -sfn "$cluster_cache/$tool" "$bin/$tool"
done
say "using kube-apiserver ${k8s_version}, etcd ${ETCD_VERSION} and kubectl from $cluster_cache"

# --- 2. pulumi-resource-kubernetes ----------------------------------------------------------------
# The provider module has no release tags (only the v4.25.0 commit's pseudo-version is served) and
# its main package embeds two generated, git-ignored files that are missing from the module zip.
# So: copy that one package next to our wrapper module (which pins the whole graph), generate the
# embeds with the provider's own generator, and build it there.
plugin_version="${PULUMI_KUBERNETES_VERSION}"
plugin_key="$(key_of "$build/plugin/go.mod" "$build/plugin/go.sum" "$build/plugin/tools.go" <(echo "$plugin_version"))"
plugin_cache="$cache_root/pulumi-resource-kubernetes-v${plugin_version}-${plugin_key}"
plugin_bin="$plugin_cache/pulumi-resource-kubernetes"
if [ ! -x "$plugin_bin" ]; then
  need_go
  say "building pulumi-resource-kubernetes v${plugin_version} from the Go module proxy (first run only)"
  start=$(date +%s)
  tmp="$plugin_cache.partial"
  rm -rf "$tmp" && mkdir -p "$tmp/src/cmd/pulumi-resource-kubernetes"
  cp "$build/plugin/go.mod" "$build/plugin/go.sum" "$build/plugin/tools.go" "$tmp/src/"
  (
    cd "$tmp/src"
    provider_dir="$(go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
    [ -n "$provider_dir" ] || { go mod download github.com/pulumi/pulumi-kubernetes/provider/v4 &&
      provider_dir="$(go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"; }
    main="$provider_dir/cmd/pulumi-resource-kubernetes"
    cp "$main/main.go" "$main/generate.go" "$main/schema.json" "$main/terraform-mapping.json" \
      cmd/pulumi-resource-kubernetes/
    chmod -R u+w .  # module-cache files are read-only
    (cd cmd/pulumi-resource-kubernetes && VERSION="$plugin_version" go run -mod=readonly generate.go)
    CGO_ENABLED=0 go build -mod=readonly -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=v${plugin_version}" \
      -o "$tmp/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  )
  rm -rf "$tmp/src"
  rm -rf "$plugin_cache" && mv "$tmp" "$plugin_cache"
  say "built in $(($(date +%s) - start))s, $(du -sh "$plugin_cache" | cut -f1) in $plugin_cache"
fi

# Install into the plugin cache under the exact version the SDK requests (pulumi-plugin.json).
sdk_version="$("$root/.venv/bin/python" -c 'import json, importlib.resources as r; print(json.loads((r.files("pulumi_kubernetes") / "pulumi-plugin.json").read_text())["version"])' 2>/dev/null || true)"
if [ -n "$sdk_version" ] && [ "$sdk_version" != "$plugin_version" ]; then
  fail "the installed pulumi_kubernetes SDK asks for plugin $sdk_version, but versions.env pins $plugin_version: run 'make venv'"
fi
installed="$PULUMI_HOME/plugins/resource-kubernetes-v${plugin_version}/pulumi-resource-kubernetes"
if ! cmp -s "$installed" "$plugin_bin"; then
  [ -x "$bin/pulumi" ] || fail "$bin/pulumi is missing: run 'make pulumi' first (it installs the plugin)"
  "$bin/pulumi" plugin install resource kubernetes "$plugin_version" --file "$plugin_bin" --reinstall >/dev/null
fi
say "using pulumi-resource-kubernetes v${plugin_version} from $PULUMI_HOME/plugins"
