/* SPDX-License-Identifier: MIT */
/*
 * completion.c: mmp completion bash|zsh, and the hidden
 * `mmp completion --complete -- <word>...` both scripts call.
 *
 * Nothing about mmp's commands is written down twice: the commands come
 * from the command table, and each command's options, sub-commands and
 * arguments from its own option table and usage lines, which mmp prints
 * when it runs with MMP_COMPLETION_LIST set (see parse-options.c). The
 * placeholders of the usage lines (<run>, <model>, <stage>, ...) say
 * which values of the store to offer.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "mmp/registry.h"
#include "mmp/store.h"
#include "output.h"

static const char *const completion_usage[] = {
	"mmp completion (bash | zsh)",
	NULL
};

static const char bash_script[] =
"# bash completion for mmp; from `mmp completion bash`.\n"
"# Install as /usr/share/bash-completion/completions/mmp, or add\n"
"# `source <(mmp completion bash)` to ~/.bashrc.\n"
"_mmp()\n"
"{\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} line\n"
"\tCOMPREPLY=()\n"
"\twhile IFS= read -r line; do\n"
"\t\tcase $line in\n"
"\t\t:files)\n"
"\t\t\tcompopt -o filenames 2>/dev/null\n"
"\t\t\twhile IFS= read -r line; do COMPREPLY+=(\"$line\"); done \\\n"
"\t\t\t\t< <(compgen -f -- \"$cur\") ;;\n"
"\t\t:dirs)\n"
"\t\t\tcompopt -o filenames 2>/dev/null\n"
"\t\t\twhile IFS= read -r line; do COMPREPLY+=(\"$line\"); done \\\n"
"\t\t\t\t< <(compgen -d -- \"$cur\") ;;\n"
"\t\t*) COMPREPLY+=(\"$line\") ;;\n"
"\t\tesac\n"
"\tdone < <(\"${COMP_WORDS[0]}\" completion --complete -- \\\n"
"\t\t\"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null)\n"
"}\n"
"complete -F _mmp mmp\n";

static const char zsh_script[] =
"#compdef mmp\n"
"# zsh completion for mmp; from `mmp completion zsh`.\n"
"# Install as _mmp in a directory of $fpath (e.g.\n"
"# /usr/share/zsh/site-functions), or add `source <(mmp completion zsh)`\n"
"# to ~/.zshrc after compinit.\n"
"_mmp() {\n"
"\tlocal -a reply\n"
"\tlocal line\n"
"\tfor line in \"${(@f)$(${words[1]} completion --complete -- \\\n"
"\t\t\"${(@)words[2,CURRENT]}\" 2>/dev/null)}\"; do\n"
"\t\tcase $line in\n"
"\t\t:files) _files ;;\n"
"\t\t:dirs) _files -/ ;;\n"
"\t\t?*) reply+=(\"$line\") ;;\n"
"\t\tesac\n"
"\tdone\n"
"\t(( ${#reply} )) && compadd -Q -- \"${reply[@]}\"\n"
"\treturn 0\n"
"}\n"
"if [ \"$funcstack[1]\" = \"_mmp\" ]; then\n"
"\t_mmp \"$@\"\n"
"else\n"
"\tcompdef _mmp mmp\n"
"fi\n";

/* ---- what a command says about itself in list mode ---- */

struct opt_word {
	char *name;    /* "--filter", "-c" */
	char *argh;    /* "<expr>", or NULL for a flag */
};

/* a usage line split into argument slots */
struct slot {
	char *word;    /* a literal ("list") or a placeholder ("<run>") */
	int repeat;    /* "<run>...": this slot takes every later word */
	int next_alt;  /* "(bash | zsh)": the next slot is an alternative */
};

struct uline {
	struct slot *slots;
	size_t nr;
};

struct level {
	struct opt_word *opts;
	size_t nopts;
	struct uline *lines;
	size_t nlines;
};

static void level_release(struct level *l)
{
	size_t i, j;

	for (i = 0; i < l->nopts; i++) {
		free(l->opts[i].name);
		free(l->opts[i].argh);
	}
	free(l->opts);
	for (i = 0; i < l->nlines; i++) {
		for (j = 0; j < l->lines[i].nr; j++)
			free(l->lines[i].slots[j].word);
		free(l->lines[i].slots);
	}
	free(l->lines);
	memset(l, 0, sizeof(*l));
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (!p)
		die("out of memory");
	return p;
}

