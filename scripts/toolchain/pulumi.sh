#!/usr/bin/env bash
# Provides the Pulumi CLI, its Node.js language host and the Kubernetes provider plugin at the
# versions pinned in package.json.
#
#   scripts/toolchain/pulumi.sh [ensure]   make sure everything is present; the last stdout line
#                                          is the absolute directory holding `pulumi` and
#                                          `pulumi-language-nodejs`
#   scripts/toolchain/pulumi.sh bin-dir    print that directory without building (exit 1 if missing)
#   scripts/toolchain/pulumi.sh yaml       make sure the Pulumi YAML language host is present (only
#                                          the examples/ consumer programs need it); the last stdout
#                                          line is the absolute directory holding `pulumi-language-yaml`
#
# A Pulumi CLI already on PATH (with pulumi-language-nodejs beside it) is used as it is, and the
# provider is installed the usual way (`pulumi plugin install`, which downloads). Otherwise, or with
# GO_DEMO_2_BUILD_TOOLCHAIN=1, everything is built from Go modules into the cache, by version
# ($CACHE_ROOT, scripts/lib.sh).
#
# package.json keys read:
#   .toolchain.pulumi                    CLI version (tag vX.Y.Z of github.com/pulumi/pulumi)
#   .toolchain.pulumiCommit              optional: commit of that tag, for proxies whose answers carry
#                                        no Origin.Hash (the language host module is never tagged)
#   .toolchain.pulumiLanguageNodejsSdk   optional fallback: an sdk/v3 version that still contained the
#                                        language host as a package (<= 3.68.0), used only when the
#                                        language host module at the CLI's commit cannot be fetched
#   .dependencies["@pulumi/kubernetes"]  provider version (exact)
#   .toolchain.pulumiKubernetesCommit    commit of the provider's root tag vX.Y.Z, or a full
#                                        pseudo-version of github.com/pulumi/pulumi-kubernetes/provider/v4
#   .toolchain.pulumiYaml                version of github.com/pulumi/pulumi-yaml (its language host)
#
# `ensure` remembers its answer in a stamp, $CACHE_ROOT/stamps/<this checkout's path, / as %>/pulumi
# (toolchain/stamp.sh), and answers from it without starting Node.js while the stamp is newer than
# package.json and these scripts, the environment it was worked out in is the same (CACHE_ROOT,
# GO_DEMO_2_BUILD_TOOLCHAIN, the `pulumi` on PATH and where it links to), every file it named is
# still there (the CLI, its language host, the provider, installed and built) and no build it
# prefers has appeared since (the CLI's own language host over the sdk/v3 fallback).
set -Eeuo pipefail

readonly PULUMI_MOD=github.com/pulumi/pulumi
readonly LANGHOST_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
readonly LANGHOST_IN_SDK_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
readonly K8S_PROVIDER_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
readonly K8S_SDK_MOD=github.com/pulumi/pulumi-kubernetes/sdk/v4
readonly YAML_MOD=github.com/pulumi/pulumi-yaml

