/* SPDX-License-Identifier: MIT */
/* monitor-writer.c: write live profile windows and logged predictions
 * into a store, as serve-api and batch-inference do, for shell tests */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/store.h"

static const char *usage_text =
	"usage: monitor-writer <db> window <model> <version> <source> "
	"<start_ms> <end_ms> <rows> <profile.json>\n"
	"       monitor-writer <db> log <model> <version> <ts_ms> "
	"<id>=<score>[,<score>...]...\n";

static int die_lib(const char *what)
{
	fprintf(stderr, "monitor-writer: %s: %s\n", what,
		mmp_error_last()->message);
	return 1;
}

static long long num(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "monitor-writer: not a number: '%s'\n", s);
		exit(2);
	}
	return v;
}

static int put_window(mmp_store *s, char **argv)
{
	mmp_monitor_window w;
	FILE *f = fopen(argv[6], "rb");
	char *text;
	long n;
	int err;

	if (!f) {
		perror(argv[6]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(text);
		return 1;
	}
	fclose(f);
	memset(&w, 0, sizeof(w));
	w.model = argv[0];
	w.version = num(argv[1]);
	w.source = argv[2];
	w.instance = "monitor-writer";
	w.start_ms = num(argv[3]);
	w.end_ms = num(argv[4]);
	w.rows = num(argv[5]);
	w.profile = text;
	err = mmp_store_monitor_window_put(s, &w);
	free(text);
	return err < 0 ? die_lib("window") : 0;
}

static int put_log(mmp_store *s, int argc, char **argv)
{
	mmp_prediction_log_item *items = calloc((size_t)argc, sizeof(*items));
	float *scores = calloc((size_t)argc * 16, sizeof(float));
	int i, err;

	if (!items || !scores)
		return 1;
	for (i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *p;
		mmp_prediction_log_item *it = &items[i - 3];

		if (!eq)
			return 2;
		*eq = '\0';
		it->source = "serve";
		it->entity_id = argv[i];
		it->ts_ms = num(argv[2]);
		it->pred = scores + (size_t)i * 16;
		for (p = eq + 1; p && *p && it->npred < 16; it->npred++) {
			scores[(size_t)i * 16 + it->npred] = strtof(p, &p);
			p = *p == ',' ? p + 1 : NULL;
		}
	}
	err = mmp_store_prediction_log_put_many(s, argv[0], num(argv[1]),
		items, (size_t)argc - 3);
	free(items);
	free(scores);
	return err < 0 ? die_lib("log") : 0;
}

int main(int argc, char **argv)
{
	mmp_store *s = NULL;
	int ret;

	if (argc < 3 || (strcmp(argv[2], "window") && strcmp(argv[2], "log")) ||
	    (!strcmp(argv[2], "window") && argc != 10) ||
	    (!strcmp(argv[2], "log") && argc < 7)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (mmp_store_open(&s, argv[1], 0) < 0)
		return die_lib(argv[1]);
	if (!strcmp(argv[2], "window"))
		ret = put_window(s, argv + 3);
	else
		ret = put_log(s, argc - 3, argv + 3);
	mmp_store_free(s);
	return ret;
}
