#!/bin/sh
# t1110-runs-kinds: mmp runs list shows train runs and studies by default,
# trials under their study, batch runs on request; human metrics in 4
# decimals, JSON in full

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

# the kinds and names of a --json listing, in order
listed() {
	jq -r "[.runs[] | .kind + \":\" + .run_name] | join(\",\")" "$1"
}

test_expect_success 'seed train runs, a study with trials, batch runs' '
	$W "$DB" create &&
	$W "$DB" start --name t1 --start 1000000 : \
		metric @ auc=0.912345 best_iteration=41 : end @ FINISHED \
		: start --name t2 --start 2000000 : \
		metric @ auc=0.88 best_iteration=12 : end @ FINISHED \
		: start --name study --kind tune --start 3000000 : \
		metric @ best_value=0.93 : end @ FINISHED >ids &&
	S=$(sed -n 3p ids) &&
	$W "$DB" start --name study-trial-0 --kind trial --parent "$S" \
		--start 3100000 : metric @ auc=0.93 : end @ FINISHED \
		: start --name study-trial-1 --kind trial --parent "$S" \
		--start 3200000 : metric @ auc=0.90 : end @ FINISHED \
		: start --name score-train --kind batch-inference \
		--start 4000000 : param @ evaluate=true : \
		metric @ auc=0.999 : end @ FINISHED \
		: start --name predict --kind batch-inference --start 5000000 : \
		end @ FINISHED >>ids
'

test_expect_success JQ 'by default: train runs and studies, newest first' '
	mmp runs list --json >l.json &&
	test "$(listed l.json)" = "tune:study,train:t2,train:t1"
'

test_expect_success JQ 'ordering by a metric never ranks a batch score by default' '
	mmp runs list --order-by "metrics.auc DESC" --json >o.json &&
	test "$(listed o.json)" = "train:t1,train:t2,tune:study" &&
	mmp runs list --filter "metrics.auc > 0.5" --json >f.json &&
	test "$(listed f.json)" = "train:t2,train:t1"
'

test_expect_success JQ '--kind chooses kinds; all lists every run' '
	mmp runs list --kind batch-inference --json >b.json &&
	test "$(listed b.json)" = \
		"batch-inference:predict,batch-inference:score-train" &&
	mmp runs list --kind all --order-by "metrics.auc DESC" --json >a.json &&
	test "$(jq -r ".runs[0].run_name" a.json)" = score-train &&
	test "$(jq ".runs | length" a.json)" = 7
'

test_expect_success JQ 'a filter that names the kind chooses it' '
	mmp runs list --filter "attributes.kind = '"'batch-inference'"'" \
		--json >k.json &&
	test "$(listed k.json)" = \
		"batch-inference:predict,batch-inference:score-train" &&
	mmp runs list --filter "params.evaluate = '"'true'"' and run.kind != '"'x'"'" \
		--json >k.json &&
	test "$(listed k.json)" = "batch-inference:score-train"
'

test_expect_success JQ 'trials listed with their study sit right under it' '
	mmp runs list --kind tune --kind trial --kind train --json >n.json &&
	test "$(listed n.json)" = \
		"tune:study,trial:study-trial-1,trial:study-trial-0,train:t2,train:t1" &&
	mmp runs list --kind tune --kind trial --kind train >n.txt &&
	sed -n 2p n.txt | grep -E "^[0-9a-f]{8} +study +Default +tune " &&
	sed -n 3p n.txt | grep -E "^[0-9a-f]{8} +  study-trial-1 +Default +trial " &&
	sed -n 4p n.txt | grep -E "^[0-9a-f]{8} +  study-trial-0 +Default +trial " &&
	mmp runs list --kind trial --json >tr.json &&
	test "$(listed tr.json)" = "trial:study-trial-1,trial:study-trial-0"
'

test_expect_success JQ 'human tables: 4 decimals, counts as integers; JSON in full' '
	mmp runs list --kind train >h.txt &&
	head -n 1 h.txt | grep -E "KIND +STATUS +START +DURATION +auc +best_iteration$" &&
	sed -n 3p h.txt | grep -E " t1 .* 0\.9123 +41$" &&
	test "$(jq -r ".runs[1].metrics.auc.value" l.json)" = 0.88 &&
	test "$(jq -r ".runs[2].metrics.auc.value" l.json)" = 0.912345 &&
	mmp runs show t1 >s.txt &&
	grep -E "^  auc +0\.9123 \(step 0\)$" s.txt &&
	grep -E "^  best_iteration +41 \(step 0\)$" s.txt
'

test_expect_success 'an unknown kind is a usage error' '
	test_expect_code 129 mmp runs list --kind trials 2>err &&
	test_grep "option .--kind. expects train, tune, trial, batch-inference, monitor or all" err
'

test_done
