#!/usr/bin/env bash
# The one packaging entry point (the release workflow and the tests both call it): from a built
# schemalint binary, writes into OUTDIR
#   schemalint-VERSION-TARGET.tar.gz (.zip on Windows) + .sha256   the GitHub release archive
#   schemalint-cli-OS-CPU-VERSION.tgz                              the npm platform package
#   schemalint-cli-VERSION.tgz                                     the npm package users install
#   schemalint_cli-VERSION-py3-none-PLATFORM.whl                   the PyPI wheel
# TARGET (a Rust target triple) defaults to the release target for this machine. Nothing is
# compiled or downloaded: it needs bash, tar, python3 (3.11+) and npm.
#   scripts/package.sh BINARY OUTDIR [TARGET]
set -euo pipefail
if (($# < 2 || $# > 3)); then
  sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
[[ -f $binary ]] || { echo "package.sh: no binary at $1" >&2; exit 2; }

host_target() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) echo aarch64-unknown-linux-musl ;;
    Darwin-x86_64) echo x86_64-apple-darwin ;;
    Darwin-arm64) echo aarch64-apple-darwin ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) echo x86_64-pc-windows-msvc ;;
    *) echo "package.sh: no release target for $(uname -s) $(uname -m); pass TARGET" >&2; exit 2 ;;
  esac
}
target=${3:-$(host_target)}
# npm's os/cpu (process.platform/process.arch) and the wheel's platform tag for each target.
# A static musl binary runs on any Linux, so its wheel is tagged for glibc and musl alike.
case $target in
  x86_64-unknown-linux-musl) npm_os=linux npm_cpu=x64
    wheel_tag=manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_2_x86_64 ;;
  aarch64-unknown-linux-musl) npm_os=linux npm_cpu=arm64
    wheel_tag=manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_2_aarch64 ;;
  x86_64-apple-darwin) npm_os=darwin npm_cpu=x64 wheel_tag=macosx_10_12_x86_64 ;;
  aarch64-apple-darwin) npm_os=darwin npm_cpu=arm64 wheel_tag=macosx_11_0_arm64 ;;
  x86_64-pc-windows-msvc) npm_os=win32 npm_cpu=x64 wheel_tag=win_amd64 ;;
  *) echo "package.sh: unsupported target $target" >&2; exit 2 ;;
esac
exe=schemalint
[[ $npm_os == win32 ]] && exe=schemalint.exe
version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml")
[[ -n $version ]] || { echo "package.sh: no version in Cargo.toml" >&2; exit 2; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/schemalint-package.XXXX")
trap 'rm -rf "$stage"' EXIT

# 1. The release archive and its checksum (what the GitHub Action downloads).
name=schemalint-$version-$target
mkdir -p "$stage/$name"
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
cp "$repo/README.md" "$stage/$name/"
if [[ $npm_os == win32 ]]; then
  archive=$name.zip
  (cd "$stage" && python3 -m zipfile -c "$out/$archive" "$name")
else
  archive=$name.tar.gz
  tar -C "$stage" -czf "$out/$archive" "$name"
fi
(cd "$out" && python3 -c 'import hashlib,sys; d=open(sys.argv[1],"rb").read(); print(hashlib.sha256(d).hexdigest()+"  "+sys.argv[1])' "$archive" >"$archive.sha256")

# 2. The npm platform package: the binary, with os/cpu so npm installs it only where it runs.
platform_pkg=schemalint-cli-$npm_os-$npm_cpu
mkdir -p "$stage/npm-platform/bin"
cp "$binary" "$stage/npm-platform/bin/$exe"
chmod 755 "$stage/npm-platform/bin/$exe"
cat >"$stage/npm-platform/package.json" <<JSON
{
  "name": "$platform_pkg",
  "version": "$version",
  "description": "The schemalint binary for $npm_os $npm_cpu (installed by schemalint-cli)",
  "license": "MIT OR Apache-2.0",
  "os": ["$npm_os"],
  "cpu": ["$npm_cpu"],
  "files": ["bin/$exe"],
  "preferUnplugged": true
}
JSON
(cd "$stage/npm-platform" && npm pack --silent --pack-destination "$out" >/dev/null)

# 3. The npm package users install: the bin shim and every platform package as optional.
cp -r "$repo/npm/schemalint-cli" "$stage/npm-main"
python3 - "$stage/npm-main/package.json" "$version" <<'PY'
import json, sys
path, version = sys.argv[1:]
pkg = json.load(open(path))
pkg["version"] = version
pkg["optionalDependencies"] = {
    f"schemalint-cli-{p}": version
    for p in ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"]
}
json.dump(pkg, open(path, "w"), indent=2)
open(path, "a").write("\n")
PY
(cd "$stage/npm-main" && npm pack --silent --pack-destination "$out" >/dev/null)

# 4. The wheel.
python3 "$repo/scripts/wheel.py" "$binary" "$out" "$wheel_tag" >/dev/null

ls -1 "$out" | grep -F -e "$version" | sed "s|^|$out/|"
