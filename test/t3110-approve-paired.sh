#!/bin/sh
# t3110-approve-paired: mmp approve scores the candidate and Production
# on the same rows (the candidate's rebuilt test rows, or --data) with a
# paired bootstrap; a changed data file is refused; interval thresholds;
# the evidence in approvals show; what changed since an earlier decision

. "$(dirname "$0")/test-lib.sh"

if /usr/bin/python3 -c 'import sklearn, xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYSK
fi

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER
DB=$PWD/proj/.mmp/mmp.db
DATA=$PWD/proj/recipes/data/breast_cancer.csv
mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }

# train NAME [--set ...]: train breast-cancer, register as bc, keep the json
train() {
	out=$1 && shift &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml "$@" \
		--json >../$out.json) &&
	mmp register "$(json_get $out.json .run_id)" --name bc >/dev/null
}

# close A B: two numbers equal within 1e-12
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-12 && d > -1e-12) }'
}

# metric RUN_JSON KEY: the recorded test metric of a train --json
metric() {
	json_get "$1" ".metrics.$2"
}

WEAK="--set model.num_boost_round=3 --set model.params.max_depth=1"

test_expect_success JQ 'set up: weak v1, strong v2 and v3 (identical), weak v4' '
	mmp init -q proj &&
	train w1 $WEAK && train s2 && train s3 && train w4 $WEAK &&
	cat >strict.yaml <<-\EOF &&
	comparison: {metric: roc_auc}
	EOF
	cat >tol.yaml <<-\EOF &&
	comparison: {metric: roc_auc, max_degradation: 0.01}
	EOF
	cat >rej.yaml <<-\EOF &&
	comparison: {metric: roc_auc, otherwise: rejected}
	EOF
	cat >loss.yaml <<-\EOF &&
	comparison: {metric: logloss, max_degradation: 0.0}
	EOF
	mmp approve bc 1 --policy strict.yaml --json >a1.json &&
	test "$(json_get a1.json .approval.evidence.comparison.outcome)" = no_baseline &&
	mmp promote bc 1 Production
'

test_expect_success JQ 'both models are scored on the candidate test rows' '
	mmp approve bc 2 --policy strict.yaml --json >a2.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get a2.json .approval.decision)" = APPROVED &&
	test "$(json_get a2.json $C.outcome)" = improved &&
	test "$(json_get a2.json $C.baseline_version)" = 1 &&
	test "$(json_get a2.json $C.rows.source)" = test &&
	test "$(json_get a2.json $C.rows.file)" = "$DATA" &&
	test "$(json_get a2.json $C.rows.count)" = "$(json_get s2.json .rows.test)" &&
	test "$(json_get a2.json $C.rows.file_rows)" = 569 &&
	test "$(json_get a2.json $C.rows.run_id)" = "$(json_get s2.json .run_id)" &&
	test "$(json_get a2.json $C.rows.sha256)" = "$(json_get s2.json .dataset.digest)" &&
	test "$(json_get a2.json "$C.rows.split | [.method, .test_size, .seed, .stratify] | @csv")" = \
		"\"random\",0.2,42,true" &&
	test "$(json_get a2.json "$C | [.resamples, .confidence, .seed] | @csv")" = "1000,0.95,0" &&
	mmp runs show "$(json_get s2.json .run_id)" --json >s2run.json &&
	test "$(json_get a2.json $C.rows.rows_sha256)" = \
		"$(json_get s2run.json ".run.params[\"split.test_sha256\"]")" &&
	test "$(json_get a2.json $C.rows.baseline_trained_on)" = 0
'

test_expect_success JQ 'the values are the test metrics: the same rows for both' '
	C=".approval.evidence.comparison" &&
	close "$(json_get a2.json $C.value)" "$(metric s2.json roc_auc)" &&
	close "$(json_get a2.json $C.baseline)" "$(metric w1.json roc_auc)" &&
	close "$(json_get a2.json $C.difference)" \
		"$(json_get a2.json "$C.value - $C.baseline")" &&
	close "$(json_get a2.json $C.improvement)" "$(json_get a2.json $C.difference)" &&
	json_get a2.json "$C | .improvement_low > 0 and .improvement_low <= .improvement and .improvement <= .improvement_high" | grep -x true &&
	test "$(json_get a2.json $C.valid_samples)" = 1000 &&
	close "$(json_get a2.json $C.recorded.value)" "$(metric s2.json roc_auc)" &&
	test_grep "roc_auc improves on Production version 1 by" a2.json
