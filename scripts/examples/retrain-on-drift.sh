#!/bin/sh
# retrain-on-drift.sh: check a served model for drift and, when the check
# alerts, retrain, approve and promote a new version through the usual
# gates; every step decided by mmp's exit codes (see mmp-monitor(1)).
#
#   scripts/examples/retrain-on-drift.sh MODEL RECIPE INPUT [LABELS]
#
# Run it from cron or CI in an mmp project (or set MMP_STORE). It checks
# MODEL@Production against the rows of INPUT (a CSV of what the model
# sees now; LABELS, a CSV of outcomes by entity id, adds the live
# metrics). ok: nothing to do. warn: a human should look; nothing is
# retrained. alert: RECIPE (whose data should hold the recent rows) is
# trained, registered, approved by configs/approval.yaml and promoted by
# ci-train-promote.sh beside this script. Exit status: 0 ok or retrained
# and promoted, 1 a step failed, 2 warn (or the new version needs a human
# review), 3 the new version was rejected. Needs jq.
set -u

usage='usage: retrain-on-drift.sh MODEL RECIPE INPUT [LABELS]'
model=${1:?$usage}
recipe=${2:?$usage}
input=${3:?$usage}
labels=${4:-}
MMP=${MMP:-mmp}
here=$(cd "$(dirname "$0")" && pwd)

say() { printf 'monitor: %s\n' "$*" >&2; }

# the features whose status is not ok, for the log
drifted() {
	jq -r '[.features[], .predictions[], .metrics[]
		| select(.status != "ok") | "\(.name) \(.status)"]
		| join(", ")' monitor.json
}

# 1. the check: 0 ok, 2 warn, 3 alert (1: failure); recorded as a run
if test -n "$labels"; then
	"$MMP" monitor "$model@Production" --input "$input" \
		--labels "$labels" --json >monitor.json
else
	"$MMP" monitor "$model@Production" --input "$input" \
		--json >monitor.json
fi
rc=$?
version=$(jq -r '.version // empty' monitor.json 2>/dev/null)
case $rc in
0)	say "$model v$version ok"
	exit 0 ;;
2)	say "$model v$version warn: $(drifted)"
	exit 2 ;;
3)	say "$model v$version alert: $(drifted); retraining" ;;
*)	say "the check failed (exit $rc)"
	exit 1 ;;
esac

# 2. retrain, register, approve, promote: the same gates as any release
sh "$here/ci-train-promote.sh" "$recipe" "$model" Production
rc=$?
case $rc in
0)	say "$model retrained: v$(jq -r .model_version.version \
		register.json) is in Production" ;;
*)	say "retraining did not promote a new version (exit $rc)" ;;
esac
exit $rc
