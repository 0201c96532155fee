/* SPDX-License-Identifier: MIT */
/* mkmodel.c: test helper: train a model directory from a CSV with the
 * public model API, turn CSV rows into request bodies, and check served
 * predictions against mmp_model_predict() bit for bit
 *
 *   mkmodel train OUT CSV TASK TARGET [--entity C]... [--cat C]...
 *           [--rounds N] [--depth N] [--profile]
 *   mkmodel synth OUT NFEATURES NROWS ROUNDS DEPTH [--profile]
 *           [--entity C]        (binary, numeric; profile.json of the
 *                                training rows with --profile)
 *   mkmodel synth-records NFEATURES NROWS SEED [--shift F DELTA]
 *           [--entity C] [--csv] (rows as synth draws them, a JSON list
 *                                or a CSV; feature number F moved by
 *                                DELTA; ids r<seed>-<row> in column C)
 *   mkmodel random OUT SEED [BOOSTER]    (objective SEED % 13 of those mmp
 *           trains, random data with categories and NaNs; BOOSTER: dart)
 *   mkmodel records CSV [--limit N] [--drop C]...    (JSON list on stdout)
 *   mkmodel compare MODEL CSV RESPONSE [--mlflow]    (RESPONSE from
 *           /predict, or with --mlflow from /invocations: the records
 *           of the model directory's pyfunc loader, and the label of
 *           each row checked too)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mmp.h"
#include "mmp/model.h"
#include "mmp/monitor.h"

#define MAXCOLS 64

struct table {
	char *names[MAXCOLS];
	size_t ncols, nrows;
	char ***cells;               /* nrows x ncols */
};

static _Noreturn void die2(const char *what, const char *detail)
{
	fprintf(stderr, "mkmodel: %s: %s\n", what, detail);
	exit(2);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die2("cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die2("cannot read", path);
	fclose(f);
	return buf;
}

/* split one line on commas in place (the fixtures hold no quotes) */
static size_t split(char *line, char **out)
{
	size_t n = 0;

	out[n++] = line;
	for (; *line; line++) {
		if (*line == ',' && n < MAXCOLS) {
			*line = '\0';
			out[n++] = line + 1;
		}
	}
	return n;
}

static void read_csv(struct table *t, const char *path)
{
	char *text = slurp(path), *line, *save = NULL;
	size_t alloc = 0;

	memset(t, 0, sizeof(*t));
	line = strtok_r(text, "\r\n", &save);
	if (!line)
		die2("empty CSV", path);
	t->ncols = split(line, t->names);
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		char **row = calloc(MAXCOLS, sizeof(char *));

		if (split(line, row) != t->ncols)
			die2("ragged CSV line in", path);
		if (t->nrows == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			t->cells = realloc(t->cells, alloc * sizeof(char **));
		}
		t->cells[t->nrows++] = row;
	}
}

static long col_index(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->names[i], name))
			return (long)i;
	die2("no such column", name);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the sorted distinct values of a column */
static size_t distinct(const struct table *t, size_t c, char ***out)
{
	char **v = calloc(t->nrows + 1, sizeof(char *));
	size_t i, n = 0, w;

	for (i = 0; i < t->nrows; i++)
		if (*t->cells[i][c])
			v[n++] = t->cells[i][c];
	qsort(v, n, sizeof(char *), cmp_str);
	for (i = 0, w = 0; i < n; i++)
		if (!w || strcmp(v[i], v[w - 1]))
			v[w++] = v[i];
	*out = v;
	return w;
}

static long find(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return (long)i;
	return -1;
}

