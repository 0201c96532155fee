#!/bin/sh
# t3700-examples: scripts/examples: the CI script's train -> approve ->
# promote by exit codes, and the Airflow DAG calling the same commands

. "$(dirname "$0")/test-lib.sh"

CI="$SRC_DIR/scripts/examples/ci-train-promote.sh"
DAG="$SRC_DIR/scripts/examples/airflow_dag.py"

test_expect_success 'set up a project' '
	mmp init -q proj &&
	sed "s/^  num_boost_round: .*/  num_boost_round: 30/" \
		proj/recipes/breast-cancer.yaml >proj/recipes/bc.yaml
'

test_expect_success JQ 'approved: trained, registered and promoted, exit 0' '
	(cd proj && sh "$CI" recipes/bc.yaml cancer >../out 2>../err) &&
	grep "^ci: cancer v1 approved$" err &&
	grep "^ci: cancer v1 is in Production$" err &&
	(cd proj && mmp models show cancer --json >../m.json) &&
	test "$(json_get m.json ".model.versions[0].stage")" = Production &&
	test "$(json_get m.json ".model.versions[0].run_id")" = \
		"$(json_get proj/train.json .run_id)"
'

test_expect_success JQ 'rejected by the policy: exit 3, nothing promoted' '
	cp proj/configs/approval.yaml approval.saved &&
	printf "thresholds:\n  accuracy:\n    min: 0.9999\n" >proj/configs/approval.yaml &&
	(cd proj && test_expect_code 3 sh "$CI" recipes/bc.yaml cancer 2>../err) &&
	grep "^ci: cancer v2 rejected: " err &&
	(cd proj && mmp models show cancer --json >../m.json) &&
	test "$(json_get m.json ".model.versions[1].stage")" = None &&
	test "$(json_get m.json ".model.versions[0].stage")" = Production
'

test_expect_success JQ 'worse than Production: needs review, exit 2' '
	cat >proj/configs/approval.yaml <<-\EOF &&
	thresholds:
	  accuracy:
	    min: 0.5
	comparison:
	  metric: roc_auc
	  direction: maximize
	  min_improvement: 0.0001
	  max_degradation: 0.0001
	EOF
	sed -e "s/^  num_boost_round: .*/  num_boost_round: 2/" \
		-e "s/^    max_depth: .*/    max_depth: 1/" \
		proj/recipes/breast-cancer.yaml >proj/recipes/weak.yaml &&
	(cd proj && test_expect_code 2 sh "$CI" recipes/weak.yaml cancer 2>../err) &&
	grep "^ci: cancer v3 needs a human review: mmp approve cancer v3 --by <name>$" err &&
	(cd proj && mmp models show cancer v3 --json >../v3.json) &&
	test "$(json_get v3.json .model_version.stage)" = None
'

test_expect_success 'a failed training stops at once, exit 1' '
	cp approval.saved proj/configs/approval.yaml &&
	printf "name: broken\ntask: regression\n" >proj/recipes/broken.yaml &&
	(cd proj && test_expect_code 1 sh "$CI" recipes/broken.yaml cancer 2>../err) &&
	grep "^ci: training failed$" err &&
	(cd proj && mmp models show cancer --json >../m.json) &&
	test "$(json_get m.json ".model.versions | length")" = 3
'

test_expect_success 'usage: both arguments are required' '
	(cd proj && test_must_fail sh "$CI" recipes/bc.yaml 2>../err) &&
	grep "usage: ci-train-promote.sh RECIPE MODEL" err
'

test_expect_success 'the Airflow DAG compiles and runs the same commands' '
	PYTHONPYCACHEPREFIX="$TRASH_DIRECTORY/pycache" \
		/usr/bin/python3 -m py_compile "$DAG" &&
	! test -e "$SRC_DIR/scripts/examples/__pycache__" &&
	test "$(grep -c "BashOperator(" "$DAG")" = 4 &&
	grep "bash_command=f\"mmp train --recipe {RECIPE} --json" "$DAG" &&
	grep "\"mmp register {{ ti.xcom_pull(task_ids=.train.) }} \"" "$DAG" &&
	grep "f\"mmp approve {MODEL} \"" "$DAG" &&
	grep "f\"mmp promote {MODEL} \"" "$DAG" &&
	grep -x "    train >> register >> approve >> promote" "$DAG" &&
	for c in "mmp train --recipe" "mmp register" "mmp approve" "mmp promote"
	do
		grep -q "\"\$MMP\" ${c#mmp }" "$CI" || return 1
	done
'

test_done
