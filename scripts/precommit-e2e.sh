#!/usr/bin/env bash
# Proves .pre-commit-hooks.yaml with the real pre-commit tool: a throwaway git repository holding
# the neon-media example uses this repository's `schemalint` hook (language: python) at HEAD.
# pre-commit installs the hook with pip; the schemalint-cli wheel it depends on comes from the
# local wheel scripts/package.sh writes (PIP_FIND_LINKS), so nothing compiles. Then:
#   1. the bad commit is blocked, 2. the fixed one goes through, 3. a staged schema change that
#   breaks an unstaged query is blocked, 4. a commit of only netlify.toml goes through.
# All three hooks of the manifest are validated; SCHEMALINT_PRECOMMIT_RUST=1 also runs the
# `schemalint-rust` hook (pre-commit builds it with `cargo install`: minutes).
#   scripts/precommit-e2e.sh [BINARY]   (default target/debug/schemalint; needs python3 with venv,
#                                        git, npm; fetches pre-commit and setuptools from PyPI)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$repo/target/debug/schemalint}
[[ -x $binary ]] || { echo "no binary at $binary: cargo build first" >&2; exit 2; }
work=$(mktemp -d /tmp/schemalint-precommit.XXXX)
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# The wheel, from a stripped copy of the binary (a debug build is ~180 MB; stripped ~30 MB).
cp "$binary" "$work/schemalint"
strip "$work/schemalint" 2>/dev/null || true
"$repo/scripts/package.sh" "$work/schemalint" "$work/dist" >/dev/null
export PIP_FIND_LINKS="$work/dist"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pre-commit
export PATH="$work/venv/bin:$PATH"
export PRE_COMMIT_HOME="$work/cache"
rev=$(git -C "$repo" rev-parse HEAD)
echo "pre-commit $(pre-commit --version | cut -d' ' -f2), hooks from $repo at ${rev:0:12} ($((SECONDS - start)) s)"
pre-commit validate-manifest "$repo/.pre-commit-hooks.yaml"

fail() { echo "FAIL: $*" >&2; exit 1; }

app="$work/app"
cp -r "$repo/fixtures/neon-media" "$app"
rm -f "$app/EXPECTED.md"
cd "$app"
git init -q -b main
git config user.email ci@example.com
git config user.name ci
hooks="      - id: schemalint"
[[ ${SCHEMALINT_PRECOMMIT_RUST:-} == 1 ]] && hooks+=$'\n'"      - id: schemalint-rust"
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
$hooks
YAML
git add .pre-commit-config.yaml db schemalint.toml
git commit -q -m "schema and config" --no-verify
pre-commit install >/dev/null
t=$SECONDS
pre-commit install-hooks >"$work/install" 2>&1 || { cat "$work/install"; fail "the hook did not install"; }
grep -rq "schemalint_cli" "$PRE_COMMIT_HOME" || fail "the hook's environment has no schemalint-cli wheel"
echo "0. hook environment installed from the local wheel in $((SECONDS - t)) s"

echo "1. committing the app with the media/media_batches bugs: must be blocked"
git add .
t=$SECONDS
if git commit -q -m "bad app" >"$work/out1" 2>&1; then
  cat "$work/out1"; fail "the bad commit went through"
fi
grep -q "table \`media\` is banned" "$work/out1" || { cat "$work/out1"; fail "no media finding"; }
grep -q "save-media.ts:17:17" "$work/out1" || { cat "$work/out1"; fail "no location"; }
echo "   blocked in $((SECONDS - t)) s: $(grep -c 'is banned' "$work/out1") banned-table findings, e.g. $(grep -o 'save-media.ts:17:17' "$work/out1" | head -1)"

echo "2. committing the fixed app: must pass"
cp -r "$repo/fixtures/neon-media-fixed/." .
git add .
git commit -q -m "fixed app" >"$work/out2" 2>&1 || { cat "$work/out2"; fail "the fixed commit was blocked"; }
echo "   committed: $(git log --oneline | head -1)"

echo "3. staging only a schema change that drops a column an unchanged file uses: must be blocked"
sed -i 's/^    media_type text/    kind_of_media text/' db/schema.sql
git diff --quiet db/schema.sql && fail "the schema edit did nothing"
git add db/schema.sql
if git commit -q -m "rename column" >"$work/out3" 2>&1; then
  cat "$work/out3"; fail "the breaking schema change went through"
fi
grep -q 'column "media_type"' "$work/out3" || { cat "$work/out3"; fail "no media_type finding"; }
echo "   blocked: $(grep -c 'media_type' "$work/out3") lines mention media_type"
git reset -q db/schema.sql
git checkout -q db/schema.sql

echo "4. committing only netlify.toml: must pass"
printf '[build]\n  command = "npm run build"\n' >netlify.toml
git add netlify.toml
git commit -q -m "netlify config" >"$work/out4" 2>&1 || { cat "$work/out4"; fail "the netlify.toml commit was blocked"; }
git show --stat --oneline HEAD | grep -q netlify.toml || fail "netlify.toml was not committed"
echo "   committed: $(git log --oneline | head -1)"
echo "pre-commit end to end: OK ($((SECONDS - start)) s)"
