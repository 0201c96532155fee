#!/bin/sh
# t0070-completion: bash completion, driven through COMP_WORDS/COMP_CWORD
# and the _mmp function; commands, sub-commands, options and values from
# the store; the lists come from the binary itself

. "$(dirname "$0")/test-lib.sh"

MMP_USER=ci; export MMP_USER

if command -v bash >/dev/null 2>&1; then test_set_prereq BASH; fi
if command -v zsh >/dev/null 2>&1; then test_set_prereq ZSH; fi

# complete WORD...: what _mmp offers for "mmp WORD..." (the last word is
# the one being completed), sorted, one per line
complete() {
	bash -c '
		. "$1/comp.bash" || exit 1
		shift
		COMP_WORDS=(mmp "$@")
		COMP_CWORD=$#
		_mmp
		printf "%s\n" "${COMPREPLY[@]}"
	' complete "$TRASH_DIRECTORY" "$@" | sed "/^$/d" | sort
}

# the sub-commands -h shows: "usage: mmp CMD SUB" and "   or: mmp CMD SUB"
help_subs() {
	mmp "$1" -h | sed -n "s/^\(usage:\|   or:\) mmp $1 \[\{0,1\}\([a-z][a-z-]*\).*/\2/p" |
	sort -u
}

# the long options -h shows, with --[no-]x as both forms
help_options() {
	mmp "$@" -h | sed -n "s/^    \(-., \)\{0,1\}\(--[^ ]*\).*/\2/p" |
	sed -e "s/=.*//" -e "s/\[no-\]\(.*\)/\1\n--no-\1/" -e "s/^--no---/--no-/" |
	sed "s/^----/--/" | sort
}

test_expect_success BASH 'the bash script is valid bash and defines _mmp' '
	mmp completion bash >comp.bash &&
	bash -n comp.bash &&
	bash -c ". ./comp.bash && complete -p mmp" >out &&
	test_grep "^complete -F _mmp mmp$" out
'

test_expect_success BASH 'the first word: every command, nothing else' '
	mmp help --commands | sort >expect &&
	complete "" >actual &&
	test_cmp expect actual &&
	complete ru >actual &&
	echo runs >expect &&
	test_cmp expect actual &&
	complete completion >actual &&
	echo completion >expect &&
	test_cmp expect actual
'

test_expect_success BASH 'global options, and -C completes directories' '
	complete --st >actual &&
	echo --store >expect &&
	test_cmp expect actual &&
	mkdir -p dirs/sub1 dirs/sub2 && : >dirs/file &&
	complete -C dirs/s >actual &&
	printf "dirs/sub1\ndirs/sub2\n" >expect &&
	test_cmp expect actual
'

test_expect_success BASH 'sub-commands come from the usage lines' '
	for c in runs models
	do
		help_subs $c >expect &&
		complete $c "" >actual &&
		test_cmp expect actual || return 1
	done &&
	help_subs runs | grep -x mark-failed &&
	complete runs sh >actual &&
	echo show >expect &&
	test_cmp expect actual &&
	complete config "" >actual &&
	printf "get\nlist\n" >expect &&
	test_cmp expect actual &&
	complete completion "" >actual &&
	printf "bash\nzsh\n" >expect &&
	test_cmp expect actual &&
	complete tune s >actual &&
	echo show >expect &&
	test_cmp expect actual
'

test_expect_success BASH 'options are those -h shows, per sub-command' '
	for c in train register batch-inference serve-api doctor promote
	do
		help_options $c >expect &&
		complete $c -- >actual &&
		test_cmp expect actual || return 1
	done &&
	help_options runs list >expect &&
	complete runs list -- >actual &&
	test_cmp expect actual &&
	test_grep "^--columns$" actual &&
	! grep -- "--md" actual &&
	complete runs compare --m >actual &&
	echo --md >expect &&
	test_cmp expect actual
'

test_expect_success 'list mode: every command prints its -h usage and does nothing else' '
	mkdir empty &&
	mmp help --commands >cmds &&
	while read c
	do
		(cd empty && MMP_COMPLETION_LIST=1 mmp $c >../list) &&
		sed -n "s/^\(usage\|more\)	//p" list >actual &&
		mmp $c -h | sed -n "1,/^$/p" | sed -e "/^$/d" -e "s/^usage: //" \
			-e "s/^   or: //" -e "s/^       //" >expect &&
		test_cmp expect actual || return 1
	done <cmds &&
	test -z "$(ls -A empty)"
'

