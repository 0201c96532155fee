#!/bin/sh
# t1200-filter: MLflow filter strings in mmp runs list: matches, errors, injection

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

# the names of the runs matching a filter, in name order
names() {
	mmp runs list --filter "$1" --json >names.json &&
	jq -r "[.runs[].run_name] | sort | join(\",\")" names.json
}

test_expect_success JQ 'seed runs' '
	$W "$DB" create &&
	$W "$DB" start --name r1 --experiment churn --user ann : \
		param @ max_depth=6 eta=0.1 "my param=a b" : \
		metric @ auc=0.95 "val loss=0.2" : tag @ team=ml : \
		dataset @ train aaa111 10 2 training : end @ FINISHED \
		: start --name r2 --experiment churn --user bob : \
		param @ max_depth=8 eta=0.3 : metric @ auc=0.85 : \
		tag @ team=ML : dataset @ train bbb222 10 2 training : \
		end @ FAILED \
		: start --name r3 --experiment fraud --user ann --kind tune : \
		param @ max_depth=6 : metric @ auc=nan : \
		tag @ "team=it'"'"'s" note=x : end @ FINISHED >ids
'

test_expect_success JQ 'comparisons on metrics, params, tags, attributes' '
	test "$(names "metrics.auc > 0.9")" = r1 &&
	test "$(names "metrics.auc >= 0.85")" = r1,r2 &&
	test "$(names "metric.auc < 0.9")" = r2 &&
	test "$(names "metrics.auc != 0.95")" = r2,r3 &&
	test "$(names "metrics.auc = 0.85")" = r2 &&
	test "$(names "params.max_depth = '"'6'"'")" = r1,r3 &&
	test "$(names "param.max_depth != \"6\"")" = r2 &&
	test "$(names "parameters.eta = '"'0.1'"'")" = r1 &&
	test "$(names "tags.team = '"'ml'"'")" = r1 &&
	test "$(names "attributes.status = '"'FINISHED'"'")" = r1,r3 &&
	test "$(names "attr.user_id = '"'bob'"'")" = r2 &&
	test "$(names "run.kind = '"'tune'"'")" = r3 &&
	test "$(names "attributes.start_time > 0")" = r1,r2,r3 &&
	test "$(names "attributes.experiment_id = 2")" = r3 &&
	test "$(names "attributes.end_time IS NOT NULL")" = r1,r2,r3
'

test_expect_success JQ 'and/or/parentheses, keywords in any case' '
	test "$(names "metrics.auc > 0.8 AND params.max_depth = '"'6'"'")" = r1 &&
	test "$(names "metrics.auc > 0.8 and tags.team = '"'ML'"'")" = r2 &&
	test "$(names "params.eta = '"'0.3'"' Or run.kind = '"'tune'"'")" = r2,r3 &&
	test "$(names "(params.eta = '"'0.3'"' or params.eta = '"'0.1'"') and metrics.auc < 0.9")" = r2 &&
	test "$(names "params.eta = '"'0.3'"' or params.eta = '"'0.1'"' and metrics.auc < 0.9")" = r2
'

test_expect_success JQ 'LIKE is case-sensitive, ILIKE is not' '
	test "$(names "tags.team LIKE '"'m%'"'")" = r1 &&
	test "$(names "tags.team ILIKE '"'m%'"'")" = r1,r2 &&
	test "$(names "attributes.run_name LIKE '"'r_'"'")" = r1,r2,r3 &&
	test "$(names "tags.team LIKE '"'[m]%'"'")" = "" &&
	test "$(names "tags.team LIKE '"'*'"'")" = ""
'

test_expect_success JQ 'IN, NOT IN, IS NULL, datasets' '
	r1=$(sed -n 1p ids) && r2=$(sed -n 2p ids) &&
	test "$(names "attributes.run_id IN ('"'"'$r1'"'"', '"'"'$r2'"'"')")" = r1,r2 &&
	test "$(names "attributes.run_id NOT IN ('"'"'$r1'"'"')")" = r2,r3 &&
	test "$(names "attributes.status in ('"'FAILED'"')")" = r2 &&
	test "$(names "tags.note IS NULL")" = r1,r2 &&
	test "$(names "tags.note IS NOT NULL")" = r3 &&
	test "$(names "params.eta is null")" = r3 &&
	test "$(names "metrics.auc IS NOT NULL")" = r1,r2,r3 &&
	test "$(names "datasets.digest = '"'bbb222'"'")" = r2 &&
	test "$(names "dataset.name IN ('"'train'"')")" = r1,r2 &&
	test "$(names "datasets.context = '"'training'"'")" = r1,r2
'

