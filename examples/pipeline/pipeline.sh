#!/usr/bin/env bash
# The Lockstep stages of a delivery pipeline, as plain shell (docs/pipeline.md).
#
#   pipeline.sh export  where production records its runs: write the newest $LAST runs each
#                       workflow made through the channel to the bundle file $BUNDLE
#   pipeline.sh pr      import the bundle $BUNDLE (when set), then gate every workflow file
#                       against the channel on its runs: a Markdown report per workflow in
#                       $REPORTS (for the pull request); exit 1 when a gate fails
#   pipeline.sh merge   deploy to the channel (publish, gate, promote as one deployment), then
#                       deploy the application with $APP_DEPLOY; when that fails, roll the
#                       deployment back and exit 1
#
# Environment: LOCKSTEP (the command, default "npx lockstep"), CHANNEL (default production),
# REPORTS (default lockstep-reports), APP_DEPLOY (the application's deploy command, default true),
# BUNDLE (a run bundle file: production's runs; without it the gates draw from the store), LAST
# (runs per workflow in an export, default 200), REDACT (a redact path for the export, optional).
# The store is the workspace's .lockstep, or LOCKSTEP_STORE.
set -euo pipefail

lockstep=${LOCKSTEP:-npx lockstep}
channel=${CHANNEL:-production}
reports=${REPORTS:-lockstep-reports}

export_runs() {
  : "${BUNDLE:?set BUNDLE to the bundle file to write}"
  $lockstep export --channel "$channel" --last "${LAST:-200}" ${REDACT:+--redact "$REDACT"} -o "$BUNDLE"
}

gate_all() {
  mkdir -p "$reports"
  local status=0 file name out code
  local from=()
  if [ -n "${BUNDLE:-}" ]; then
    $lockstep import "$BUNDLE"
    from=(--bundle "$BUNDLE")
  fi
  while IFS= read -r file; do
    name=$(basename "$file" .workflow.yaml)
    code=0
    out=$($lockstep gate "$file" --baseline "$channel" "${from[@]}" --format markdown -o "$reports/$name.md" 2>&1) || code=$?
    printf '%s\n' "$out"
    if [ "$code" -eq 2 ] && printf '%s' "$out" | grep -q "has no channel '$channel'"; then
      echo "$name: not on $channel yet, nothing to gate against (its first release)"
    elif [ "$code" -ne 0 ]; then
      status=1
    fi
  done < <(git ls-files '*.workflow.yaml' '*.workflow.yml')
  return "$status"
}

deploy_all() {
  local code=0 deployment
  $lockstep deploy --channel "$channel" --json > "$reports/deployment.json" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "lockstep deploy stopped (exit $code): see $reports/deployment.json" >&2
    return "$code"
  fi
  deployment=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(d.applied ? d.deployment : "")' "$reports/deployment.json")
  if ! sh -c "${APP_DEPLOY:-true}"; then
    if [ -n "$deployment" ]; then
      echo "the application's deployment failed: rolling back $deployment" >&2
      $lockstep rollback --deployment "$deployment" -m "The application's deployment failed"
    fi
    return 1
  fi
  echo "deployed${deployment:+ $deployment}"
}

case "${1:-}" in
  export) export_runs ;;
  pr) gate_all ;;
  merge) mkdir -p "$reports" && deploy_all ;;
  *)
    echo "usage: pipeline.sh export|pr|merge" >&2
    exit 2
    ;;
esac
