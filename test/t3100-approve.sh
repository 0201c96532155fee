#!/bin/sh
# t3100-approve: every decision path of an approval policy, manual
# decisions, conflicts, where the policy comes from, bad policies

. "$(dirname "$0")/test-lib.sh"

mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }
DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

# reg NAME METRIC=V...: register a new version of NAME from a new run
reg() {
	name=$1 && shift &&
	id=$(mkrun FINISHED "$@") &&
	mmp register "$id" --name "$name" >/dev/null
}

test_expect_success 'set up a store, a policy and eight versions' '
	mmp init -q proj &&
	cat >policy.yaml <<-\EOF &&
	thresholds:
	  accuracy: {min: 0.75}
	  logloss: {max: 0.5}
	comparison:
	  metric: roc_auc
	  min_improvement: 0.01
	  max_degradation: 0.02
	EOF
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.90 &&
	reg m accuracy=0.7 logloss=0.3 roc_auc=0.99 &&
	reg m accuracy=0.9 roc_auc=0.99 &&
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.92 &&
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.89 &&
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.85 &&
	reg m accuracy=0.9 logloss=0.3 &&
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.905
'

test_expect_success JQ 'no Production version: passing the thresholds approves (exit 0)' '
	mmp approve m v1 --policy policy.yaml --json >a1.json &&
	test "$(json_get a1.json .approval.decision)" = APPROVED &&
	test "$(json_get a1.json .approval.reason)" = \
		"every threshold passed; no Production version to compare with" &&
	test "$(json_get a1.json .approval.manual)" = false &&
	test "$(json_get a1.json .approval.actor)" = ci &&
	test "$(json_get a1.json .approval.policy)" = policy.yaml &&
	test "$(json_get a1.json ".approval.evidence.thresholds | map(.metric + \"=\" + (.value|tostring) + \":\" + (.passed|tostring)) | join(\",\")")" = \
		"accuracy=0.9:true,logloss=0.3:true" &&
	test "$(json_get a1.json .approval.evidence.thresholds[0].min)" = 0.75 &&
	test "$(json_get a1.json .approval.evidence.thresholds[1].max)" = 0.5 &&
	test "$(json_get a1.json .approval.evidence.comparison.outcome)" = no_baseline &&
	test "$(json_get a1.json .approval.evidence.comparison.baseline)" = null &&
	mmp promote m 1 Production
'

test_expect_success JQ 'failing a threshold rejects (exit 3) whatever the comparison says' '
	test_expect_code 3 mmp approve m 2 --policy policy.yaml >out &&
	printf "m version 2: REJECTED\nfailed thresholds: accuracy 0.7 < min 0.75\n" >expect &&
	test_cmp expect out &&
	test_expect_code 3 mmp approve m 2 --policy policy.yaml --json >a2.json &&
	test "$(json_get a2.json .approval.evidence.thresholds[0].passed)" = false
'

test_expect_success JQ 'a threshold metric the run did not log rejects' '
	test_expect_code 3 mmp approve m 3 --policy policy.yaml --json >a3.json &&
	test "$(json_get a3.json .approval.reason)" = \
		"failed thresholds: logloss was not logged by the run" &&
	test "$(json_get a3.json .approval.evidence.thresholds[1].value)" = null
'

test_expect_success JQ 'a version whose test rows cannot be rebuilt needs review (exit 2)' '
	test_expect_code 2 mmp approve m 4 --policy policy.yaml --json >a4.json &&
	test "$(json_get a4.json .approval.decision)" = NEEDS_REVIEW &&
	test "$(json_get a4.json ".approval.evidence.comparison | [.metric, .direction, .baseline_version, .outcome] | @csv")" = \
		"\"roc_auc\",\"maximize\",1,\"not_comparable\"" &&
	test "$(json_get a4.json ".approval.evidence.comparison.recorded | [.value, .baseline] | @csv")" = "0.92,0.9" &&
	id=$(json_get a4.json .approval.evidence.run_id) &&
	test "$(json_get a4.json .approval.reason)" = \
		"cannot compare roc_auc with Production version 1 on the same rows: run $(echo $id | cut -c1-8) records no training data file; give --data with a labelled file, or decide with --by"
'

test_expect_success 'so do versions 5 to 8: recorded metrics are never compared' '
	for v in 5 6 7 8; do
		test_expect_code 2 mmp approve m $v --policy policy.yaml >out &&
		sed -n 2p out | grep "^cannot compare roc_auc with Production version 1 on the same rows" ||
		return 1
	done