'

test_expect_success JQ 'the bootstrap is reproducible: the same interval again' '
	mmp approve bc 2 --policy strict.yaml --json >a2b.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get a2.json "$C | [.improvement_low, .improvement_high] | @csv")" = \
		"$(json_get a2b.json "$C | [.improvement_low, .improvement_high] | @csv")" &&
	test "$(json_get a2b.json .approval.evidence.previous.same)" = true
'

test_expect_success JQ,PYSK '--data: every row of another labelled file; the difference checked with sklearn' '
	{ head -n 1 "$DATA" && sed -n 400,569p "$DATA"; } >held.csv &&
	mmp approve bc 2 --policy strict.yaml --data held.csv --json >d2.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get d2.json $C.rows.source)" = data &&
	test "$(json_get d2.json $C.rows.count)" = 170 &&
	test "$(json_get d2.json $C.rows.split)" = null &&
	cat >check.py <<-\EOF &&
	import csv, json, sys
	import numpy as np, xgboost as xgb
	from sklearn.metrics import roc_auc_score
	ev = json.load(open(sys.argv[1]))["approval"]["evidence"]["comparison"]
	rows = list(csv.DictReader(open(sys.argv[2])))
	y = np.array([int(r["target"]) for r in rows])
	def auc(model):
	    b = xgb.Booster(model_file=model)
	    x = np.array([[float(r[f]) for f in b.feature_names] for r in rows],
	                 dtype=np.float32)
	    return roc_auc_score(y, b.predict(xgb.DMatrix(x, feature_names=b.feature_names)))
	a, base = auc(sys.argv[3]), auc(sys.argv[4])
	for key, want in (("value", a), ("baseline", base), ("difference", a - base)):
	    if abs(ev[key] - want) > 1e-12:
	        sys.exit("%s: mmp %r, sklearn %r" % (key, ev[key], want))
	EOF
	/usr/bin/python3 check.py d2.json held.csv \
		"$(json_get s2.json .model_dir)/model.ubj" \
		"$(json_get w1.json .model_dir)/model.ubj"
'

test_expect_success JQ 'an identical model shows no gain: review, then a tolerance approves' '
	mmp promote bc 2 Production &&
	test_expect_code 2 mmp approve bc 3 --policy strict.yaml --json >a3.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get a3.json $C.outcome)" = inconclusive &&
	test "$(json_get a3.json "$C | [.difference, .improvement_low, .improvement_high] | @csv")" = "0,0,0" &&
	json_get a3.json .approval.reason | grep -x "roc_auc changes by +0 against Production version 2 (95% interval +0 to +0 over 114 rows; \(0\.[0-9]*\) vs \1): no gain shown above min_improvement 0" &&
	mmp approve bc 3 --policy tol.yaml >out &&
	sed -n 1p out | grep -x "bc version 3: APPROVED" &&
	sed -n 2p out | grep "within max_degradation 0.01$" &&
	sed -n 3p out | grep "^earlier: NEEDS_REVIEW by ci at .*: roc_auc changes by +0" &&
	sed -n 4p out | grep -x "it differs because the policy is .tol.yaml. now (it was .strict.yaml.); the comparison is within_tolerance now (it was inconclusive)"
'

test_expect_success JQ 'a minimized metric: worse logloss needs review' '
	test_expect_code 2 mmp approve bc 4 --policy loss.yaml --json >l4.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get l4.json $C.direction)" = minimize &&
	test "$(json_get l4.json $C.outcome)" = degraded &&
	close "$(json_get l4.json $C.baseline)" "$(metric s2.json logloss)" &&
	close "$(json_get l4.json $C.value)" "$(metric w4.json logloss)" &&
	close "$(json_get l4.json $C.improvement)" "$(json_get l4.json "0 - $C.difference")" &&
	json_get l4.json "$C | .difference > 0 and .improvement_high < 0" | grep -x true
'

