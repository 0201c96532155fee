#!/bin/sh
# t2310-forest: mmp's compiled trees predict every bundled recipe's model
# bit for bit as XGBoost does, on rows that sit on, just below and just
# above every split threshold, with NaNs, infinities and unseen or
# negative category codes.

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"

test_expect_success 'set up the bundled recipes' '
	mmp init -q proj &&
	cp "$RECIPES/diabetes.yaml" "$RECIPES/penguins.yaml" proj/recipes/ &&
	cp "$RECIPES/data/diabetes.csv" "$RECIPES/data/penguins.csv" \
		proj/recipes/data/
'

for r in breast-cancer diabetes penguins
do
	test_expect_success JQ "$r: compiled trees agree with XGBoost" '
		(cd proj && mmp train --recipe recipes/$r.yaml -q --json) \
			>$r.json &&
		dir=$(json_get $r.json .model_dir) &&
		"$HELPERS/forestcheck" "$dir" 20000 1 >$r.check &&
		test "$(json_get $r.check .rows)" = 20000 &&
		test "$(json_get $r.check .trees)" -gt 0 &&
		test "$(json_get $r.check .mismatches)" = 0
	'
done

test_expect_success JQ 'penguins: one output per class' '
	test "$(json_get penguins.check .outputs)" = 3
'

test_done