test_expect_success JQ 'quoted keys and escaped quotes' '
	test "$(names "metrics.\`val loss\` < 0.5")" = r1 &&
	test "$(names "params.\"my param\" = '"'a b'"'")" = r1 &&
	test "$(names "tags.team = '"'"'it'"'"''"'"'s'"'"'")" = r3 &&
	test "$(names "tags.team = \"it'"'"'s\"")" = r3 &&
	test "$(names "tags.team = '"'"'it\'"'"'s'"'"'")" = r3
'

test_expect_success JQ 'an empty filter matches everything' '
	test "$(names "")" = r1,r2,r3 &&
	test "$(names "   ")" = r1,r2,r3
'

# filter, then the expected message after "error: "
check_error() {
	test_expect_code 1 mmp runs list --filter "$1" 2>err &&
	echo "error: $2" >expect &&
	test_cmp expect err
}

test_expect_success 'syntax errors name the column and the token' '
	check_error "metrics.auc foo 0.9" \
		"invalid filter at column 13: expected a comparator after '"'metrics.auc'"', got '"'foo'"'" &&
	check_error "metrics.auc >" \
		"invalid filter at column 14: expected a number (metric values are numbers) after '"'metrics.auc >'"', got end of input" &&
	check_error "metrics.auc > '"'0.9'"'" \
		"invalid filter at column 15: expected a number (metric values are numbers) after '"'metrics.auc >'"', got '"''"'0.9'"''"'" &&
	check_error "params.max_depth = 6" \
		"invalid filter at column 20: expected a quoted string ('"'...'"' or \"...\") after '"'params.max_depth ='"', got '"'6'"'" &&
	check_error "params.x > '"'1'"'" \
		"invalid filter at column 10: '"'>'"' is not valid for a param ('"'params.x'"'); use = != LIKE ILIKE" &&
	check_error "metrics.auc LIKE '"'1'"'" \
		"invalid filter at column 13: LIKE is not valid for a metric ('"'metrics.auc'"'); use = != < <= > >=" &&
	check_error "status = '"'FINISHED'"'" \
		"invalid filter at column 1: unknown identifier '"'status'"'; did you mean '"'attributes.status'"'?" &&
	check_error "metrcs.auc > 1" \
		"invalid filter at column 1: unknown entity type '"'metrcs'"' in '"'metrcs.auc'"'; expected metrics, params, tags, attributes or datasets" &&
	check_error "attributes.stauts = '"'x'"'" \
		"invalid filter at column 1: unknown attribute '"'stauts'"'; did you mean '"'status'"'?" &&
	check_error "tags.a = '"'"'x" \
		"invalid filter at column 10: unterminated string starting with '"'"'" &&
	check_error "metrics.auc > 1 metrics.x > 2" \
		"invalid filter at column 17: expected AND, OR or the end after '"'1'"', got '"'metrics.x'"'" &&
	check_error "(metrics.auc > 1" \
		"invalid filter at column 17: expected '"')'"' after '"'1'"', got end of input" &&
	check_error "metrics.auc > 1 and" \
		"invalid filter at column 20: expected an identifier like metrics.<key>, params.<key>, tags.<key> or attributes.<name>, got end of input" &&
	check_error "metrics.auc == 1" \
		"invalid filter at column 13: unknown operator '"'=='"'; the comparators are = != < <= > >= LIKE ILIKE" &&
	check_error "metrics.auc > 1e" \
		"invalid filter at column 15: malformed number '"'1e'"'" &&
	check_error "attributes.run_id IN '"'x'"'" \
		"invalid filter at column 22: expected '"'('"' to start the list after '"'attributes.run_id IN'"', got '"''"'x'"''"'" &&
	check_error "tags.x IS 1" \
		"invalid filter at column 11: expected NULL or NOT NULL after '"'tags.x IS'"', got '"'1'"'" &&
	check_error "metrics.auc > 1; DROP TABLE runs" \
		"invalid filter at column 16: unexpected character '"';'"'"
'

# or_terms N: a filter of N comparisons joined by OR
or_terms() {
	i=1
	printf "metrics.auc = %d" 0
	while test $i -lt "$1"
	do
		printf " OR metrics.auc = %d" $i
		i=$((i + 1))
	done
}

test_expect_success JQ 'a filter of up to 200 comparisons runs' '
	test "$(names "$(or_terms 199) OR metrics.auc > 0.9")" = r1 &&
	test "$(names "(metrics.auc > 0.9 OR $(or_terms 199))")" = r1
'

test_expect_success 'more than 200 comparisons is an invalid filter naming the limit' '
	f=$(or_terms 1000) &&
	test_expect_code 1 mmp runs list --filter "$f" 2>err &&
	echo "error: invalid filter at column 4091: more than 200 comparisons in one filter (the limit); split the search" >expect &&
	test_cmp expect err &&
	test_expect_code 1 mmp runs list --filter "metrics.auc > 0.9 OR $(or_terms 200)" 2>err &&
	test_grep "more than 200 comparisons in one filter" err
'

test_expect_success SQLITE3,JQ 'injection attempts are harmless' '
	sql "$DB" "SELECT count(*) FROM runs" >count.before &&
	test_expect_code 1 mmp runs list \
		--filter "params.max_depth = '"'6'"' OR '"'1'"'='"'1'"'" 2>err &&
	test_grep "invalid filter at column 27: expected an identifier" err &&
	test "$(names "params.max_depth = '"'"'6'"'"''"'"' OR 1=1 --'"'"'")" = "" &&
	test "$(names "tags.team = \"x\"\" OR 1=1; DROP TABLE runs; --\"")" = "" &&
	test "$(names "params.\`max_depth = 1) OR (1=1\` = '"'x'"'")" = "" &&
	test "$(names "tags.\`team'"'"') OR 1=1 --\` IS NULL")" = r1,r2,r3 &&
	test_expect_code 1 mmp runs list --filter "metrics.auc > 0 /* x */" 2>err &&
	test_grep "unexpected character ./." err &&
	test_expect_code 1 mmp runs list --filter "metrics.auc > 0 -- x" 2>err &&
	test_grep "invalid filter at column 17" err &&
	test_expect_code 1 mmp runs list \
		--filter "attributes.run_id IN ('"'x'"'); DELETE FROM runs; --" 2>err &&
	test_grep "unexpected character .;." err &&
	test_expect_code 1 mmp runs list \
		--order-by "metrics.auc; DROP TABLE runs" 2>err &&
	test_grep "invalid order-by" err &&
	sql "$DB" "SELECT count(*) FROM runs" >count.after &&
	test_cmp count.before count.after &&
	test "$(sql "$DB" "SELECT count(*) FROM params")" = 6 &&
	test "$(sql "$DB" "PRAGMA integrity_check")" = ok
'

test_done
