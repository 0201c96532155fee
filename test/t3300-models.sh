#!/bin/sh
# t3300-models: models list/show/lineage/compare/delete/export on
# trained runs, references everywhere a model is named, serve-api --model

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

test_expect_success JQ 'train twice and register both runs' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml --json >../t1.json &&
	 mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=5 --json >../t2.json) &&
	mmp register "$(json_get t1.json .run_id)" --name bc &&
	mmp register "$(json_get t2.json .run_id)" --name bc &&
	mmp approve bc 1 &&
	mmp promote bc 1 Production
'

test_expect_success JQ 'models list' '
	mmp models list >out &&
	test_grep "^MODEL +VERSIONS +LATEST +PRODUCTION +STAGING +UPDATED$" out &&
	test_grep "^bc +2 +v2 +v1 +- +" out &&
	mmp models list --json >l.json &&
	test "$(json_get l.json ".models | map(.name + \":\" + (.latest_version|tostring)) | join(\",\")")" = "bc:2" &&
	test "$(json_get l.json ".models[0].versions[0].stage")" = Production
'

test_expect_success JQ 'models show: versions, stage, approval, source run metrics' '
	mmp models show bc >out &&
	test_grep "^v1 +Production +- +APPROVED " out &&
	test_grep "^v2 +None +- +- " out &&
	mmp models show bc v1 >out1 &&
	test_grep "^stage: +Production$" out1 &&
	test_grep "^approval: +APPROVED$" out1 &&
	test_grep "^  accuracy " out1 &&
	mmp models show bc --json >s.json &&
	test "$(json_get s.json ".model.versions[0].metrics.accuracy")" = \
		"$(json_get t1.json .metrics.accuracy)" &&
	mmp models show bc 1 --json >s1.json &&
	test "$(json_get s1.json .model_version.approval.decision)" = APPROVED &&
	test "$(json_get s1.json .model_version.run_id)" = "$(json_get t1.json .run_id)"
'

test_expect_success JQ 'models lineage: run, dataset digest, recipe hash, git' '
	mmp models lineage bc@Production --json >lin.json &&
	test "$(json_get lin.json .run.run_id)" = "$(json_get t1.json .run_id)" &&
	test "$(json_get lin.json .datasets[0].digest)" = "$(json_get t1.json .dataset.digest)" &&
	test "$(json_get lin.json .recipe_sha256)" = \
		"$(sha256sum proj/recipes/breast-cancer.yaml | cut -d" " -f1)" &&
	test "$(json_get lin.json .git.commit)" = null &&
	mmp models lineage bc@production >out &&
	test_grep "^model version: bc v1 \(Production\)$" out &&
	test_grep "^dataset: +breast_cancer.csv sha256:" out &&
	test_grep "^git commit: +-$" out
'

test_expect_success JQ 'models compare: metrics and params with deltas' '
	mmp models compare bc 1 v2 --json >c.json &&
	test "$(json_get c.json ".rows[] | select(.key == \"num_boost_round\") | [.a, .b, .changed] | @csv")" != "" &&
	a=$(json_get t1.json .metrics.accuracy) && b=$(json_get t2.json .metrics.accuracy) &&
	json_get c.json ".rows[] | select(.kind == \"metric\" and .key == \"accuracy\") | (.delta - ($b - $a)) | fabs < 1e-12" | grep -x true &&
	mmp models compare bc 1 2 >out &&
	test_grep "^KEY +V1 +V2 +DELTA$" out &&
	test_grep "^metrics.accuracy " out
'

test_expect_success 'references: every form, and every way to get one wrong' '
	for r in bc@Production bc@production bc@PRODUCTION bc@v1 bc/1 bc@latest
	do
		mmp models lineage $r --json >r.json || return 1
	done &&
	test_expect_code 1 mmp models lineage bc@Staging 2>err &&
	test_grep "model .bc. has no version in stage Staging" err &&
	test_expect_code 1 mmp models lineage bc@champion 2>err &&
	test_grep "model .bc. has no alias or stage .champion." err &&
	test_expect_code 1 mmp models lineage bc@prod 2>err &&
	test_grep "did you mean .Production.\?" err &&
	test_expect_code 1 mmp models lineage bc@v7 2>err &&
	test_grep "model .bc. has no version 7" err &&
	test_expect_code 1 mmp models lineage cb@latest 2>err &&
	test_grep "no model .cb.; did you mean .bc.\?" err &&
	test_expect_code 1 mmp models lineage bc 2>err &&
	test_grep "invalid model reference .bc.: expected" err &&
	test_expect_code 1 mmp models show nope 2>err &&
	test_grep "no model .nope." err