/*
 * Split "mmp runs show <run> [--json]" into slots, after the first
 * `skip` words. Options and the placeholder that follows one are no
 * slot; a plain word is a literal (a sub-command), <x> a placeholder.
 */
static void parse_usage(struct uline *u, const char *line, size_t skip)
{
	char *copy = strdup(line), *save = NULL, *tok;
	int after_opt = 0, alt = 0;
	size_t n = 0;

	if (!copy)
		die("out of memory");
	memset(u, 0, sizeof(*u));
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), n++) {
		char *t = tok, *end;
		size_t len;
		int repeat = 0;

		if (n < skip)
			continue;
		while (*t == '[' || *t == '(')
			t++;
		if (!strcmp(t, "|")) {
			if (u->nr && !after_opt)
				alt = 1;
			continue;
		}
		len = strlen(t);
		if (len >= 3 && !strcmp(t + len - 3, "...")) {
			repeat = 1;
			t[len -= 3] = '\0';
		}
		while (len && (t[len - 1] == ']' || t[len - 1] == ')'))
			t[--len] = '\0';
		if (len >= 3 && !strcmp(t + len - 3, "...")) {
			repeat = 1;
			t[len -= 3] = '\0';
		}
		if (!*t)
			continue;
		if (*t == '-') {
			after_opt = !strchr(t, '=');
			continue;
		}
		if (*t == '<' && after_opt) {
			after_opt = 0;
			continue;
		}
		after_opt = 0;
		if (*t != '<') {
			for (end = t; *end; end++)
				if (!islower((unsigned char)*end) && *end != '-')
					break;
			if (*end)
				continue;   /* not a word a user types */
		}
		if (alt && u->nr)
			u->slots[u->nr - 1].next_alt = 1;
		alt = 0;
		u->slots = grow(u->slots, u->nr, sizeof(*u->slots));
		u->slots[u->nr].word = strdup(t);
		u->slots[u->nr].repeat = repeat;
		u->slots[u->nr].next_alt = 0;
		if (!u->slots[u->nr].word)
			die("out of memory");
		u->nr++;
	}
	free(copy);
}

