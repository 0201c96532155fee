#!/bin/sh
# t0080-readme: every command in the README's sh blocks runs as shown.
# The blocks are read from README.md, so they cannot drift from what is
# tested. scripts/install-deps.sh and make are replaced by stubs that
# record their calls (installing packages and building are CI's job);
# the server's port 8000 becomes a free one.

. "$(dirname "$0")/test-lib.sh"

# block N of the README's ```sh blocks, on stdout
readme_block() {
	awk -v want="$1" '
		/^```sh$/ { n++; inb = 1; next }
		/^```$/ { inb = 0; next }
		inb && n == want { print }
	' "$SRC_DIR/README.md"
}

# the 4-space indented line after "which answers"
readme_answer() {
	awk '/^which answers/ { f = 1; next } f && /^    [^ ]/ { sub(/^    /, ""); print; exit }' \
		"$SRC_DIR/README.md"
}

# blocks 1 and 2 set up and test the tree; every later one is a step of
# the session, run in order in one shell
test_expect_success 'the README has its sh blocks' '
	n=1 &&
	while readme_block $n >block$n.sh && test -s block$n.sh
	do
		n=$((n + 1))
	done &&
	echo $((n - 1)) >nblocks &&
	test $(cat nblocks) -ge 5
'

test_expect_success 'setup: a tree with stubs for install-deps.sh and make' '
	mkdir -p tree/scripts stubs &&
	ln -s "$BUILD_DIR" tree/cmd &&
	ln -s "$SRC_DIR/recipes" tree/recipes &&
	printf "#!/bin/sh\necho install-deps.sh \"\$@\" >>\"$PWD/calls\"\n" \
		>tree/scripts/install-deps.sh &&
	printf "#!/bin/sh\necho make \"\$@\" >>\"$PWD/calls\"\n" >stubs/make &&
	chmod +x tree/scripts/install-deps.sh stubs/make
'

test_expect_success 'the quick start runs' '
	(cd tree && PATH="$TRASH_DIRECTORY/stubs:$PATH" sh -e ../block1.sh) >out 2>err &&
	printf "install-deps.sh\nmake -j2\n" >expect &&
	test_cmp expect calls &&
	test_grep "^run [0-9a-f]{32}" out &&
	rm calls
'

test_expect_success 'the test suite line calls what it says' '
	(cd tree && PATH="$TRASH_DIRECTORY/stubs:$PATH" sh -e ../block2.sh) &&
	printf "install-deps.sh\nmake -j2\nmake test\n" >expect &&
	test_cmp expect calls
'

test_expect_success 'a free port for the server' '
	start_bg p listen 127.0.0.1 0 &&
	sed -n "s/^port=//p" p.out >port &&
	stop_bg p &&
	test -s port
'

test_expect_success JQ 'the session runs, one block after the other' '
	port=$(cat port) &&
	{
		echo "trap \"st=\\\$?; kill \\\$! 2>/dev/null || :; exit \\\$st\" EXIT" &&
		n=3 &&
		while test $n -le $(cat nblocks)
		do
			sed "s/8000/$port/g" block$n.sh && n=$((n + 1)) || return 1
		done
	} >session.sh &&
	! grep 8000 session.sh &&
	(cd tree && sh -e ../session.sh) >out 2>err &&
	test_grep "^[0-9a-f]{8}  baseline  breast-cancer  train  FINISHED" out &&
	test_grep "^params\.max_depth +4 +6$" out &&
	test_grep "^registered cancer version 1 from run " out &&
	test_grep "^cancer version 1: APPROVED$" out &&
	test_grep "^cancer version 1: None -> Production$" out &&
	test_grep "^\{\"status\":\"ready\",\"model\":\{\"name\":\"cancer\",\"version\":\"1\"" out &&
	test_line_count = 11 tree/demo/scored.csv &&
	head -n 3 tree/demo/scored.csv >expect &&
	grep -A2 "^prediction$" out >actual &&
	test_cmp expect actual
'

# the same class, and probabilities close to those shown (they move a
# little when training changes; refresh the README when they move more)
test_expect_success JQ 'the answer shown is the answer the server gives' '
	readme_answer >shown.json &&
	grep "^{\"predictions\"" out >got.json &&
	test "$(jq -r ".predictions[0].prediction" got.json)" = \
		"$(jq -r ".predictions[0].prediction" shown.json)" &&
	test "$(jq -r .model_version got.json)" = 1 &&
	jq -n --slurpfile a got.json --slurpfile b shown.json \
		"(\$a[0].predictions[0].probabilities[\"0\"] -
		  \$b[0].predictions[0].probabilities[\"0\"]) | fabs < 0.05" >ok &&
	test "$(cat ok)" = true
'

test_expect_success 'the server of the session is gone' '
	port=$(cat port) &&
	! curl -s --max-time 2 "http://127.0.0.1:$port/health"
'

test_done
