#!/bin/sh
# t0040-messages: YAML syntax errors say what usually causes them, and
# misplaced keys are answered with their full path

. "$(dirname "$0")/test-lib.sh"

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE

runs_count() {
	mmp runs list --all --json | jq ".runs | length"
}

test_expect_success JQ 'setup' '
	mmp init -q proj &&
	test "$(runs_count)" = 0
'

test_expect_success JQ 'a tab in the indentation is named' '
	printf "model:\n  type: xgboost\n  params:\n\tmax_depth: 3\n" >tab.yaml &&
	test_expect_code 1 mmp train --recipe tab.yaml 2>err &&
	echo "error: tab.yaml:4:1: found character that cannot start any token; line 4 is indented with a tab: YAML indents with spaces only" >expect &&
	test_cmp expect err &&
	test "$(runs_count)" = 0
'

test_expect_success JQ 'key:value without a space is named, with its line' '
	printf "model:\n  type:xgboost\n  params:\n    max_depth: 3\n" >nospace.yaml &&
	test_expect_code 1 mmp train --recipe nospace.yaml 2>err &&
	echo "error: nospace.yaml:3:9: mapping values are not allowed in this context; line 2 needs a space after the '"'"':'"'"' in '"'"'type:xgboost'"'"' (write '"'"'key: value'"'"')" >expect &&
	test_cmp expect err &&
	test "$(runs_count)" = 0
'

test_expect_success 'a URL value is not taken for a missing space' '
	printf "data:\n  source: http://x/y.csv\nmodel:\n  params:\n    max_depth: 3\n   eta: 2\n" >indent.yaml &&
	test_expect_code 1 mmp train --recipe indent.yaml 2>err &&
	test_grep "^error: indent.yaml:6:4: did not find expected key; check the indentation of line 6 and the lines above it: the keys of one mapping start in the same column" err &&
	! grep "needs a space" err
'

test_expect_success 'a key without its colon is named' '
	printf "data:\n  source: x.csv\n  interface\n    target_column: y\n" >nocolon.yaml &&
	test_expect_code 1 mmp train --recipe nocolon.yaml 2>err &&
	test_grep "^error: nocolon.yaml:4:[0-9]+: could not find expected .:.; line 3 has no .:. after .interface." err
'

test_expect_success 'a flow list error gets no indentation advice' '
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml \
		--set "data.na_values=[a" 2>../err) &&
	test_grep "did not find expected .,. or .\].$" err
'

test_expect_success 'a configuration file gets the same explanation' '
	cp proj/configs/base.yaml base.save &&
	printf "serve:\n  port: 8000\n threads: 2\n" >proj/configs/base.yaml &&
	(cd proj && mmp config list 2>../err); ret=$?
	cp base.save proj/configs/base.yaml &&
	test $ret = 1 &&
	test_grep "^error: configs/base.yaml:3:2: did not find expected key; check the indentation of line 3" err
'

test_expect_success JQ '--set params.max_depth suggests model.params.max_depth' '
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml \
		--set params.max_depth=3 2>../err) &&
	echo "error: --set params.max_depth=3: unknown key '"'"'params'"'"'; did you mean '"'"'model.params.max_depth'"'"'?" >expect &&
	test_cmp expect err &&
	test "$(runs_count)" = 0
'

test_expect_success '--set split.test_size suggests data.split.test_size' '
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml \
		--set split.test_size=0.3 2>../err) &&
	test_grep "unknown key .split.; did you mean .data\.split\.test_size.\?" err
'

test_expect_success 'a key under the wrong section is given its full path' '
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml \
		--set split.nosuch=1 2>../err) &&
	test_grep "unknown key .split.; did you mean .data\.split.\?" err &&
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml \
		--set modle.x=1 2>../err) &&
	test_grep "unknown key .modle.; did you mean .model.\?" err
'

test_expect_success JQ 'the right path trains' '
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.params.max_depth=3 --set model.num_boost_round=5 \
		--json >../ok.json) &&
	test "$(jq -r .status ok.json)" = FINISHED &&
	test "$(runs_count)" = 1
'

test_done