test_expect_success JQ 'otherwise: rejected turns a loss into a rejection (exit 3)' '
	test_expect_code 3 mmp approve bc 4 --policy rej.yaml --json >r4.json &&
	test "$(json_get r4.json .approval.decision)" = REJECTED &&
	test "$(json_get r4.json .approval.evidence.comparison.outcome)" = degraded &&
	test_grep "worse, and the policy has no max_degradation" r4.json &&
	test "$(json_get r4.json ".approval.evidence.previous.changes | join(\";\")")" = \
		"the policy is '"'rej.yaml'"' now (it was '"'loss.yaml'"');the comparison metric is roc_auc now (it was logloss)"
'

test_expect_success JQ,SQLITE3 'a changed data file is refused and nothing is stored' '
	train s5 &&
	n=$(sql "$DB" "SELECT count(*) FROM model_approvals") &&
	a=$(sql "$DB" "SELECT count(*) FROM registry_audit") &&
	cp "$DATA" data.saved &&
	sed -n 2p "$DATA" >>"$DATA" &&
	test_expect_code 1 mmp approve bc 5 --policy strict.yaml 2>err &&
	test_grep "^error: cannot approve bc version 5: cannot compare bc version 5 on its test rows; give --data with a labelled file to compare on: the data file .$DATA. changed since run [0-9a-f]{8} was trained on it \(sha256 [0-9a-f]{12} then, [0-9a-f]{12} now\)$" err &&
	test "$(sql "$DB" "SELECT count(*) FROM model_approvals")" = "$n" &&
	test "$(sql "$DB" "SELECT count(*) FROM registry_audit")" = "$a" &&
	test_expect_code 1 mmp approvals show bc 5 2>err &&
	test_grep "bc version 5 has no decision yet" err &&
	mv "$DATA" moved.csv &&
	test_expect_code 1 mmp approve bc 5 --policy strict.yaml 2>err &&
	test_grep "the data file .$DATA. of run [0-9a-f]{8} no longer exists" err &&
	test "$(sql "$DB" "SELECT count(*) FROM model_approvals")" = "$n" &&
	test_expect_code 2 mmp approve bc 5 --policy strict.yaml --data data.saved --json >d5.json &&
	test "$(json_get d5.json .approval.evidence.comparison.rows.count)" = 569 &&
	mv data.saved "$DATA"
'

test_expect_success JQ 'a --data file without the target, or missing, fails cleanly' '
	cut -d, -f1-30 "$DATA" >nolabel.csv &&
	test_expect_code 1 mmp approve bc 4 --policy strict.yaml --data nolabel.csv 2>err &&
	test_grep "target" err &&
	test_expect_code 1 mmp approve bc 4 --policy strict.yaml --data nothere.csv 2>err &&
	test_grep "nothere.csv" err &&
	test_expect_code 129 mmp approve bc 4 --by ann --data held.csv 2>err &&
	test_grep "'"'--data' and '--by' cannot be combined"'" err
'

test_expect_success JQ 'a candidate whose test rows cannot be rebuilt needs review' '
	id=$(mkrun FINISHED roc_auc=0.99) &&
	mmp register "$id" --name bc >/dev/null &&
	test_expect_code 2 mmp approve bc 6 --policy strict.yaml --json >n6.json &&
	test "$(json_get n6.json .approval.evidence.comparison.outcome)" = not_comparable &&
	test "$(json_get n6.json .approval.reason)" = \
		"cannot compare roc_auc with Production version 2 on the same rows: run $(echo $id | cut -c1-8) records no training data file; give --data with a labelled file, or decide with --by"
'

test_expect_success JQ 'thresholds on the recorded interval' '
	cat >ci.yaml <<-\EOF &&
	thresholds:
	  roc_auc: {min: 0.9, min_ci_low: 0.96}
	  logloss: {max_ci_high: 0.4}
	EOF
	id=$(mkrun FINISHED roc_auc=0.97 roc_auc_ci_low=0.95 roc_auc_ci_high=0.99 logloss_ci_high=0.3) &&
	mmp register "$id" --name ci >/dev/null &&
	test_expect_code 3 mmp approve ci 1 --policy ci.yaml --json >c1.json &&
	test "$(json_get c1.json .approval.reason)" = \
		"failed thresholds: roc_auc_ci_low 0.95 < min_ci_low 0.96" &&
	test "$(json_get c1.json ".approval.evidence.thresholds[0] | [.value, .ci_low, .min_ci_low, .passed] | @csv")" = \
		"0.97,0.95,0.96,false" &&
	test "$(json_get c1.json ".approval.evidence.thresholds[1] | [.ci_high, .max_ci_high, .passed] | @csv")" = \
		"0.3,0.4,true" &&
	id=$(mkrun FINISHED roc_auc=0.97 roc_auc_ci_low=0.965 logloss_ci_high=0.3) &&
	mmp register "$id" --name ci >/dev/null &&
	mmp approve ci 2 --policy ci.yaml &&
	id=$(mkrun FINISHED roc_auc=0.97) &&
	mmp register "$id" --name ci >/dev/null &&
	test_expect_code 3 mmp approve ci 3 --policy ci.yaml --json >c3.json &&
	test "$(json_get c3.json .approval.reason)" = \
		"failed thresholds: roc_auc_ci_low was not logged by the run (its evaluation had no bootstrap); logloss_ci_high was not logged by the run (its evaluation had no bootstrap)"
