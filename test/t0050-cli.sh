#!/bin/sh
# t0030-cli: where users put options, default sub-commands, suggestions
# and help topics

. "$(dirname "$0")/test-lib.sh"

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

test_expect_success JQ 'setup: one registered, approved version' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=5 --json >../t1.json) &&
	run=$(json_get t1.json .run_id) &&
	mmp register -q "$run" --name bc >out &&
	test_must_be_empty out &&
	mmp approve bc 1 >/dev/null
'

test_expect_success 'register -v and --verbose are accepted too' '
	mmp register -v "$(json_get t1.json .run_id)" --name bc >out &&
	test_grep "^registered bc version 2 from run " out &&
	mmp register --quiet "$(json_get t1.json .run_id)" --name bc >out &&
	test_must_be_empty out
'

test_expect_success 'an unknown option is still refused' '
	test_expect_code 129 mmp register --loud x --name bc 2>err &&
	test_grep "unknown option .loud." err &&
	test_expect_code 129 mmp register -x x --name bc 2>err &&
	test_grep "unknown switch .x." err &&
	test_expect_code 129 mmp register --quiet=1 x --name bc 2>err
'

test_expect_success 'mmp models with no sub-command lists, as models list' '
	mmp models list >expect &&
	mmp models >actual &&
	test_cmp expect actual &&
	test_grep "^bc +3 +v3 " actual
'

test_expect_success JQ 'mmp models --json is models list --json' '
	mmp models list --json >expect &&
	mmp models --json >actual &&
	test_cmp expect actual &&
	test "$(json_get actual ".models[0].latest_version")" = 3
'

test_expect_success 'mmp approvals with no sub-command lists' '
	mmp approvals list >expect &&
	mmp approvals >actual &&
	test_cmp expect actual &&
	test_grep "^bc +v1 +APPROVED " actual &&
	mmp approvals --pending >pending &&
	test_must_be_empty pending
'

test_expect_success 'a misspelt sub-command is still an error' '
	test_expect_code 129 mmp models lsit 2>err &&
	test_grep "unknown sub-command .lsit.; did you mean .list.?" err &&
	test_expect_code 129 mmp approvals --bogus 2>err &&
	test_grep "unknown option .bogus." err
'

test_expect_success 'mmp serve suggests serve-api' '
	test_expect_code 1 mmp serve 2>err &&
	test_grep "^mmp: .serve. is not an mmp command" err &&
	test "$(tail -n 1 err)" = "	serve-api" &&
	test_expect_code 1 mmp help serve 2>err &&
	test "$(tail -n 1 err)" = "	serve-api"
'

test_expect_success 'a typo is still matched by edit distance' '
	test_expect_code 1 mmp trian 2>err &&
	test "$(tail -n 1 err)" = "	train" &&
	test_expect_code 1 mmp zzzzzzzz 2>err &&
	! grep "most similar" err
'

test_expect_success 'config list --env dev works as config --env dev list' '
	(cd proj &&
	 mmp config --env dev list --show-origin >../expect &&
	 mmp config list --env dev --show-origin >../actual &&
	 mmp config list --show-origin >../base) &&
	test_cmp expect actual &&
	grep "configs/dev.yaml" actual &&
	! test_cmp base actual
'

test_expect_success 'config get <key> --env dev names the environment file' '
	(cd proj && mmp config get --show-origin --env dev serve.port >../out) &&
	(cd proj && mmp config --env dev get --show-origin serve.port >../expect) &&
	test_cmp expect out &&
	(cd proj && test_expect_code 1 mmp config list --env nosuch 2>../err) &&
	test_grep "configs/nosuch.yaml: no configuration file for environment" err
'

# a man(1) that prints its arguments, to see which page is opened
test_expect_success 'setup: a recording man' '
	mkdir bin &&
	printf "#!/bin/sh\necho \"\$@\"\n" >bin/man &&
	chmod +x bin/man
'

for t in recipe:5 config:5 filter:7
do
	topic=${t%:*} sec=${t#*:}
	test_expect_success NOT_SANITIZED "mmp help $topic opens mmp-$topic($sec)" '
		PATH="$PWD/bin:$PATH" mmp help $topic >out &&
		echo "-l $BUILD_DIR/../man/mmp-$topic.$sec" >expect &&
		test_cmp expect out &&
		test -f "$SRC_DIR/man/mmp-$topic.$sec"
	'
done

test_expect_success NOT_SANITIZED 'an installed mmp opens the installed page' '
	make -s -C "$SRC_DIR" install DESTDIR="$PWD/stage" PREFIX=/opt/m >/dev/null 2>&1 &&
	PATH="$PWD/bin:$PATH" stage/opt/m/bin/mmp help filter >out &&
	echo "-l $PWD/stage/opt/m/bin/../share/man/man7/mmp-filter.7" >expect &&
	test_cmp expect out
'

test_expect_success 'without a page next to the binary man looks it up' '
	cp "$BUILD_DIR/mmp" bin/mmp-copy &&
	PATH="$PWD/bin:$PATH" bin/mmp-copy help recipe >out &&
	echo "5 mmp-recipe" >expect &&
	test_cmp expect out
'

test_expect_success 'help <command> still shows the command usage' '
	mmp help config list >out &&
	test_grep "^usage: mmp config \[--env <name>\] list" out &&
	test_expect_code 1 mmp help nosuchtopic 2>err &&
	test_grep "not an mmp command or help topic" err
'

test_expect_success 'a topic without man(1) is a clear error' '
	mkdir empty &&
	(PATH="$PWD/empty"; export PATH; "$BUILD_DIR/mmp" help filter) 2>err;
	test $? = 1 &&
	test_grep "cannot run man for .*mmp-filter" err
'

if command -v man >/dev/null 2>&1; then test_set_prereq MAN; fi

test_expect_success MAN,NOT_SANITIZED 'mmp help filter renders the page' '
	MANPAGER=cat PAGER=cat MANWIDTH=80 mmp help filter >out 2>&1 &&
	test_grep "mmp-filter - the filter and order-by language" out
'

test_done