'

test_expect_success JQ 'models export: the model directory plus registry.json' '
	mmp alias bc champion 1 &&
	mmp models export bc@champion exp --json >e.json &&
	test "$(json_get e.json .version)" = 1 &&
	src=$(json_get t1.json .model_dir) &&
	for f in MLmodel model.ubj mmp-schema.json
	do
		cmp "$src/$f" "exp/$f" || return 1
	done &&
	test "$(jq -r ".name + \" \" + (.version|tostring) + \" \" + .stage" exp/registry.json)" = "bc 1 Production" &&
	test "$(jq -r ".aliases | join(\",\")" exp/registry.json)" = champion &&
	test "$(jq -r .approval.decision exp/registry.json)" = APPROVED &&
	test "$(jq -r .lineage.run_id exp/registry.json)" = "$(json_get t1.json .run_id)" &&
	test "$(jq -r .lineage.datasets[0].digest exp/registry.json)" = "$(json_get t1.json .dataset.digest)" &&
	test -z "$(ls -d exp.tmp-* 2>/dev/null)"
'

test_expect_success 'models export refuses a directory that holds files' '
	test_expect_code 1 mmp models export bc@Production exp 2>err &&
	test_grep "exp. exists and is not an empty directory" err &&
	mkdir empty && mmp models export bc@v2 empty >out &&
	test_grep "exported bc version 2 to empty" out &&
	test -f empty/registry.json
'

test_expect_success 'serve-api --model serves the version a stage names' '
	serve_start prod --model bc@production &&
	test_grep "^serving model bc on http" prod.err &&
	port=$(serve_port prod) &&
	curl -s "http://127.0.0.1:$port/health" >h.json &&
	test "$(json_get h.json .model.version)" = 1 &&
	test "$(json_get h.json .model.run_id)" = "$(json_get t1.json .run_id)" &&
	serve_stop prod
'

test_expect_success 'serve-api --model with an unknown alias fails naming it' '
	test_expect_code 1 mmp serve-api --port 0 --model bc@nosuch 2>err &&
	test_grep "^error: cannot find model .bc@nosuch.: model .bc. has no alias or stage .nosuch." err
'

test_expect_success 'delete refuses a version with a stage or an alias' '
	test_expect_code 1 mmp models delete bc 1 2>err &&
	echo "error: cannot delete bc version 1: cannot delete bc version 1: it is in Production and holds the alias '\''champion'\'' (use --force)" >expect &&
	test_cmp expect err &&
	mmp promote bc 2 Staging &&
	test_expect_code 1 mmp models delete bc 2 2>err &&
	test_grep "it is in Staging \(use --force\)" err
'

test_expect_success SQLITE3 'delete --force removes the version, its alias and decisions' '
	mmp models delete bc 1 --force --by dana >out &&
	echo "deleted bc version 1" >expect && test_cmp expect out &&
	test "$(sql $DB "SELECT count(*) FROM model_versions WHERE version = 1")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM registered_model_aliases")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM model_approvals WHERE version = 1")" = 0 &&
	test "$(sql $DB "SELECT actor || \" \" || before || \" \" || notes FROM registry_audit WHERE action = \"delete\"")" = \
		"dana Production; aliases: champion forced" &&
	test_expect_code 1 mmp models show bc 1 2>err &&
	test_grep "model .bc. has no version 1" err
'

test_expect_success 'usage errors' '
	test_expect_code 129 mmp models lst 2>err &&
	test_grep "unknown sub-command .lst.; did you mean .list.\?" err &&
	test_expect_code 129 mmp models show 2>err &&
	test_expect_code 129 mmp models show bc x 2>err &&
	test_expect_code 129 mmp models compare bc 1 2>err &&
	test_expect_code 129 mmp models delete bc 2>err &&
	test_expect_code 129 mmp models export bc@latest 2>err &&
	test_expect_code 129 mmp models list extra 2>err
'

test_expect_success 'models export: a trailing slash, and missing parents created' '
	mkdir empty-out &&
	mmp models export bc@latest empty-out/ >out &&
	test -f empty-out/MLmodel &&
	test -f empty-out/registry.json &&
	! ls -a . | grep -q "empty-out.tmp" &&
	mmp models export bc@latest new/deeper/out/ >out &&
	test -f new/deeper/out/registry.json &&
	test "$(ls -A new/deeper)" = out
'

test_done