static int has(const char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static void check(int rc, const char *what)
{
	if (rc < 0)
		die2(what, mmp_error_last()->message);
}

static void save(mmp_model *m, const char *out)
{
	mmp_model_dir_info info = MMP_MODEL_DIR_INFO_INIT;

	info.run_id = "0123456789abcdef0123456789abcdef";
	info.model_uuid = "fedcba9876543210fedcba9876543210";
	info.created_ms = 1795453900000;
	check(mmp_model_save_dir(m, out, &info), "save");
}

static void write_profile(const char *dir, const mmp_model *m,
	const float *x, size_t n);

static int cmd_train(int argc, char **argv)
{
	const char *out = argv[2], *target = argv[5];
	const char *ents[MAXCOLS], *cats[MAXCOLS];
	size_t nents = 0, ncats = 0, nf = 0, i, j, ncls = 0;
	const char *fnames[MAXCOLS];
	mmp_feature_kind kinds[MAXCOLS];
	size_t fcol[MAXCOLS];
	char **catv[MAXCOLS], **cls = NULL;
	size_t ncatv[MAXCOLS];
	int rounds = 20, depth = 3, a, profile = 0;
	char depth_s[16];
	mmp_task task;
	mmp_model_schema *s = NULL;
	mmp_model_train_options o;
	mmp_model *m = NULL;
	struct table t;
	float *x, *y;
	long tc;

	for (a = 6; a < argc; a++) {
		if (!strcmp(argv[a], "--entity") && a + 1 < argc)
			ents[nents++] = argv[++a];
		else if (!strcmp(argv[a], "--cat") && a + 1 < argc)
			cats[ncats++] = argv[++a];
		else if (!strcmp(argv[a], "--rounds") && a + 1 < argc)
			rounds = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--depth") && a + 1 < argc)
			depth = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--profile"))
			profile = 1;
		else
			die2("unknown argument", argv[a]);
	}
	check(mmp_model_task_parse(&task, argv[4]), "task");
	read_csv(&t, argv[3]);
	tc = col_index(&t, target);
	check(mmp_model_schema_new(&s, task, target), "schema");
	for (i = 0; i < t.ncols; i++) {
		int integral = 1;

		if ((long)i == tc || has(ents, nents, t.names[i]))
			continue;
		fcol[nf] = i;
		fnames[nf] = t.names[i];
		ncatv[nf] = 0;
		catv[nf] = NULL;
		if (has(cats, ncats, t.names[i])) {
			kinds[nf] = MMP_FEATURE_CATEGORICAL;
			ncatv[nf] = distinct(&t, i, &catv[nf]);
			check(mmp_model_schema_add_feature(s, t.names[i],
				MMP_FEATURE_CATEGORICAL, MMP_COLUMN_STRING,
				(const char *const *)catv[nf], ncatv[nf]),
				"feature");
		} else {
			kinds[nf] = MMP_FEATURE_NUMERIC;
			for (j = 0; j < t.nrows; j++)
				if (strchr(t.cells[j][i], '.'))
					integral = 0;
			check(mmp_model_schema_add_feature(s, t.names[i],
				MMP_FEATURE_NUMERIC, integral ?
				MMP_COLUMN_LONG : MMP_COLUMN_DOUBLE, NULL, 0),
				"feature");
		}
		nf++;
	}
	for (i = 0; i < nents; i++)
		check(mmp_model_schema_add_entity(s, ents[i]), "entity");
	if (task != MMP_TASK_REGRESSION) {
		ncls = distinct(&t, (size_t)tc, &cls);
		for (i = 0; i < ncls; i++)
			check(mmp_model_schema_add_class(s, cls[i]), "class");
	}
	x = calloc(t.nrows * nf, sizeof(float));
	y = calloc(t.nrows, sizeof(float));
	for (i = 0; i < t.nrows; i++) {
		for (j = 0; j < nf; j++) {
			const char *v = t.cells[i][fcol[j]];

			if (!*v)
				x[i * nf + j] = NAN;
			else if (kinds[j] == MMP_FEATURE_CATEGORICAL)
				x[i * nf + j] = (float)find(catv[j], ncatv[j],
					v);
			else
				x[i * nf + j] = strtof(v, NULL);
		}
		y[i] = ncls ? (float)find(cls, ncls, t.cells[i][tc]) :
			strtof(t.cells[i][tc], NULL);
	}
	snprintf(depth_s, sizeof(depth_s), "%d", depth);
	{
		mmp_model_param p[] = { { "max_depth", depth_s },
			{ "tree_method", "hist" }, { "seed", "0" } };

		mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
		o.task = task;
		o.num_class = task == MMP_TASK_MULTICLASS ? ncls : 0;
		o.train_x = x;
		o.train_y = y;
		o.train_rows = t.nrows;
		o.ncols = nf;
		o.feature_names = fnames;
		o.feature_kinds = kinds;
		o.params = p;
		o.nparams = 3;
		o.num_boost_round = rounds;
		o.nthread = 1;
		o.schema = s;
		check(mmp_model_train(&m, &o, NULL), "train");
	}
	save(m, out);
	if (profile)
		write_profile(out, m, x, t.nrows);
	mmp_model_free(m);
	mmp_model_schema_free(s);
	return 0;
}

static uint64_t lcg(uint64_t *st)
{
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	return *st >> 11;
}

/* profile.json of `n` training rows in model directory `dir` */
static void write_profile(const char *dir, const mmp_model *m,
	const float *x, size_t n)
{
	size_t npred = mmp_model_noutputs(m);
	float *pred = calloc(n * npred, sizeof(float));
	mmp_profile *p = NULL;
	mmp_buf json = MMP_BUF_INIT;
	char path[4096];
	FILE *f;

	check(mmp_model_predict_scores(m, x, n, mmp_model_nfeatures(m), pred),
		"predict");
	check(mmp_profile_build(&p, mmp_model_schema_of(m), x, n, pred,
		npred), "profile");
	check(mmp_profile_to_json(p, &json), "profile json");
	snprintf(path, sizeof(path), "%s/profile.json", dir);
	f = fopen(path, "w");
	if (!f || fwrite(json.ptr, 1, json.size, f) != json.size ||
	    fclose(f))
		die2("cannot write", path);
	mmp_profile_free(p);
	mmp_buf_dispose(&json);
	free(pred);
}

/* synth's features: uniform in [-1, 1) */
static float synth_value(uint64_t *st)
{
	return (float)((double)(lcg(st) % 100000) / 50000.0 - 1.0);
}

static int cmd_synth_records(int argc, char **argv)
{
	size_t nf = (size_t)atoi(argv[2]), n = (size_t)atoi(argv[3]), i, j;
	uint64_t st = (uint64_t)atoll(argv[4]);
	long shift_f = -1;
	double delta = 0;
	const char *entity = NULL;
	int a, csv = 0;

	for (a = 5; a < argc; a++) {
		if (!strcmp(argv[a], "--shift") && a + 2 < argc) {
			shift_f = atol(argv[++a]);
			delta = atof(argv[++a]);
		} else if (!strcmp(argv[a], "--entity") && a + 1 < argc) {
			entity = argv[++a];
		} else if (!strcmp(argv[a], "--csv")) {
			csv = 1;
		} else {
			die2("unknown argument", argv[a]);
		}
	}
	if (csv) {
		if (entity)
			printf("%s,", entity);
		for (j = 0; j < nf; j++)
			printf("%sf%02zu", j ? "," : "", j);
		putchar('\n');
		for (i = 0; i < n; i++) {
			if (entity)
				printf("r%s-%zu,", argv[4], i);
			for (j = 0; j < nf; j++) {
				double v = synth_value(&st);

				if ((long)j == shift_f)
					v += delta;
				printf("%s%.9g", j ? "," : "", v);
			}
			putchar('\n');
		}
		return 0;
	}
	putchar('[');
	for (i = 0; i < n; i++) {
		printf("%s{", i ? "," : "");
		if (entity)
			printf("\"%s\":\"r%s-%zu\",", entity, argv[4], i);
		for (j = 0; j < nf; j++) {
			double v = synth_value(&st);

			if ((long)j == shift_f)
				v += delta;
			printf("%s\"f%02zu\":%.9g", j ? "," : "", j, v);
		}
		putchar('}');
	}
	puts("]");
	return 0;
}

static int cmd_synth(int argc, char **argv)
{
	size_t nf = (size_t)atoi(argv[3]), n = (size_t)atoi(argv[4]), i, j;
	const char *names[MAXCOLS];
	char namebuf[MAXCOLS][16], depth_s[16];
	mmp_model_schema *s = NULL;
	mmp_model_train_options o;
	mmp_model *m = NULL;
	uint64_t st = 42;
	float *x, *y;
	int profile = 0, a;

	if (nf < 1 || nf > MAXCOLS)
		die2("bad feature count", argv[3]);
	for (a = 7; a < argc; a++)
		if (!strcmp(argv[a], "--profile"))
			profile = 1;
		else if (!strcmp(argv[a], "--entity") && a + 1 < argc)
			a++;
		else
			die2("unknown argument", argv[a]);
	check(mmp_model_schema_new(&s, MMP_TASK_BINARY, "label"), "schema");
	check(mmp_model_schema_add_class(s, "0"), "class");
	check(mmp_model_schema_add_class(s, "1"), "class");
	for (j = 0; j < nf; j++) {
		snprintf(namebuf[j], sizeof(namebuf[j]), "f%02zu", j);
		names[j] = namebuf[j];
		check(mmp_model_schema_add_feature(s, names[j],
			MMP_FEATURE_NUMERIC, MMP_COLUMN_DOUBLE, NULL, 0), "f");
	}
	for (a = 7; a + 1 < argc; a++)
		if (!strcmp(argv[a], "--entity"))
			check(mmp_model_schema_add_entity(s, argv[++a]),
				"entity");
	x = calloc(n * nf, sizeof(float));
	y = calloc(n, sizeof(float));
	for (i = 0; i < n; i++) {
		double z = 0;

		for (j = 0; j < nf; j++) {
			float v = synth_value(&st);

			x[i * nf + j] = v;
			z += (j % 3 == 0 ? 1.0 : j % 3 == 1 ? -0.5 : 0.25) *
				v * (j < 8 ? 2 : 1) + (j == 1 ? v * x[i * nf] : 0);
		}
		z += (double)(lcg(&st) % 1000) / 500.0 - 1.0;
		y[i] = z > 0;
	}
	snprintf(depth_s, sizeof(depth_s), "%d", atoi(argv[6]));
	{
		mmp_model_param p[] = { { "max_depth", depth_s },
			{ "tree_method", "hist" }, { "seed", "0" },
			{ "objective", "binary:logistic" } };

		mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
		o.task = MMP_TASK_BINARY;
		o.train_x = x;
		o.train_y = y;
		o.train_rows = n;
		o.ncols = nf;
		o.feature_names = names;
		o.params = p;
		o.nparams = 4;
		o.num_boost_round = atoi(argv[5]);
		o.nthread = 0;
		o.schema = s;
		check(mmp_model_train(&m, &o, NULL), "train");
	}
	save(m, argv[2]);
	if (profile)
		write_profile(argv[2], m, x, n);
	mmp_model_free(m);
	mmp_model_schema_free(s);
	free(x);
	free(y);
	return 0;
}

/* every objective mmp trains, with the labels each one takes */
static const struct {
	const char *objective;
	mmp_task task;
} random_objectives[] = {
	{ "binary:logistic", MMP_TASK_BINARY },
	{ "binary:logitraw", MMP_TASK_BINARY },
	{ "binary:hinge", MMP_TASK_BINARY },
	{ "multi:softprob", MMP_TASK_MULTICLASS },
	{ "multi:softmax", MMP_TASK_MULTICLASS },
	{ "reg:squarederror", MMP_TASK_REGRESSION },
	{ "reg:absoluteerror", MMP_TASK_REGRESSION },
	{ "reg:pseudohubererror", MMP_TASK_REGRESSION },
	{ "reg:squaredlogerror", MMP_TASK_REGRESSION },
	{ "reg:gamma", MMP_TASK_REGRESSION },
	{ "reg:tweedie", MMP_TASK_REGRESSION },
	{ "reg:logistic", MMP_TASK_REGRESSION },
	{ "count:poisson", MMP_TASK_REGRESSION },
};

static int cmd_random(int argc, char **argv)
{
	const char *booster = argc > 4 ? argv[4] : "gbtree";
	uint64_t seed = strtoull(argv[3], NULL, 10);
	uint64_t st = seed * 2654435761u + 99;
	size_t no = sizeof(random_objectives) / sizeof(random_objectives[0]);
	size_t pick, nf, ncat, nrows = 400, ncls = 0, i, j, k, np = 0;
	const char *names[MAXCOLS], *cats[16];
	char namebuf[MAXCOLS][16], catbuf[16][8], clsbuf[8][8];
	char depth_s[16], onehot_s[16], ncls_s[16];
	mmp_feature_kind kinds[MAXCOLS];
	mmp_model_param p[16];
	mmp_model_schema *s = NULL;
	mmp_model_train_options o;
	mmp_model *m = NULL;
	const char *obj;
	mmp_task task;
	float *x, *y;

	/* seeds 0 to 12 go through every objective */
	pick = (size_t)(seed % no);
	obj = random_objectives[pick].objective;
	task = random_objectives[pick].task;
	nf = 3 + lcg(&st) % 8;
	ncat = strcmp(booster, "gblinear") ? lcg(&st) % 3 : 0;
	if (task == MMP_TASK_MULTICLASS)
		ncls = 3 + lcg(&st) % 3;
	else if (task == MMP_TASK_BINARY)
		ncls = 2;
	check(mmp_model_schema_new(&s, task, "label"), "schema");
	for (k = 0; k < ncls; k++) {
		snprintf(clsbuf[k], sizeof(clsbuf[k]), "c%zu", k);
		check(mmp_model_schema_add_class(s, clsbuf[k]), "class");
	}
	for (k = 0; k < 16; k++) {
		snprintf(catbuf[k], sizeof(catbuf[k]), "k%zu", k);
		cats[k] = catbuf[k];
	}
	for (j = 0; j < nf; j++) {
		snprintf(namebuf[j], sizeof(namebuf[j]), "x%zu", j);
		names[j] = namebuf[j];
		kinds[j] = j < ncat ? MMP_FEATURE_CATEGORICAL :
			MMP_FEATURE_NUMERIC;
		check(mmp_model_schema_add_feature(s, names[j], kinds[j],
			j < ncat ? MMP_COLUMN_STRING : MMP_COLUMN_DOUBLE,
			j < ncat ? cats : NULL, j < ncat ? 16 : 0), "feature");
	}
	x = calloc(nrows * nf, sizeof(float));
	y = calloc(nrows, sizeof(float));
	for (i = 0; i < nrows; i++) {
		double z = 0;

		for (j = 0; j < nf; j++) {
			float *c = &x[i * nf + j];

			if (lcg(&st) % 10 == 0)
				*c = NAN;
			else if (j < ncat)
				*c = (float)(lcg(&st) % 16);
			else
				*c = (float)((double)(lcg(&st) % 100000) /
					50000.0 - 1.0) * (j % 3 ? 10.0f :
					1000.0f);
			if (!isnan(*c))
				z += j < ncat ? ((int)*c % 3) - 1.0 :
					*c / (j % 3 ? 10.0 : 1000.0);
		}
		z += (double)(lcg(&st) % 1000) / 1000.0 - 0.5;
		if (ncls)
			y[i] = (float)(z > 0 ? (ncls == 2 ? 1 :
				(size_t)(z * 2) % ncls) : 0);
		else if (!strcmp(obj, "reg:logistic"))
			y[i] = (float)(1.0 / (1.0 + exp(-z)));
		else if (!strcmp(obj, "reg:gamma"))
			y[i] = (float)exp(z / 2);
		else if (!strcmp(obj, "reg:tweedie") ||
		    !strcmp(obj, "count:poisson"))
			y[i] = (float)floor(exp(z / 2));
		else if (!strcmp(obj, "reg:squaredlogerror"))
			y[i] = (float)fabs(z * 10);
		else
			y[i] = (float)(z * 100);
	}
	snprintf(depth_s, sizeof(depth_s), "%d", 1 + (int)(lcg(&st) % 8));
	snprintf(onehot_s, sizeof(onehot_s), "%d", 1 + (int)(lcg(&st) % 8));
	snprintf(ncls_s, sizeof(ncls_s), "%zu", ncls);
	p[np++] = (mmp_model_param){ "objective", obj };
	p[np++] = (mmp_model_param){ "booster", booster };
	p[np++] = (mmp_model_param){ "seed", "0" };
	if (strcmp(booster, "gblinear")) {
		p[np++] = (mmp_model_param){ "tree_method", "hist" };
		p[np++] = (mmp_model_param){ "max_depth", depth_s };
		p[np++] = (mmp_model_param){ "max_cat_to_onehot", onehot_s };
		p[np++] = (mmp_model_param){ "eta",
			lcg(&st) % 2 ? "0.3" : "1.7" };
		if (lcg(&st) % 3 == 0)
			p[np++] = (mmp_model_param){ "num_parallel_tree", "2" };
	}
	if (!strcmp(booster, "dart"))
		p[np++] = (mmp_model_param){ "rate_drop", "0.3" };
	if (!strcmp(obj, "binary:logistic") && lcg(&st) % 2)
		p[np++] = (mmp_model_param){ "base_score", "0.3" };
	mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o.task = task;
	o.num_class = task == MMP_TASK_MULTICLASS ? ncls : 0;
	o.train_x = x;
	o.train_y = y;
	o.train_rows = nrows;
	o.ncols = nf;
	o.feature_names = names;
	o.feature_kinds = kinds;
	o.params = p;
	o.nparams = np;
	o.num_boost_round = 1 + (int)(lcg(&st) % 20);
	o.nthread = 1;
	o.schema = s;
	check(mmp_model_train(&m, &o, NULL), "train");
	save(m, argv[2]);
	printf("%s %s, %zu features (%zu categorical), %d rounds\n",
		booster, obj, nf, ncat, o.num_boost_round);
	mmp_model_free(m);
	mmp_model_schema_free(s);
	free(x);
	free(y);
	return 0;
}

static int is_number(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

static int cmd_records(int argc, char **argv)
{
	const char *drop[MAXCOLS];
	size_t ndrop = 0, i, j, limit = (size_t)-1;
	struct table t;
	cJSON *list = cJSON_CreateArray();
	char *text;
	int a;

	for (a = 3; a < argc; a++) {
		if (!strcmp(argv[a], "--limit") && a + 1 < argc)
			limit = (size_t)atol(argv[++a]);
		else if (!strcmp(argv[a], "--drop") && a + 1 < argc)
			drop[ndrop++] = argv[++a];
		else
			die2("unknown argument", argv[a]);
	}
	read_csv(&t, argv[2]);
	for (i = 0; i < t.nrows && i < limit; i++) {
		cJSON *o = cJSON_CreateObject();

		for (j = 0; j < t.ncols; j++) {
			const char *v = t.cells[i][j];

			if (has(drop, ndrop, t.names[j]))
				continue;
			if (!*v)
				cJSON_AddNullToObject(o, t.names[j]);
			else if (is_number(v) && strcmp(t.names[j],
			    "customer_id"))
				cJSON_AddNumberToObject(o, t.names[j],
					strtod(v, NULL));
			else
				cJSON_AddStringToObject(o, t.names[j], v);
		}
		cJSON_AddItemToArray(list, o);
	}
	text = mmp_json_print(list, 0);
	puts(text);
	free(text);
	cJSON_Delete(list);
	return 0;
}

/* the library's predictions for the CSV's rows, in model column order */
static float *predict_csv(const mmp_model *m, const char *csv, size_t *nrows)
{
	const mmp_model_schema *s = mmp_model_schema_of(m);
	size_t nf = s->nfeatures, i, j, k;
	struct table t;
	float *x, *y;

	read_csv(&t, csv);
	x = calloc(t.nrows * nf + 1, sizeof(float));
	y = calloc(t.nrows * mmp_model_noutputs(m) + 1, sizeof(float));
	for (j = 0; j < nf; j++) {
		const mmp_model_feature *f = &s->features[j];
		long c = col_index(&t, f->name);

		for (i = 0; i < t.nrows; i++) {
			const char *v = t.cells[i][c];

			x[i * nf + j] = NAN;
			if (!*v)
				continue;
			if (f->kind != MMP_FEATURE_CATEGORICAL) {
				x[i * nf + j] = strtof(v, NULL);
				continue;
			}
			for (k = 0; k < f->ncategories; k++)
				if (!strcmp(f->categories[k], v))
					x[i * nf + j] = (float)k;
		}
	}
	check(mmp_model_predict(m, x, t.nrows, nf, y), "predict");
	free(x);
	*nrows = t.nrows;
	return y;
}

static int same(float want, const cJSON *got, size_t row, size_t k)
{
	if (cJSON_IsNumber(got) && (float)got->valuedouble == want)
		return 1;
	fprintf(stderr, "mkmodel: row %zu output %zu: served %.17g, library "
		"%.9g\n", row, k, got ? got->valuedouble : NAN, (double)want);
	return 0;
}

static int cmd_compare(int argc, char **argv)
{
	mmp_model *m = NULL;
	const mmp_model_schema *s;
	size_t n, i, k, no, bad = 0;
	int mlflow = argc > 5 && !strcmp(argv[5], "--mlflow");
	char *text = slurp(argv[4]);
	cJSON *doc = cJSON_Parse(text), *preds, *p;
	float *y;

	check(mmp_model_load_dir(&m, argv[2]), "load");
	s = mmp_model_schema_of(m);
	y = predict_csv(m, argv[3], &n);
	no = mmp_model_noutputs(m);
	preds = cJSON_GetObjectItem(doc, "predictions");
	if ((size_t)cJSON_GetArraySize(preds) != n)
		die2("wrong prediction count in", argv[4]);
	for (i = 0; i < n; i++) {
		p = cJSON_GetArrayItem(preds, (int)i);
		if (mlflow && s->task != MMP_TASK_REGRESSION) {
			const cJSON *label = cJSON_GetObjectItem(p,
				"prediction");
			size_t best = 0;

			if (s->task == MMP_TASK_BINARY) {
				bad += !same(1.0f - y[i], cJSON_GetObjectItem(p,
					s->classes[0]), i, 0);
				bad += !same(y[i], cJSON_GetObjectItem(p,
					s->classes[1]), i, 1);
				best = y[i] > 0.5f;
			} else {
				for (k = 0; k < no; k++) {
					bad += !same(y[i * no + k],
						cJSON_GetObjectItem(p,
						s->classes[k]), i, k);
					if (y[i * no + k] > y[i * no + best])
						best = k;
				}
			}
			if (!cJSON_IsString(label) ||
			    strcmp(label->valuestring, s->classes[best])) {
				fprintf(stderr, "mkmodel: row %zu: served label "
					"is not '%s'\n", i, s->classes[best]);
				bad++;
			}
			continue;
		}
		if (s->task == MMP_TASK_REGRESSION) {
			bad += !same(y[i], cJSON_GetObjectItem(p,
				"prediction"), i, 0);
			continue;
		}
		p = cJSON_GetObjectItem(p, "probabilities");
		if (s->task == MMP_TASK_BINARY) {
			bad += !same(y[i], cJSON_GetObjectItem(p,
				s->classes[1]), i, 1);
			continue;
		}
		for (k = 0; k < no; k++)
			bad += !same(y[i * no + k], cJSON_GetObjectItem(p,
				s->classes[k]), i, k);
	}
	printf("%zu rows, %zu mismatches\n", n, bad);
	free(y);
	free(text);
	cJSON_Delete(doc);
	mmp_model_free(m);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (mmp_global_init() < 0)
		die2("init", mmp_error_last()->message);
	if (argc >= 6 && !strcmp(argv[1], "train"))
		rc = cmd_train(argc, argv);
	else if (argc >= 7 && !strcmp(argv[1], "synth"))
		rc = cmd_synth(argc, argv);
	else if (argc >= 5 && !strcmp(argv[1], "synth-records"))
		rc = cmd_synth_records(argc, argv);
	else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "random"))
		rc = cmd_random(argc, argv);
	else if (argc >= 3 && !strcmp(argv[1], "records"))
		rc = cmd_records(argc, argv);
	else if (argc >= 5 && !strcmp(argv[1], "compare"))
		rc = cmd_compare(argc, argv);
	else
		die2("usage", "see the comment at the top of mkmodel.c");
	mmp_global_shutdown();
	return rc;
}