/* run this mmp in list mode with `args`; parse what it prints */
static void list_level(struct level *l, const struct string_list *globals,
	const char *cmd, const char *sub)
{
	const char **argv = calloc(globals->nr + 4, sizeof(*argv));
	mmp_buf out = MMP_BUF_INIT, cur = MMP_BUF_INIT;
	int fds[2], status;
	size_t n = 0, i;
	char buf[4096], *line, *save = NULL;
	ssize_t r;
	pid_t pid;

	memset(l, 0, sizeof(*l));
	if (!argv)
		die("out of memory");
	argv[n++] = "mmp";
	for (i = 0; i < globals->nr; i++)
		argv[n++] = globals->items[i];
	if (cmd)
		argv[n++] = cmd;
	if (sub)
		argv[n++] = sub;
	argv[n] = NULL;
	if (pipe(fds) < 0) {
		free(argv);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(fds[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		close(fds[0]);
		close(fds[1]);
		setenv("MMP_COMPLETION_LIST", "1", 1);
		setenv("MMP_NO_REEXEC", "1", 1);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && (r = read(fds[0], buf, sizeof(buf))) > 0)
		mmp_buf_put(&out, buf, (size_t)r);
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	free(argv);
	if (!out.size) {
		mmp_buf_dispose(&out);
		return;
	}
	/* "opt\t--name\t<argh>", "usage\t<line>", "more\t<continuation>" */
	for (line = strtok_r(out.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f1 = strchr(line, '\t'), *f2;

		if (!f1)
			continue;
		*f1++ = '\0';
		if (!strcmp(line, "opt")) {
			f2 = strchr(f1, '\t');
			if (f2)
				*f2++ = '\0';
			l->opts = grow(l->opts, l->nopts, sizeof(*l->opts));
			l->opts[l->nopts].name = strdup(f1);
			l->opts[l->nopts].argh = f2 && *f2 ? strdup(f2) : NULL;
			l->nopts++;
		} else if (!strcmp(line, "more")) {
			mmp_buf_printf(&cur, " %s", f1);
		} else if (!strcmp(line, "usage")) {
			if (cur.size) {
				l->lines = grow(l->lines, l->nlines,
					sizeof(*l->lines));
				parse_usage(&l->lines[l->nlines++], cur.ptr, 2);
			}
			mmp_buf_clear(&cur);
			mmp_buf_puts(&cur, f1);
		}
	}
	if (cur.size) {
		l->lines = grow(l->lines, l->nlines, sizeof(*l->lines));
		parse_usage(&l->lines[l->nlines++], cur.ptr, 2);
	}
	mmp_buf_dispose(&cur);
	mmp_buf_dispose(&out);
}

static const struct opt_word *find_opt(const struct level *l, const char *w)
{
	size_t i, len = strcspn(w, "=");

	for (i = 0; i < l->nopts; i++)
		if (strlen(l->opts[i].name) == len &&
		    !strncmp(l->opts[i].name, w, len))
			return &l->opts[i];
	return NULL;
}

/* ---- candidates ---- */

/* the words offered so far: each is printed once */
static char **offered;
static size_t noffered;

static void offer(const char *word, const char *cur)
{
	size_t i;

	if (strncmp(word, cur, strlen(cur)))
		return;
	for (i = 0; i < noffered; i++)
		if (!strcmp(offered[i], word))
			return;
	offered = grow(offered, noffered, sizeof(*offered));
	offered[noffered] = strdup(word);
	if (!offered[noffered])
		die("out of memory");
	noffered++;
	printf("%s\n", word);
}

static mmp_store *open_store(struct mmp_ctx *ctx)
{
	mmp_buf path = MMP_BUF_INIT;

	if (ctx->store)
		return ctx->store;
	if (mmp_store_locate(&path, ctx->store_path) < 0 ||
	    mmp_store_open(&ctx->store, path.ptr, 0) < 0) {
		mmp_error_clear();
		ctx->store = NULL;
	}
	mmp_buf_dispose(&path);
	return ctx->store;
}

static void offer_runs(struct mmp_ctx *ctx, const char *cur)
{
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	mmp_run_list *l = NULL;
	mmp_store *s = open_store(ctx);
	size_t i;

	if (!s)
		return;
	q.max_results = 200;
	if (mmp_runs_search(&l, s, &q) < 0) {
		mmp_error_clear();
		return;
	}
	for (i = 0; i < l->count; i++) {
		char id[9];

		snprintf(id, sizeof(id), "%.8s", l->runs[i]->run_id);
		offer(id, cur);
		if (l->runs[i]->name && *l->runs[i]->name)
			offer(l->runs[i]->name, cur);
	}
	mmp_run_list_free(l);
}

/* model names; versions or aliases of `model`; or model@ref */
enum model_what { M_NAMES, M_VERSIONS, M_ALIASES, M_REFS };

static void offer_models(struct mmp_ctx *ctx, enum model_what what,
	const char *model, const char *cur)
{
	mmp_registered_model_list *l = NULL;
	mmp_store *s = open_store(ctx);
	mmp_buf w = MMP_BUF_INIT;
	size_t i, j, k;

	if (!s)
		return;
	if (mmp_registry_list(&l, s) < 0) {
		mmp_error_clear();
		return;
	}
	for (i = 0; i < l->count; i++) {
		const mmp_registered_model *m = l->items[i];
		int has[4] = { 0, 0, 0, 0 };

		if (what == M_NAMES) {
			offer(m->name, cur);
			continue;
		}
		if (what != M_REFS && (!model || strcmp(model, m->name)))
			continue;
		for (j = 0; j < m->versions_nr; j++) {
			const mmp_model_version *v = m->versions[j];

			mmp_buf_clear(&w);
			if (what == M_VERSIONS) {
				mmp_buf_printf(&w, "v%lld",
					(long long)v->version);
				offer(w.ptr, cur);
			}
			if (what == M_REFS && v->stage >= 0 && v->stage < 4 &&
			    !has[v->stage] && v->stage != MMP_STAGE_NONE) {
				has[v->stage] = 1;
				mmp_buf_printf(&w, "%s@%s", m->name,
					mmp_stage_name(v->stage));
				offer(w.ptr, cur);
			}
			for (k = 0; what != M_VERSIONS && k < v->aliases_nr;
			     k++) {
				mmp_buf_clear(&w);
				if (what == M_REFS)
					mmp_buf_printf(&w, "%s@", m->name);
				mmp_buf_puts(&w, v->aliases[k]);
				offer(w.ptr, cur);
			}
		}
		if (what == M_REFS && m->versions_nr) {
			mmp_buf_clear(&w);
			mmp_buf_printf(&w, "%s@latest", m->name);
			offer(w.ptr, cur);
		}
	}
	mmp_buf_dispose(&w);
	mmp_registered_model_list_free(l);
}

void help_topics(const char ***names, size_t *n);

/* the values a placeholder stands for; `model` is the model named
 * earlier on the line, for <version> and <alias> */
static void offer_values(struct mmp_ctx *ctx, const char *ph,
	const char *model, const char *cur)
{
	static const char *const files[] = { "<file>", "<path>",
		"<recipe>", NULL };
	size_t i;

	if (strchr(ph, '@')) {
		offer_models(ctx, M_REFS, NULL, cur);
	} else if (!strcmp(ph, "<run>")) {
		offer_runs(ctx, cur);
	} else if (!strcmp(ph, "<model>")) {
		offer_models(ctx, M_NAMES, NULL, cur);
	} else if (!strcmp(ph, "<version>")) {
		offer_models(ctx, M_VERSIONS, model, cur);
	} else if (!strcmp(ph, "<alias>")) {
		offer_models(ctx, M_ALIASES, model, cur);
	} else if (!strcmp(ph, "<stage>")) {
		for (i = 0; i < 4; i++)
			offer(mmp_stage_name((mmp_stage)i), cur);
	} else if (!strcmp(ph, "<command>")) {
		for (i = 0; i < mmp_commands_nr; i++)
			offer(mmp_commands[i].name, cur);
	} else if (!strcmp(ph, "<topic>")) {
		const char **t;
		size_t n;

		help_topics(&t, &n);
		for (i = 0; i < n; i++)
			offer(t[i], cur);
	} else if (!strcmp(ph, "<dir>")) {
		puts(":dirs");
	} else {
		for (i = 0; files[i]; i++)
			if (!strcmp(ph, files[i]))
				puts(":files");
	}
}

static int is_global_with_arg(const struct level *main_level, const char *w)
{
	const struct opt_word *o = find_opt(main_level, w);

	return o && o->argh && !strchr(w, '=') && strcmp(w, "--color");
}

/*
 * Complete the last of `words` (what follows "mmp" on the command line;
 * the last may be empty).
 */
static int complete(int n, const char **words, struct mmp_ctx *ctx)
{
	struct string_list globals = STRING_LIST_INIT;
	struct level top, l1, l2, *lv;
	const struct mmp_cmd *cmd = NULL;
	const char *cur = n ? words[n - 1] : "", *prev = n > 1 ?
		words[n - 2] : NULL, *sub = NULL;
	const char *pos[64], *model = NULL;
	size_t npos = 0, i, j, first;
	int w, start;

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	list_level(&top, &globals, NULL, NULL);
	/* global options, up to the command */
	for (w = 0; w < n - 1; w++) {
		if (words[w][0] != '-')
			break;
		if (!strcmp(words[w], "-C") && w + 1 < n - 1) {
			/* the lists below are then made in that directory */
			if (*words[++w] && chdir(words[w]) < 0)
				goto done;
			continue;
		}
		string_list_append(&globals, words[w]);
		if (is_global_with_arg(&top, words[w]) && w + 1 < n - 1) {
			string_list_append(&globals, words[++w]);
			if (!strcmp(words[w - 1], "--store"))
				ctx->store_path = words[w];
		}
	}
	if (w == n - 1) {
		const struct opt_word *o = prev ? find_opt(&top, prev) : NULL;

		if (o && o->argh && w > 0 && !strcmp(prev, words[w - 1]))
			offer_values(ctx, !strcmp(prev, "-C") ? "<dir>" :
				!strcmp(prev, "--store") ? "<path>" : "",
				NULL, cur);
		else if (*cur == '-')
			for (i = 0; i < top.nopts; i++)
				offer(top.opts[i].name, cur);
		else
			for (i = 0; i < mmp_commands_nr; i++)
				offer(mmp_commands[i].name, cur);
		goto done;
	}
	cmd = find_command(words[w]);
	if (!cmd)
		goto done;
	list_level(&l1, &globals, cmd->name, NULL);
	lv = &l1;
	/* the first word that is no option: a sub-command? */
	for (start = ++w; w < n - 1; w++) {
		const struct opt_word *o = find_opt(lv, words[w]);

		if (words[w][0] == '-') {
			if (o && o->argh && !strchr(words[w], '='))
				w++;
			continue;
		}
		for (i = 0; i < l1.nlines && !sub; i++)
			if (l1.lines[i].nr && l1.lines[i].slots[0].word[0] !=
			    '<' && !strcmp(l1.lines[i].slots[0].word,
				   words[w]))
				sub = words[w];
		break;
	}
	if (sub) {
		list_level(&l2, &globals, cmd->name, sub);
		lv = &l2;
		start = w + 1;
	}
	/* the positional words before the one being completed */
	for (w = start; w < n - 1; w++) {
		const struct opt_word *o = find_opt(lv, words[w]);

		if (words[w][0] == '-' && words[w][1]) {
			if (o && o->argh && !strchr(words[w], '=') &&
			    w + 1 < n - 1)
				w++;
			else if (o && o->argh && !strchr(words[w], '='))
				break;   /* the word being completed is its value */
			continue;
		}
		if (npos < sizeof(pos) / sizeof(pos[0]))
			pos[npos++] = words[w];
	}
	if (prev && prev[0] == '-' && n - 2 >= start) {
		const struct opt_word *o = find_opt(lv, prev);

		if (o && o->argh && !strchr(prev, '=')) {
			offer_values(ctx, o->argh, NULL, cur);
			goto done;
		}
	}
	if (*cur == '-') {
		for (i = 0; i < lv->nopts; i++)
			if (lv->opts[i].name[1] == '-')
				offer(lv->opts[i].name, cur);
		goto done;
	}
	first = sub ? 1 : 0;
	for (i = 0; i < lv->nlines; i++) {
		const struct uline *u = &lv->lines[i];
		size_t k = first + npos, s, alt;

		if (sub && (!u->nr || strcmp(u->slots[0].word, sub)))
			continue;
		if (!sub && npos && u->nr && u->slots[0].word[0] != '<')
			continue;   /* a sub-command's line */
		/* the model named earlier on this line */
		model = NULL;
		for (s = first; s < u->nr && s - first < npos; s++)
			if (!strcmp(u->slots[s].word, "<model>"))
				model = pos[s - first];
		/* alternatives take one word between them */
		for (s = 0, alt = 0; s < u->nr && s < k + alt; s++)
			if (u->slots[s].next_alt)
				alt++;
		s = k + alt;
		if (s >= u->nr) {
			if (!u->nr || !u->slots[u->nr - 1].repeat ||
			    u->nr - 1 < first)
				continue;
			s = u->nr - 1;
		}
		/* an alternative group: back to its first member */
		while (s > 0 && u->slots[s - 1].next_alt)
			s--;
		for (j = s; j < u->nr; j++) {
			if (u->slots[j].word[0] == '<')
				offer_values(ctx, u->slots[j].word, model, cur);
			else
				offer(u->slots[j].word, cur);
			if (!u->slots[j].next_alt)
				break;
		}
	}
done:
	level_release(&top);
	level_release(&l1);
	level_release(&l2);
	string_list_release(&globals);
	for (i = 0; i < noffered; i++)
		free(offered[i]);
	free(offered);
	offered = NULL;
	noffered = 0;
	return 0;
}

int cmd_completion(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int complete_words = 0;
	const struct option opts[] = {
		{ .type = OPTION_BOOL, .long_name = "complete",
		  .value = &complete_words, .flags = PARSE_OPT_HIDDEN,
		  .help = "print the completions of the words after --" },
		OPT_END()
	};

	argc = parse_options(argc, argv, opts, completion_usage, 0);
	if (complete_words)
		return complete(argc, argv, ctx);
	if (argc != 1)
		usage_msg_opt("'mmp completion' takes a shell: bash or zsh",
			completion_usage, opts);
	if (!strcmp(argv[0], "bash"))
		fputs(bash_script, stdout);
	else if (!strcmp(argv[0], "zsh"))
		fputs(zsh_script, stdout);
	else {
		error("no completion for shell '%s' (bash or zsh)", argv[0]);
		return EXIT_USAGE;
	}
	return 0;
}
