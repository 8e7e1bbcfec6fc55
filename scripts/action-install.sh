#!/usr/bin/env bash
# The GitHub Action's install step (action.yml), kept in a script so it can be tested locally:
# puts a schemalint binary in the runner's tool cache and prints its path (and writes
# `path=...` to $GITHUB_OUTPUT). In order:
#   1. the tool cache already holds this version for this platform: use it;
#   2. the GitHub release vVERSION has an archive for this platform: download it and its .sha256,
#      verify the checksum (a mismatch fails the step: never run an unverified binary), unpack;
#   3. no release matches (404): build from the action's own source with `cargo install`, if cargo
#      is on PATH, into the tool cache; otherwise fail with what to do.
# Needs bash, tar (unzip on Windows), curl or wget, and sha256sum or shasum: every hosted runner
# has them, and so do the usual `container:` images (node:*, rust:*, python:*; not alpine's
# busybox without bash).
# Inputs: INPUT_VERSION (a release tag like v0.1.0 or 0.1.0; default: the version of the action's
# own Cargo.toml, i.e. the release the action's tag belongs to), SCHEMALINT_REPOSITORY (owner/name
# of the action; default $GITHUB_REPOSITORY), SCHEMALINT_RELEASES (the download base URL, for
# tests and mirrors; default https://github.com/$SCHEMALINT_REPOSITORY/releases/download).
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
say() { echo "schemalint: $*" >&2; }
die() { echo "::error title=schemalint install::$*"; say "$*"; exit 2; }

version=${INPUT_VERSION:-}
if [[ -z $version ]]; then
  version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$action_path/Cargo.toml")
fi
version=${version#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || die "version '$version' is not a release version like 0.1.0"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=schemalint
ext=tar.gz
[[ $target == *windows* ]] && exe=schemalint.exe ext=zip

# The @actions/tool-cache layout: TOOL/VERSION/ARCH/ plus ARCH.complete once it is usable.
cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tool-cache}
dir=$cache_root/schemalint/$version/${target:-source-$(uname -m)}
found() {
  [[ -n ${GITHUB_OUTPUT:-} ]] && echo "path=$dir/bin/$exe" >>"$GITHUB_OUTPUT"
  echo "$dir/bin/$exe"
  exit 0
}
if [[ -f $dir.complete && -x $dir/bin/$exe ]]; then
  say "schemalint $version from the tool cache ($dir)"
  found
fi

fetch() { # URL FILE -> 0, or 1 when the server says 404, or dies
  local code
  if command -v curl >/dev/null; then
    code=$(curl -sS -L --retry 3 --connect-timeout 10 -o "$2" -w '%{http_code}' "$1") ||
      die "download failed: $1"
    [[ $code == 404 ]] && return 1
    [[ $code == 200 ]] || die "download failed: HTTP $code for $1"
  elif command -v wget >/dev/null; then
    local err
    if ! err=$(wget -q -O "$2" "$1" 2>&1); then
      wget -S --spider "$1" 2>&1 | grep -q ' 404' && return 1
      die "download failed: $1 ${err}"
    fi
  else
    die "neither curl nor wget is installed (in a container: install one, e.g. apt-get install -y curl)"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/schemalint-install.XXXX")
trap 'rm -rf "$work"' EXIT
# The action's own repository (empty for `uses: ./`, then it is the workflow's repository).
repository=${SCHEMALINT_REPOSITORY:-${GITHUB_REPOSITORY:-}}
releases=${SCHEMALINT_RELEASES:-https://github.com/$repository/releases/download}
[[ -n ${SCHEMALINT_RELEASES:-} || -n $repository ]] || target=""
name=schemalint-$version-$target
if [[ -n $target ]] && fetch "$releases/v$version/$name.$ext" "$work/$name.$ext"; then
  fetch "$releases/v$version/$name.$ext.sha256" "$work/sum" ||
    die "the release v$version has $name.$ext but no $name.$ext.sha256: refusing an unverified binary"
  want=$(cut -d' ' -f1 <"$work/sum" | tr -d '\r\n')
  got=$(sha256 "$work/$name.$ext")
  [[ -n $want && $want == "$got" ]] ||
    die "checksum mismatch for $name.$ext: the release says ${want:-nothing}, the download is $got"
  if [[ $ext == zip ]]; then
    unzip -q "$work/$name.$ext" -d "$work/unpacked"
  else
    mkdir "$work/unpacked" && tar -xzf "$work/$name.$ext" -C "$work/unpacked"
  fi
  [[ -f $work/unpacked/$name/$exe ]] || die "$name.$ext holds no $name/$exe"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  mv "$work/unpacked/$name/$exe" "$dir/bin/$exe"
  chmod 755 "$dir/bin/$exe"
  say "schemalint $version for $target: downloaded, sha256 $got verified"
else
  [[ -n $target ]] && say "no release archive v$version/$name.$ext; building from source"
  [[ -z $target ]] && say "no prebuilt binary for $(uname -s) $(uname -m); building from source"
  command -v cargo >/dev/null ||
    die "no release of schemalint $version for ${target:-$(uname -s) $(uname -m)} and no cargo to build it: pin 'version' to a published release, or install Rust before this step"
  [[ -f $action_path/Cargo.toml ]] || die "no source to build at $action_path"
  rm -rf "$dir"
  cargo install --locked --quiet --path "$action_path" --root "$dir" ||
    die "cargo install failed"
fi
touch "$dir.complete"
found