'

test_expect_success 'bad comparison settings name the file, line and key' '
	printf "comparison:\n  metric: roc_auc\n  confidence: 1.5\n  otherwise: maybe\n  bootstrap: 10\n" >bad.yaml &&
	test_expect_code 1 mmp approve bc 4 --policy bad.yaml 2>err &&
	test_grep "bad.yaml:3:.*comparison.confidence" err &&
	test_grep "bad.yaml:4:.*comparison.otherwise" err &&
	test_grep "bad.yaml:5:.*comparison.bootstrap" err &&
	printf "thresholds:\n  auc: {min_ci_lo: 0.9}\n" >bad2.yaml &&
	test_expect_code 1 mmp approve bc 4 --policy bad2.yaml 2>err &&
	test_grep "bad2.yaml:2:.*did you mean .min_ci_low." err
'

test_expect_success JQ 'approvals show: the evidence of the latest decision, or all' '
	mmp approvals show bc 2 --json >s.json &&
	test "$(json_get s.json .approval.id)" = "$(json_get d2.json .approval.id)" &&
	test "$(json_get s.json .approval.evidence.comparison.rows.count)" = 170 &&
	mmp approvals show bc v2 --all --json >all.json &&
	test "$(json_get all.json "[.approvals[].evidence.comparison.rows.source] | join(\",\")")" = \
		"test,test,data" &&
	mmp approvals show bc 3 >s3.txt &&
	sed -n 1p s3.txt | grep -x "bc version 3: APPROVED" &&
	grep -E "^  rows +114 test rows of .$DATA. \(sha256 [0-9a-f]{12}\)$" s3.txt &&
	grep -E "^  split +random, test_size 0.2, seed 42, stratified, of run [0-9a-f]{8}$" s3.txt &&
	grep -E "^  improvement +\+0.0000 \(95% interval \+0.0000 to \+0.0000, 1000 of 1000 samples\)$" s3.txt &&
	grep -E "^  outcome +within_tolerance$" s3.txt &&
	grep -E "^  changed: the policy is .tol.yaml. now" s3.txt &&
	mmp approvals show ci 1 >c1.txt &&
	sed -n 1p c1.txt | grep -x "ci version 1: REJECTED" &&
	grep -E "^  roc_auc +value 0.9700 \(min 0.9000\) ci_low 0.9500 \(min_ci_low 0.9600\)  FAILED$" c1.txt &&
	grep -E "^  logloss +ci_high 0.3000 \(max_ci_high 0.4000\)  passed$" c1.txt &&
	! grep "^comparison:" c1.txt &&
	test_expect_code 1 mmp approvals show bc 9 2>err &&
	test_grep "no version 9" err
'

test_expect_success JQ 'Production trained on some of the test rows: the evidence says how many' '
	train s7 --set data.split.seed=7 &&
	mmp runs show "$(json_get s7.json .run_id)" --json >s7run.json &&
	test "$(json_get s7run.json ".run.tags[\"mmp.recipe.overrides\"]")" = \
		"[\"data.split.seed=7\"]" &&
	{ mmp approve bc 7 --policy tol.yaml --json >o7.json; test $? -le 2; } &&
	n=$(json_get o7.json .approval.evidence.comparison.rows.baseline_trained_on) &&
	test "$n" -gt 0 && test "$n" -lt 114 &&
	json_get o7.json .approval.reason | grep "; $n of the rows were among Production version 2.s training rows$"
'

test_done
