#!/usr/bin/env bash
# The GitHub Action's run step (action.yml), kept in a script so it can be tested locally:
# builds the schemalint command line from INPUT_* variables, runs it, and records the exit
# code in $GITHUB_OUTPUT. The database URL travels in an environment variable, never on the
# command line, so it cannot show up in logs.
set -uo pipefail

bin=${SCHEMALINT:-schemalint}
args=(check --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-error}")
[[ -n ${INPUT_CONFIG:-} ]] && args+=(--config "$INPUT_CONFIG")
[[ -n ${INPUT_BASELINE:-} ]] && args+=(--baseline "$INPUT_BASELINE")
[[ -n ${SCHEMALINT_DATABASE_URL:-} ]] && args+=(--database-url-env SCHEMALINT_DATABASE_URL)
[[ ${INPUT_VERIFY:-false} == true ]] && args+=(--verify)
# Paths are space-separated; word splitting is intended here.
read -r -a paths <<<"${INPUT_PATHS:-.}"
args+=("${paths[@]}")

if [[ ${INPUT_FORMAT:-github} == sarif ]]; then
  "$bin" "${args[@]}" >"${INPUT_SARIF_FILE:-schemalint.sarif}"
  code=$?
else
  "$bin" "${args[@]}"
  code=$?
fi
[[ -n ${GITHUB_OUTPUT:-} ]] && echo "exit-code=$code" >>"$GITHUB_OUTPUT"
exit "$code"
