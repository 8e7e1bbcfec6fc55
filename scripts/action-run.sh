#!/usr/bin/env bash
# The GitHub Action's run step (action.yml), kept in a script so it can be tested locally:
# builds the schemalint command line from INPUT_* variables, runs it, and records the exit
# code in $GITHUB_OUTPUT. The database URL travels in an environment variable, never on the
# command line, so it cannot show up in logs.
# It runs from the workspace root even with a working-directory (the paths are taken relative
# to it instead), so annotation and SARIF paths are relative to the repository, as GitHub
# needs them to place annotations on the diff.
set -uo pipefail

bin=${SCHEMALINT:-schemalint}
args=(check --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-error}")
[[ -n ${INPUT_CONFIG:-} ]] && args+=(--config "$INPUT_CONFIG")
[[ -n ${INPUT_BASELINE:-} ]] && args+=(--baseline "$INPUT_BASELINE")
[[ -n ${INPUT_CHANGED_SINCE:-} ]] && args+=(--changed-since "$INPUT_CHANGED_SINCE")
[[ -n ${SCHEMALINT_DATABASE_URL:-} ]] && args+=(--database-url-env SCHEMALINT_DATABASE_URL)
[[ ${INPUT_VERIFY:-false} == true ]] && args+=(--verify)
# Extra arguments and paths are whitespace-separated (no shell quoting); word splitting is
# intended here.
read -r -a extra <<<"${INPUT_ARGS:-}"
args+=("${extra[@]}")
read -r -a paths <<<"${INPUT_PATHS:-.}"
dir=${INPUT_WORKING_DIRECTORY:-.}
dir=${dir%/}
if [[ $dir != . && -n $dir ]]; then
  for i in "${!paths[@]}"; do
    case ${paths[$i]} in
      /*) ;;
      .) paths[$i]=$dir ;;
      *) paths[$i]=$dir/${paths[$i]} ;;
    esac
  done
fi
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
