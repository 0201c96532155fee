#!/bin/sh
# ci-train-promote.sh: train, register, approve and promote a model in CI,
# every step decided by mmp's exit codes (see mmp(1), mmp-approve(1)).
#
#   scripts/examples/ci-train-promote.sh RECIPE MODEL [STAGE]
#
# Run it in an mmp project (or set MMP_STORE). It trains RECIPE, registers
# the run as a new version of MODEL, lets the approval policy
# (configs/approval.yaml) decide, and promotes an approved version to
# STAGE (default Production). Exit status: 0 promoted, 1 a step failed,
# 2 a human must review the version, 3 the policy rejected it; a CI job
# can branch on it. Needs jq to read mmp's --json output.
set -u

recipe=${1:?usage: ci-train-promote.sh RECIPE MODEL [STAGE]}
model=${2:?usage: ci-train-promote.sh RECIPE MODEL [STAGE]}
stage=${3:-Production}
MMP=${MMP:-mmp}

say() { printf 'ci: %s\n' "$*" >&2; }

# 1. train: a failed training exits non-zero and records a FAILED run
if ! "$MMP" train --recipe "$recipe" --json >train.json; then
	say "training failed"
	exit 1
fi
run=$(jq -r .run_id train.json)
say "trained run $run"

# 2. register the run's model as the next version
if ! "$MMP" register "$run" --name "$model" --json >register.json; then
	say "cannot register run $run"
	exit 1
fi
version=$(jq -r .model_version.version register.json)
say "registered $model v$version"

# 3. approve: 0 approved, 2 needs review, 3 rejected (1: failure)
"$MMP" approve "$model" "v$version" --json >approval.json
rc=$?
case $rc in
0)	say "$model v$version approved" ;;
2)	say "$model v$version needs a human review:" \
		"mmp approve $model v$version --by <name>"
	exit 2 ;;
3)	say "$model v$version rejected: $(jq -r .reason approval.json)"
	exit 3 ;;
*)	say "approval failed (exit $rc)"
	exit 1 ;;
esac

# 4. promote: the previous Production version is archived
if ! "$MMP" promote "$model" "v$version" "$stage" --json >promote.json
then
	say "cannot promote $model v$version to $stage"
	exit 1
fi
say "$model v$version is in $stage"