test_expect_success BASH 'a new option shows up without touching the scripts' '
	# the script names no option or command of mmp at all
	! grep -e "--filter" -e "--recipe" -e "runs" -e "promote" comp.bash
'

test_expect_success JQ 'setup: runs, a model with versions, a stage, an alias' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --run-name one \
		--json >../t1.json &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --run-name two \
		--set model.params.max_depth=3 --json >../t2.json &&
	 mmp register -q "$(json_get ../t1.json .run_id)" --name cancer &&
	 mmp register -q "$(json_get ../t2.json .run_id)" --name cancer &&
	 mmp register -q "$(json_get ../t2.json .run_id)" --name churn &&
	 mmp approve cancer 1 >/dev/null &&
	 mmp promote cancer 1 Production >/dev/null &&
	 mmp alias cancer champion 2 >/dev/null) &&
	json_get t1.json .run_id | cut -c1-8 >id1 &&
	json_get t2.json .run_id | cut -c1-8 >id2
'

test_expect_success BASH,JQ 'run ids and names where a run goes' '
	cd proj &&
	{ cat ../id1 ../id2 && printf "one\ntwo\n"; } | sort >../expect &&
	complete runs show "" >../actual &&
	test_cmp ../expect ../actual &&
	complete register "" >../actual &&
	test_cmp ../expect ../actual &&
	complete runs compare "$(cat ../id1)" "" >../actual &&
	test_cmp ../expect ../actual &&
	complete serve-api --run o >../actual &&
	echo one >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success BASH,JQ 'model names, their versions, stages and aliases' '
	cd proj &&
	complete models show "" >../actual &&
	printf "cancer\nchurn\n" >../expect &&
	test_cmp ../expect ../actual &&
	complete promote cancer "" >../actual &&
	printf "v1\nv2\n" >../expect &&
	test_cmp ../expect ../actual &&
	complete promote churn "" >../actual &&
	echo v1 >../expect &&
	test_cmp ../expect ../actual &&
	complete promote cancer v2 "" >../actual &&
	printf "Archived\nNone\nProduction\nStaging\n" >../expect &&
	test_cmp ../expect ../actual &&
	complete alias cancer "" >../actual &&
	echo champion >../expect &&
	test_cmp ../expect ../actual &&
	complete register x --name c >../actual &&
	printf "cancer\nchurn\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success BASH,JQ 'model references: stages and aliases' '
	cd proj &&
	complete serve-api --model "" >../actual &&
	printf "cancer@Production\ncancer@champion\ncancer@latest\nchurn@latest\n" >../expect &&
	test_cmp ../expect ../actual &&
	complete models lineage cancer@P >../actual &&
	echo cancer@Production >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success BASH,JQ '-C and --store choose the store that is read' '
	complete -C proj models show "" >actual &&
	printf "cancer\nchurn\n" >expect &&
	test_cmp expect actual &&
	complete --store proj/.mmp models show ch >actual &&
	echo churn >expect &&
	test_cmp expect actual &&
	complete models show "" >actual &&
	test_must_be_empty actual
'

test_expect_success BASH 'file arguments complete file names' '
	cd proj &&
	complete train --recipe recipes/b >../actual &&
	echo recipes/breast-cancer.yaml >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success BASH 'help completes commands and topics' '
	complete help con >actual &&
	printf "config\n" >expect &&
	test_cmp expect actual &&
	complete help fil >actual &&
	echo filter >expect &&
	test_cmp expect actual
'

test_expect_success 'the zsh script' '
	mmp completion zsh >comp.zsh &&
	head -n 1 comp.zsh >first &&
	echo "#compdef mmp" >expect &&
	test_cmp expect first &&
	grep "completion --complete --" comp.zsh
'

test_expect_success ZSH 'the zsh script is valid zsh' '
	zsh -n comp.zsh
'

test_expect_success 'usage errors' '
	test_expect_code 129 mmp completion 2>err &&
	test_grep "takes a shell: bash or zsh" err &&
	test_expect_code 129 mmp completion fish 2>err &&
	test_grep "no completion for shell .fish." err &&
	test_expect_code 129 mmp completion bash zsh 2>err
'

test_expect_success NOT_SANITIZED 'make install installs both scripts' '
	make -s -C "$SRC_DIR" install DESTDIR="$PWD/stage" PREFIX=/usr/local >/dev/null 2>&1 &&
	test_cmp comp.bash stage/usr/local/share/bash-completion/completions/mmp &&
	test_cmp comp.zsh stage/usr/local/share/zsh/site-functions/_mmp
'

test_done
