#!/usr/bin/env bash
# Proves .pre-commit-hooks.yaml with the real pre-commit tool: a throwaway git repository holding
# the neon-media example uses this repository's hook (at HEAD, built by pre-commit itself with
# `cargo install`). The bad commit must be blocked, the fixed one let through, and a staged
# schema change that breaks an unstaged query must be blocked too.
#   scripts/precommit-e2e.sh        (needs python3 with venv, git, cargo; fetches pre-commit from PyPI)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/schemalint-precommit.XXXX)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pre-commit
export PATH="$work/venv/bin:$PATH"
export PRE_COMMIT_HOME="$work/cache"
# pre-commit builds the hook with `cargo install`; a shared target dir lets reruns reuse it.
export CARGO_TARGET_DIR="${SCHEMALINT_PRECOMMIT_TARGET:-$repo/target/pre-commit}"
rev=$(git -C "$repo" rev-parse HEAD)
echo "pre-commit $(pre-commit --version | cut -d' ' -f2), hook from $repo at ${rev:0:12}"

app="$work/app"
cp -r "$repo/fixtures/neon-media" "$app"
rm -f "$app/EXPECTED.md"
cd "$app"
git init -q -b main
git config user.email ci@example.com
git config user.name ci
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: schemalint
YAML
git add .pre-commit-config.yaml db schemalint.toml
git commit -q -m "schema and config" --no-verify
pre-commit install >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "1. committing the app with the media/media_batches bugs: must be blocked"
git add .
if git commit -q -m "bad app" >"$work/out1" 2>&1; then
  cat "$work/out1"; fail "the bad commit went through"
fi
grep -q "table \`media\` is banned" "$work/out1" || { cat "$work/out1"; fail "no media finding"; }
grep -q "save-media.ts:17:17" "$work/out1" || { cat "$work/out1"; fail "no location"; }
echo "   blocked: $(grep -c 'is banned' "$work/out1") banned-table findings, e.g. $(grep -o 'save-media.ts:17:17' "$work/out1" | head -1)"

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
echo "pre-commit end to end: OK"