'

test_expect_success JQ 'approvals list --pending shows what waits for a human' '
	mmp approvals list --pending --json >p.json &&
	test "$(json_get p.json "[.approvals[].version] | map(tostring) | join(\",\")")" = "4,5,6,7,8" &&
	mmp approvals list --pending >p.txt &&
	test_grep "^m      v6       NEEDS_REVIEW" p.txt &&
	mmp approvals list m --json >all.json &&
	test "$(json_get all.json ".approvals | length")" = 9
'

test_expect_success JQ 'a human approves a version that needs review' '
	mmp approve m v6 --by alice --notes "checked the slices" --json >m6.json &&
	test "$(json_get m6.json .approval.decision)" = APPROVED &&
	test "$(json_get m6.json .approval.manual)" = true &&
	test "$(json_get m6.json .approval.actor)" = alice &&
	test "$(json_get m6.json .approval.reason)" = "approved by alice: checked the slices" &&
	test "$(json_get m6.json .approval.evidence.previous.decision)" = NEEDS_REVIEW &&
	mmp approvals list --pending --json >p.json &&
	test "$(json_get p.json "[.approvals[].version] | map(tostring) | join(\",\")")" = "4,5,7,8"
'

test_expect_success JQ 'a human rejects (exit 3); notes are required' '
	test_expect_code 129 mmp approve m 7 --reject --by bob 2>err &&
	test_grep "needs .--by. and .--notes." err &&
	test_expect_code 3 mmp approve m 7 --reject --by bob --notes "no roc_auc" --json >r7.json &&
	test "$(json_get r7.json .approval.decision)" = REJECTED &&
	test "$(json_get r7.json .approval.reason)" = "rejected by bob: no roc_auc"
'

test_expect_success 'conflicting decisions are refused' '
	test_expect_code 1 mmp approve m 2 --by alice 2>err &&
	test_grep "m version 2 was already REJECTED by ci at .*; a conflicting APPROVED decision is refused" err &&
	test_expect_code 1 mmp approve m 1 --reject --by bob --notes no 2>err &&
	test_grep "m version 1 was already APPROVED by ci at .* \(every threshold passed; no Production version to compare with\); a conflicting REJECTED decision is refused" err &&
	cat >strict.yaml <<-\EOF &&
	comparison: {metric: roc_auc, min_improvement: 0.01}
	EOF
	test_expect_code 1 mmp approve m 7 --policy strict.yaml 2>err &&
	test_grep "m version 7 was already REJECTED" err
'

test_expect_success 'a manual approval needs a decision to review' '
	reg m accuracy=0.9 logloss=0.3 roc_auc=0.9 &&
	test_expect_code 1 mmp approve m 9 --by alice 2>err &&
	test_grep "m version 9 has no decision to review: run .mmp approve m v9. first" err
'

test_expect_success 'the same decision again is recorded, not refused' '
	mmp approve m 1 --policy policy.yaml &&
	test_expect_code 3 mmp approve m 2 --policy policy.yaml
'

test_expect_success JQ 'a minimized comparison metric' '
	cat >loss.yaml <<-\EOF &&
	comparison:
	  metric: logloss
	  max_degradation: 0.0
	EOF
	reg m accuracy=0.9 logloss=0.25 &&
	test_expect_code 2 mmp approve m 10 --policy loss.yaml --json >l.json &&
	test "$(json_get l.json .approval.evidence.comparison.direction)" = minimize &&
	test "$(json_get l.json .approval.evidence.comparison.outcome)" = not_comparable &&
	reg m accuracy=0.9 logloss=0.35 &&
	test_expect_code 2 mmp approve m 11 --policy loss.yaml
'

test_expect_success 'without --policy: configs/approval.yaml of the project' '
	reg m accuracy=0.5 precision=0.9 recall=0.9 logloss=0.1 roc_auc=0.99 &&
	test_expect_code 3 mmp approve m 12 --json >d.json &&
	test_grep "\"policy\":\"$PWD/proj/configs/approval.yaml\"" d.json &&
	test_grep "failed thresholds: accuracy 0.5 < min 0.75" d.json
'

test_expect_success 'without any policy: an error that says where to put one' '
	mv proj/configs/approval.yaml approval.saved &&
	test_expect_code 1 mmp approve m 9 2>err &&
	test_grep "no approval policy for m version 9: give --policy, or write configs/approval.yaml or an .approval:. section in the recipe" err
'