# Progress goes to the caller's stderr, kept on fd 3 so that an ERR trap running inside a
# redirected command (`logged ...`) still reaches the terminal.
exec 3>&2
LOG_TAG=toolchain LOG_FD=3
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PROJECT_PULUMI_HOME=$PROJECT_DIR/.pulumi/home
STAMP=$CACHE_ROOT/stamps/${PROJECT_DIR//\//%}/pulumi

complete_cli_dir() { [[ -x $1/bin/pulumi && -x $1/bin/pulumi-language-nodejs ]]; }

# pulumi_on_path: sets ON_PATH to `command -v pulumi` (empty when none) and ON_PATH_TARGET to
# where it links to (empty when it is no symbolic link).
pulumi_on_path() {
  ON_PATH=$(command -v pulumi 2>/dev/null) || ON_PATH=""
  ON_PATH_TARGET=""
  if [[ -n $ON_PATH && -L $ON_PATH ]]; then ON_PATH_TARGET=$(readlink -f "$ON_PATH"); fi
}

# ensure_from_stamp: prints what `ensure` printed last time when the stamp (see the top) holds. Its
# lines: CACHE_ROOT, GO_DEMO_2_BUILD_TOOLCHAIN, pulumi_on_path's two lines, the directory printed,
# the provider installed in PULUMI_HOME, the provider build (empty for a CLI on PATH), the CLI
# build preferred over the one used (empty when it is the one used), the pinned version.
ensure_from_stamp() {
  local f cache build cli target bin installed provider preferred pinned
  [[ -f $STAMP ]] || return 1
  for f in "$PROJECT_DIR/package.json" "$PROJECT_DIR/scripts/toolchain/pulumi.sh" "$PROJECT_DIR/scripts/toolchain/stamp.sh" "$PROJECT_DIR/scripts/lib.sh"; do
    [[ $STAMP -nt $f ]] || return 1
  done
  {
    IFS= read -r cache && IFS= read -r build && IFS= read -r cli && IFS= read -r target && IFS= read -r bin &&
      IFS= read -r installed && IFS= read -r provider && IFS= read -r preferred && IFS= read -r pinned
  } <"$STAMP" || return 1
  [[ $cache == "$CACHE_ROOT" && $build == "${GO_DEMO_2_BUILD_TOOLCHAIN:-}" ]] || return 1
  pulumi_on_path
  [[ $ON_PATH == "$cli" && $ON_PATH_TARGET == "$target" ]] || return 1
  [[ -x $bin/pulumi && -x $bin/pulumi-language-nodejs && -x $installed ]] || return 1
  [[ -z $provider || -x $provider ]] || return 1
  [[ -z $preferred ]] || ! complete_cli_dir "$preferred" || return 1
  [[ -n $provider ]] || log "using the Pulumi CLI on PATH: $bin (pinned v$pinned)"
  printf '%s\n' "$bin"
}

STARTED=""
if [[ ${1:-ensure} == ensure ]]; then
  ensure_from_stamp && exit 0
  # The stamp is a shortcut: where it cannot be written, every run takes the long way.
  STARTED=$(bash "$PROJECT_DIR/scripts/toolchain/stamp.sh" start "$STAMP" 2>/dev/null) || STARTED=""
fi
STEP="starting"
on_err() {
  local rc=$?
  # With errtrace the trap also runs in command substitutions; report once, from the main shell.
  ((BASH_SUBSHELL == 0)) || return "$rc"
  log "FAILED (exit $rc) while: $STEP"
  if [[ -n ${BUILD_LOG:-} && -s $BUILD_LOG ]]; then
    log "last lines of the build log:"
    tail -n 40 "$BUILD_LOG" >&3
  fi
}
trap on_err ERR

PULUMI_VERSION=$(pj 'p.toolchain?.pulumi')
PULUMI_COMMIT=$(pj 'p.toolchain?.pulumiCommit')
LANGHOST_SDK_FALLBACK=$(pj 'p.toolchain?.pulumiLanguageNodejsSdk')
K8S_VERSION=$(pj 'p.dependencies?.["@pulumi/kubernetes"]')
K8S_COMMIT=$(pj 'p.toolchain?.pulumiKubernetesCommit')
YAML_VERSION=$(pj 'p.toolchain?.pulumiYaml')

[[ $PULUMI_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "package.json .toolchain.pulumi must be an exact version, got '$PULUMI_VERSION'"
[[ $K8S_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "package.json dependencies[\"@pulumi/kubernetes\"] must be an exact version, got '$K8S_VERSION'"

CLI_DIR=$CACHE_ROOT/pulumi-v$PULUMI_VERSION
CLI_FALLBACK_DIR=$CACHE_ROOT/pulumi-v$PULUMI_VERSION-nodejs-sdk-v${LANGHOST_SDK_FALLBACK:-none}
PROVIDER_DIR=$CACHE_ROOT/pulumi-resource-kubernetes-v$K8S_VERSION
PROVIDER_BIN=$PROVIDER_DIR/pulumi-resource-kubernetes
YAML_DIR=$CACHE_ROOT/pulumi-language-yaml-v$YAML_VERSION
INSTALLED_PROVIDER=$PROJECT_PULUMI_HOME/plugins/resource-kubernetes-v$K8S_VERSION/pulumi-resource-kubernetes

# --- where the tools are ---------------------------------------------------------------------

# Prints the directory of a usable Pulumi CLI on PATH that this script did not build.
ambient_bin_dir() {
  [[ ${GO_DEMO_2_BUILD_TOOLCHAIN:-} == 1 ]] && return 1
  local cli dir
  cli=$(command -v pulumi 2>/dev/null) || return 1
  dir=$(cd "$(dirname "$(readlink -f "$cli")")" && pwd)
  case "$dir/" in "$CACHE_ROOT"/*) return 1 ;; esac
  [[ -x $dir/pulumi-language-nodejs ]] || return 1
  printf '%s\n' "$dir"
}

built_bin_dir() {
  local d
  for d in "$CLI_DIR" "$CLI_FALLBACK_DIR"; do
    if complete_cli_dir "$d"; then
      printf '%s\n' "$d/bin"
      return 0
    fi
  done
  return 1
}

# --- building in a throwaway wrapper module ----------------------------------------------------

go_env() {
  # -buildvcs=false: the wrapper may sit inside someone's git work tree.
  env GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 "$@"
}

# Runs a command with its output going to BUILD_LOG.
logged() { go_env "$@" >>"$BUILD_LOG" 2>&1; }

# Prints a module version's metadata field (Version, Dir, GoMod, Origin.Hash...) via the module proxy.
mod_field() {
  local query=$1 field=$2 json
  json=$(cd "$WORK/q" && go_env go mod download -json "$query" 2>>"$BUILD_LOG") || return 1
  node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (m.Error) process.exit(1);
    const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]), m);
    process.stdout.write(v == null ? "" : String(v));
  ' "$field" <<<"$json"
}

# Copies the non-relative replace directives of a downloaded go.mod into the current module
# (relative ones point into the source repo, whose modules are required at matching versions).
# shellcheck disable=SC2016 # ${...} below is JavaScript
copy_replaces() {
  local query=$1 gomod edits
  gomod=$(mod_field "$query" GoMod) || die "cannot download the go.mod of $query"
  edits=$(go_env go mod edit -json "$gomod" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace || []) {
      if (r.New.Path.startsWith(".") || r.New.Path.startsWith("/")) continue;
      const o = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
      const n = r.New.Version ? `${r.New.Path}@${r.New.Version}` : r.New.Path;
      console.log(`-replace=${o}=${n}`);
    }')
  if [[ -n $edits ]]; then
    # shellcheck disable=SC2086 # one flag a line, none with spaces
    go_env go mod edit $edits
    log "  replaces copied from $query: $(tr '\n' ' ' <<<"$edits")"
  fi
}

# enter_wrapper NAME: a throwaway module in $WORK (lib.sh's new_wrapper), made the current
# directory; WRAPPER is its path, and $WRAPPER/out is for what is published.
enter_wrapper() {
  WRAPPER=$(new_wrapper "$1" "$WORK")
  cd "$WRAPPER/src"
}

finish_work() {
  local rc=$1
  if ((rc != 0)) && [[ -s $BUILD_LOG ]]; then
    cp "$BUILD_LOG" "$CACHE_ROOT/last-failed-build.log"
    log "full build log: $CACHE_ROOT/last-failed-build.log"
  fi
  rm -rf "$WORK"
}

start_work() {
  mkdir -p "$CACHE_ROOT"
  # One build at a time: a second run waits, then finds the cache filled.
  exec 9>"$CACHE_ROOT/.toolchain.lock"
  if command -v flock >/dev/null && ! flock -n 9; then
    log "another toolchain build is running; waiting for it..."
    flock 9
  fi
  # Work dirs left by killed runs (none is in progress while we hold the lock).
  rm -rf "$CACHE_ROOT"/.toolchain-build.*
  WORK=$(mktemp -d "$CACHE_ROOT/.toolchain-build.XXXXXX")
  BUILD_LOG=$WORK/build.log
  : >"$BUILD_LOG"
  trap 'finish_work $?' EXIT
  mkdir -p "$WORK/q"
  (cd "$WORK/q" && go_env go mod init local/query >/dev/null 2>&1)
}

build_cli() {
  local tag=v$PULUMI_VERSION commit="" lh_version="" lh_sdk="" dest out t0
  STEP="resolving the commit of $PULUMI_MOD $tag"
  commit=$PULUMI_COMMIT
  if [[ -z $commit ]]; then
    commit=$(mod_field "$PULUMI_MOD/pkg/v3@$tag" Origin.Hash) ||
      die "$PULUMI_MOD/pkg/v3@$tag is not served by the Go module proxy"
  fi
  if [[ -n $commit ]]; then
    STEP="resolving $LANGHOST_MOD at commit $commit"
    lh_version=$(mod_field "$LANGHOST_MOD@$commit" Version) || lh_version=""
  fi
  if [[ -n $lh_version ]]; then
    dest=$CLI_DIR
    log "language host: $LANGHOST_MOD@$lh_version (commit $commit)"
  elif [[ -n $LANGHOST_SDK_FALLBACK ]]; then
    dest=$CLI_FALLBACK_DIR
    lh_sdk=v$LANGHOST_SDK_FALLBACK
    # The expected path where the proxy serves no pseudo-version of the language host's own module
    # at the CLI's commit: information, not a warning (docs/offline-toolchain.md).
    log "language host: $LANGHOST_MOD is not served for $tag (commit: ${commit:-unknown}); building the one inside $PULUMI_MOD/sdk/v3@$lh_sdk (package.json .toolchain.pulumiLanguageNodejsSdk), as pinned"
  else
    die "cannot get $LANGHOST_MOD for $tag: the proxy gave no commit for the tag or does not serve the module at it (commit: ${commit:-unknown}). Set package.json .toolchain.pulumiCommit, or .toolchain.pulumiLanguageNodejsSdk to build the older language host inside sdk/v3."
  fi

  STEP="building $PULUMI_MOD/pkg/v3/cmd/pulumi@$tag"
  log "building pulumi $tag (cold: several minutes)..."
  t0=$SECONDS
  enter_wrapper cli
  out=$WRAPPER/out
  mkdir -p "$out/bin"
  copy_replaces "$PULUMI_MOD/pkg/v3@$tag"
  copy_replaces "$PULUMI_MOD/sdk/v3@$tag"
  logged go get "$PULUMI_MOD/pkg/v3@$tag" "$PULUMI_MOD/sdk/v3@$tag"
  logged go build -trimpath -o "$out/bin/pulumi" \
    -ldflags "-s -w -X $PULUMI_MOD/sdk/v3/go/common/version.Version=$tag" \
    "$PULUMI_MOD/pkg/v3/cmd/pulumi"
  log "  pulumi built in $((SECONDS - t0))s"

  t0=$SECONDS
  enter_wrapper langhost
  if [[ -n $lh_version ]]; then
    STEP="building $LANGHOST_MOD@$lh_version"
    log "building pulumi-language-nodejs $lh_version..."
    copy_replaces "$LANGHOST_MOD@$lh_version"
    copy_replaces "$PULUMI_MOD/sdk/v3@$tag"
    logged go get "$LANGHOST_MOD@$lh_version" "$PULUMI_MOD/pkg/v3@$tag" "$PULUMI_MOD/sdk/v3@$tag"
    logged go build -trimpath -o "$out/bin/pulumi-language-nodejs" \
      -ldflags "-s -w -X $PULUMI_MOD/sdk/v3/go/common/version.Version=$tag" "$LANGHOST_MOD"
  else
    STEP="building $LANGHOST_IN_SDK_PKG from $PULUMI_MOD/sdk/v3@$lh_sdk"
    log "building pulumi-language-nodejs from sdk/v3@$lh_sdk..."
    copy_replaces "$PULUMI_MOD/sdk/v3@$lh_sdk"
    logged go get "$PULUMI_MOD/sdk/v3@$lh_sdk"
    logged go build -trimpath -o "$out/bin/pulumi-language-nodejs" \
      -ldflags "-s -w -X $PULUMI_MOD/sdk/v3/go/common/version.Version=$lh_sdk" "$LANGHOST_IN_SDK_PKG"
  fi
  log "  pulumi-language-nodejs built in $((SECONDS - t0))s"

  {
    echo "pulumi: $PULUMI_MOD/pkg/v3@$tag (commit ${commit:-unknown})"
    if [[ -n $lh_version ]]; then
      echo "pulumi-language-nodejs: $LANGHOST_MOD@$lh_version"
    else
      echo "pulumi-language-nodejs: $LANGHOST_IN_SDK_PKG@$lh_sdk (fallback)"
    fi
    echo "built: $(date -u +%FT%TZ) with $(go env GOVERSION)"
  } >"$out/toolchain.txt"
  STEP="moving the CLI build into $dest"
  publish "$out" "$dest" bin/pulumi-language-nodejs
}

build_provider() {
  local tag=v$K8S_VERSION pseudo dir out t0
  [[ -n $K8S_COMMIT ]] || die "package.json .toolchain.pulumiKubernetesCommit is not set"
  if [[ $K8S_COMMIT == v* ]]; then
    pseudo=$K8S_COMMIT
  else
    STEP="resolving $K8S_PROVIDER_MOD at commit $K8S_COMMIT (root tag $tag)"
    pseudo=$(mod_field "$K8S_PROVIDER_MOD@$K8S_COMMIT" Version) ||
      die "the Go module proxy does not serve $K8S_PROVIDER_MOD at commit $K8S_COMMIT (tag $tag); set package.json .toolchain.pulumiKubernetesCommit to a commit or pseudo-version the proxy serves"
  fi
  STEP="building $K8S_PROVIDER_MOD/cmd/pulumi-resource-kubernetes@$pseudo (as $K8S_VERSION)"
  log "building pulumi-resource-kubernetes $K8S_VERSION from $K8S_PROVIDER_MOD@$pseudo (cold: several minutes)..."
  t0=$SECONDS
  enter_wrapper provider
  # The provider's go.mod points sdk/v4 at ../sdk; the sdk/v4 tag of the release is the same commit.
  copy_replaces "$K8S_PROVIDER_MOD@$pseudo"
  logged go get "$K8S_PROVIDER_MOD@$pseudo" "$K8S_SDK_MOD@$tag"
  dir=$(mod_field "$K8S_PROVIDER_MOD@$pseudo" Dir)
  # main.go embeds schema-embed.json and terraform-mapping-embed.json, which generate.go writes
  # and the module zip lacks, so the command is built from a copy inside the wrapper module.
  mkdir -p cmd
  cp -R "$dir/cmd/pulumi-resource-kubernetes" cmd/
  chmod -R u+w cmd
  STEP="generating the provider schema (generate.go, VERSION=$K8S_VERSION)"
  (cd cmd/pulumi-resource-kubernetes && VERSION=$K8S_VERSION logged go run generate.go)
  STEP="building $K8S_PROVIDER_MOD/cmd/pulumi-resource-kubernetes@$pseudo (as $K8S_VERSION)"
  out=$WRAPPER/out
  logged go build -trimpath -o "$out/pulumi-resource-kubernetes" \
    -ldflags "-s -w -X $K8S_PROVIDER_MOD/pkg/version.Version=$K8S_VERSION" \
    ./cmd/pulumi-resource-kubernetes
  printf 'pulumi-resource-kubernetes %s: %s@%s\nbuilt: %s with %s\n' "$K8S_VERSION" \
    "$K8S_PROVIDER_MOD" "$pseudo" "$(date -u +%FT%TZ)" "$(go env GOVERSION)" >"$out/toolchain.txt"
  log "  pulumi-resource-kubernetes built in $((SECONDS - t0))s"
  STEP="moving the provider build into $PROVIDER_DIR"
  publish "$out" "$PROVIDER_DIR" pulumi-resource-kubernetes
}

build_yaml_langhost() {
  local tag=v$YAML_VERSION out t0 sdk
  [[ $YAML_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "package.json .toolchain.pulumiYaml must be an exact version, got '$YAML_VERSION'"
  STEP="building $YAML_MOD/cmd/pulumi-language-yaml@$tag"
  log "building pulumi-language-yaml $tag (cold: a few minutes)..."
  t0=$SECONDS
  enter_wrapper yaml
  copy_replaces "$YAML_MOD@$tag"
  # pulumi-yaml requires pkg/v3 and sdk/v3 at one release; their own replaces apply here too.
  sdk=$(go_env go mod edit -json "$(mod_field "$YAML_MOD@$tag" GoMod)" |
    node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log((m.Require || []).find((r) => r.Path === process.argv[1]).Version)' "$PULUMI_MOD/sdk/v3")
  copy_replaces "$PULUMI_MOD/sdk/v3@$sdk"
  logged go get "$YAML_MOD@$tag"
  out=$WRAPPER/out
  mkdir -p "$out/bin"
  logged go build -trimpath -o "$out/bin/pulumi-language-yaml" -ldflags "-s -w" "$YAML_MOD/cmd/pulumi-language-yaml"
  printf 'pulumi-language-yaml: %s@%s\nbuilt: %s with %s\n' "$YAML_MOD" "$tag" "$(date -u +%FT%TZ)" "$(go env GOVERSION)" >"$out/toolchain.txt"
  log "  pulumi-language-yaml built in $((SECONDS - t0))s"
  STEP="moving the YAML language host build into $YAML_DIR"
  publish "$out" "$YAML_DIR" bin/pulumi-language-yaml
}

# Prints the directory of the Pulumi YAML language host: the ambient CLI's, else one built here.
ensure_yaml() {
  local bin_dir
  if bin_dir=$(ambient_bin_dir) && [[ -x $bin_dir/pulumi-language-yaml ]]; then
    printf '%s\n' "$bin_dir"
    return
  fi
  if [[ ! -x $YAML_DIR/bin/pulumi-language-yaml ]]; then
    command -v go >/dev/null || die "no pulumi-language-yaml beside a Pulumi CLI on PATH and no Go toolchain to build one"
    start_work
    [[ -x $YAML_DIR/bin/pulumi-language-yaml ]] || build_yaml_langhost
  fi
  printf '%s\n' "$YAML_DIR/bin"
}

install_provider() {
  local bin_dir=$1 file=$2
  STEP="installing resource plugin kubernetes $K8S_VERSION into $PROJECT_PULUMI_HOME"
  mkdir -p "$PROJECT_PULUMI_HOME"
  PULUMI_HOME=$PROJECT_PULUMI_HOME PULUMI_SKIP_UPDATE_CHECK=true \
    "$bin_dir/pulumi" plugin install resource kubernetes "$K8S_VERSION" ${file:+--file "$file"} >&2
}

ensure() {
  local bin_dir
  if bin_dir=$(ambient_bin_dir); then
    log "using the Pulumi CLI on PATH: $bin_dir ($("$bin_dir/pulumi" version 2>/dev/null || echo '?'); pinned v$PULUMI_VERSION)"
    if [[ ! -x $INSTALLED_PROVIDER ]]; then
      if ! install_provider "$bin_dir" ""; then
        log "pulumi plugin install failed; building the provider from Go modules instead"
        if [[ ! -x $PROVIDER_BIN ]]; then
          start_work
          [[ -x $PROVIDER_BIN ]] || build_provider
        fi
        install_provider "$bin_dir" "$PROVIDER_BIN"
      fi
    fi
    remember "$bin_dir" "" ""
    printf '%s\n' "$bin_dir"
    return
  fi

  if ! bin_dir=$(built_bin_dir) || [[ ! -x $PROVIDER_BIN ]]; then
    command -v go >/dev/null || die "no Pulumi CLI on PATH and no Go toolchain to build one"
    start_work
    bin_dir=$(built_bin_dir) || {
      build_cli
      bin_dir=$(built_bin_dir)
    }
    [[ -x $PROVIDER_BIN ]] || build_provider
  fi
  [[ -x $INSTALLED_PROVIDER ]] || install_provider "$bin_dir" "$PROVIDER_BIN"
  local preferred=""
  [[ $bin_dir == "$CLI_DIR/bin" ]] || preferred=$CLI_DIR
  remember "$bin_dir" "$PROVIDER_BIN" "$preferred"
  printf '%s\n' "$bin_dir"
}

# remember <bin dir> <provider build> <preferred CLI build>: writes the stamp ensure_from_stamp reads.
remember() {
  [[ -n $STARTED ]] || return 0
  pulumi_on_path
  bash "$PROJECT_DIR/scripts/toolchain/stamp.sh" write "$STAMP" "$STARTED" "$CACHE_ROOT" "${GO_DEMO_2_BUILD_TOOLCHAIN:-}" \
    "$ON_PATH" "$ON_PATH_TARGET" "$1" "$INSTALLED_PROVIDER" "$2" "$3" "$PULUMI_VERSION" || true
}

main() {
  case "${1:-ensure}" in
  ensure) ensure ;;
  yaml) ensure_yaml ;;
  bin-dir)
    ambient_bin_dir || built_bin_dir || {
      log "no toolchain yet: run scripts/toolchain/pulumi.sh ensure"
      exit 1
    }
    ;;
  *)
    echo "usage: $0 [ensure|bin-dir|yaml]" >&2
    exit 2
    ;;
  esac
}

main "$@"