test_expect_success JQ 'else the approval: section of the recipe the run used' '
	cp proj/recipes/breast-cancer.yaml proj/recipes/gated.yaml &&
	cat >>proj/recipes/gated.yaml <<-\EOF &&
	approval:
	  thresholds:
	    accuracy: {min: 0.999}
	EOF
	(cd proj && mmp train -q --recipe recipes/gated.yaml --json >../t.json) &&
	mmp register "$(json_get t.json .run_id)" --name bc &&
	test_expect_code 3 mmp approve bc 1 --json >g.json &&
	json_get g.json .approval.policy | grep "/recipe.yaml$" &&
	test_grep "failed thresholds: accuracy 0.98" g.json &&
	mv approval.saved proj/configs/approval.yaml
'

test_expect_success 'a recipe with a bad approval: section trains (it is checked by approve)' '
	test "$(sql $DB "SELECT status FROM runs ORDER BY start_time DESC LIMIT 1")" = FINISHED
'

test_expect_success 'bad policies: file:line:column, key path, did you mean' '
	printf "threshold:\n  accuracy: {min: 0.7}\n" >b1.yaml &&
	test_expect_code 1 mmp approve m 9 --policy b1.yaml 2>err &&
	echo "error: b1.yaml:1:1: unknown key '\''threshold'\''; did you mean '\''thresholds'\''?" >expect &&
	test_cmp expect err &&
	printf "thresholds:\n  accuracy: {mni: 0.7}\n  recall: {min: abc}\n  f1: 0.5\n  auc: {min: 0.9, max: 0.8}\ncomparison:\n  direction: upward\n  min_improvement: -1\n" >b2.yaml &&
	test_expect_code 1 mmp approve m 9 --policy b2.yaml 2>err &&
	test_grep "^error: b2.yaml:2:14: thresholds.accuracy.mni: unknown key .mni.; did you mean .min..$" err &&
	test_grep "^error: b2.yaml:3:17: thresholds.recall.min: expected a number, got a string .abc.$" err &&
	test_grep "^error: b2.yaml:4:7: thresholds.f1: expected {min: x}, {max: x}, {min_ci_low: x} or {max_ci_high: x}, got a string$" err &&
	test_grep "^error: b2.yaml:5:8: thresholds.auc: min 0.9 is above max 0.8$" err &&
	test_grep "^error: b2.yaml:7:14: comparison.direction: expected one of maximize, minimize, got .upward.$" err &&
	test_grep "^error: b2.yaml:8:20: comparison.min_improvement: expected a number >= 0, got .-1.$" err &&
	test_grep "^error: b2.yaml:6:1: comparison: .metric. is required" err &&
	printf "thresholds: [\n" >b3.yaml &&
	test_expect_code 1 mmp approve m 9 --policy b3.yaml 2>err &&
	test_grep "^error: b3.yaml:2:1: " err &&
	printf "description: nothing\n" >b4.yaml &&
	test_expect_code 1 mmp approve m 9 --policy b4.yaml 2>err &&
	test_grep "b4.yaml:1:1: the policy has no thresholds and no comparison" err &&
	test_expect_code 1 mmp approve m 9 --policy nope.yaml 2>err &&
	test_grep "no approval policy .nope.yaml." err
'

test_expect_success 'unknown model or version; usage errors' '
	test_expect_code 1 mmp approve mm 1 --policy policy.yaml 2>err &&
	test_grep "no model .mm.; did you mean .m.?" err &&
	test_expect_code 1 mmp approve m 99 --policy policy.yaml 2>err &&
	test_grep "model .m. has no version 99" err &&
	test_expect_code 129 mmp approve m x 2>err &&
	test_grep "invalid version .x.: expected a number such as 3 or v3" err &&
	test_expect_code 129 mmp approve m 2>err &&
	test_expect_code 129 mmp approve m 1 --notes x 2>err &&
	test_expect_code 129 mmp approve m 1 --policy p --by x 2>err
'

test_expect_success JQ 'every decision has an audit row' '
	mmp audit m --json >au.json &&
	test "$(json_get au.json "[.entries[] | select(.subject == \"decision\")] | length")" = \
		"$(sql $DB "SELECT count(*) FROM model_approvals WHERE name = \"m\"")" &&
	test "$(json_get au.json "[.entries[] | select(.action == \"reject\")][0] | [.actor, .version, .before, .after] | @csv")" = \
		"\"bob\",7,\"NEEDS_REVIEW\",\"REJECTED\"" &&
	mmp audit verify
'

test_done
