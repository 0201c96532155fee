/* SPDX-License-Identifier: MIT */
/* t-rebuild.c: the test rows of a train run, rebuilt from its recipe
 * snapshot, recorded split and data file, are the rows it was scored on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp.h"
#include "util/util.h"
#include "train/dataset.h"
#include "train/rebuild.h"
#include "tap.h"

static const char recipe_text[] =
	"name: rb\n"
	"task: binary_classification\n"
	"data:\n"
	"  source: data.csv\n"
	"  interface: {target_column: target}\n"
	"  split: {test_size: 0.2, seed: 42, stratify: true}\n"
	"model:\n"
	"  params: {objective: 'binary:logistic', max_depth: 2, eta: 0.3,\n"
	"           seed: 1}\n"
	"  num_boost_round: 15\n"
	"evaluation:\n"
	"  metrics: [roc_auc, logloss]\n";

static double metric(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key))
			return r->metrics[i].value;
	return -1;
}

/* score the model of `r` on rows `rows` of `data` */
static int score(mmp_metric_list *out, mmp_store *s, const mmp_run *r,
	const mmp_train_rebuilt *b)
{
	mmp_buf dir = MMP_BUF_INIT;
	mmp_model *m = NULL;
	mmp_frame *f = NULL;
	size_t nf, i, n = b->split.ntest;
	float *x = NULL, *y = NULL;
	const float *fx, *fy;
	int err;

	mmp_path_join(&dir, mmp_store_dir(s), r->artifact_uri);
	mmp_buf_puts(&dir, "/model");
	if ((err = mmp_model_load_dir(&m, dir.ptr)) < 0 ||
	    (err = mmp_train__load_data(&f, NULL, b->recipe, b->data_path,
			1)) < 0)
		goto done;
	nf = mmp_frame_nfeatures(f);
	fx = mmp_frame_features(f);
	fy = mmp_frame_target(f);
	x = calloc(n * nf, sizeof(float));
	y = calloc(n, sizeof(float));
	for (i = 0; i < n; i++) {
		memcpy(x + i * nf, fx + b->split.test[i] * nf,
			nf * sizeof(float));
		y[i] = fy[b->split.test[i]];
	}
	err = mmp_model_evaluate(out, m, x, n, nf, y);
done:
	free(x);
	free(y);
	mmp_frame_free(f);
	mmp_model_free(m);
	mmp_buf_dispose(&dir);
	return err;
}

/* the same through mmp_batch_score(): the model's own schema reads the
 * rows by name, as batch inference does */
static int batch_score(mmp_metric_list *out, mmp_store *s,
	const mmp_run *r, const mmp_train_rebuilt *b, size_t *nscored)
{
	mmp_batch_score_options so = MMP_BATCH_SCORE_OPTIONS_INIT;
	mmp_batch_scores sc;
	mmp_buf dir = MMP_BUF_INIT;
	mmp_model *m = NULL;
	size_t k = b->recipe->task == MMP_TASK_MULTICLASS ? 3 : 2;
	int err;

	mmp_path_join(&dir, mmp_store_dir(s), r->artifact_uri);
	mmp_buf_puts(&dir, "/model");
	so.rows = b->split.test;
	so.nrows = b->split.ntest;
	so.na_values = b->recipe->data.n_na_values ?
		b->recipe->data.na_values : NULL;
	memset(&sc, 0, sizeof(sc));
	if ((err = mmp_model_load_dir(&m, dir.ptr)) == 0 &&
	    (err = mmp_batch_score(&sc, m, b->data_path, &so)) == 0)
		err = mmp_metrics_compute(out, b->recipe->task, k, sc.y,
			sc.scores, sc.n);
	*nscored = sc.n;
	mmp_batch_scores_release(&sc);
	mmp_model_free(m);
	mmp_buf_dispose(&dir);
	return err;
}

/* train `recipe` and check that the rebuilt rows score as recorded */
static void check_recipe(mmp_store *s, const char *recipe,
	const char *m1, const char *m2)
{
	mmp_train_options o = MMP_TRAIN_OPTIONS_INIT;
	mmp_train_result tr;
	mmp_train_rebuilt b;
	mmp_metric_list ml;
	mmp_run *run = NULL;
	size_t n = 0;
	double v = 0;

	o.recipe_path = recipe;
	o.nthread = 1;
	is_int(mmp_train(&tr, NULL, s, &o), 0, "train %s", recipe);
	mmp_run_get(&run, s, tr.run_id);
	is_int(mmp_train__rebuild(&b, s, run, NULL), 0, "rebuild");
	is_int(batch_score(&ml, s, run, &b, &n), 0, "batch score");
	is_int((long long)n, (long long)tr.test_rows, "every test row");
	mmp_metrics_get(&v, &ml, m1);
	is_double(v, metric(run, m1), 1e-12, "%s as recorded", m1);
	mmp_metrics_get(&v, &ml, m2);
	is_double(v, metric(run, m2), 1e-12, "%s as recorded", m2);
	mmp_train__rebuilt_release(&b);
	mmp_run_free(run);
	mmp_train_result_release(&tr);
}

int main(void)
{
	const char *sets[] = { "data.split.seed=7",
		"data.split.test_size=0.25" };
	mmp_train_options o = MMP_TRAIN_OPTIONS_INIT;
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	mmp_train_result tr;
	mmp_train_rebuilt b;
	mmp_metric_list ml;
	mmp_store *s = NULL;
	mmp_run *run = NULL, *other = NULL;
	mmp_split plain;
	mmp_buf text = MMP_BUF_INIT, why = MMP_BUF_INIT;
	char db[4096], data[4096], recipe[4096], oid[33];
	mmp_frame *f = NULL;
	size_t n = 0;
	double v = 0;
	FILE *fp;

	if (mmp_global_init() < 0)
		return 1;
	snprintf(db, sizeof(db), "%s/.mmp/mmp.db", tap_tmpdir());
	snprintf(data, sizeof(data), "%s/data.csv", tap_tmpdir());
	snprintf(recipe, sizeof(recipe), "%s/rb.yaml", tap_tmpdir());
	if (mmp_file_read(&text, "recipes/data/breast_cancer.csv",
			1 << 24) < 0 ||
	    mmp_file_write_atomic(data, text.ptr, text.size) < 0 ||
	    mmp_file_write_atomic(recipe, recipe_text,
			strlen(recipe_text)) < 0 ||
	    mmp_store_open(&s, db, MMP_STORE_CREATE) < 0) {
		diag("setup: %s", mmp_error_last()->message);
		return 1;
	}

	o.recipe_path = recipe;
	o.overrides = sets;
	o.noverrides = 2;
	o.nthread = 1;
	is_int(mmp_train(&tr, NULL, s, &o), 0, "train with --set overrides");
	if (tr.error)
		diag("%s", tr.error);
	is_int(mmp_run_get(&run, s, tr.run_id), 0, "read the run back");
	ok(mmp_train__can_rebuild(run, &why), "a finished train run can be "
		"rebuilt");

	is_int(mmp_train__rebuild(&b, s, run, NULL), 0, "rebuild");
	is_int((long long)b.rows, 569, "every data row is counted");
	is_int((long long)b.split.ntest, (long long)tr.test_rows,
		"as many test rows as training had");
	is_int((long long)b.split.ntest, 143, "test_size 0.25 of the "
		"override, not the snapshot's 0.2");
	is_str(b.digest, tr.dataset_digest, "the recorded data digest");
	is_int(score(&ml, s, run, &b), 0, "score the saved model on them");
	mmp_metrics_get(&v, &ml, "roc_auc");
	is_double(v, metric(run, "roc_auc"), 1e-12, "roc_auc on the rebuilt "
		"rows is the recorded test roc_auc");
	mmp_metrics_get(&v, &ml, "logloss");
	is_double(v, metric(run, "logloss"), 1e-12, "and so is logloss");

	is_int(batch_score(&ml, s, run, &b, &n), 0, "batch score the rows");
	is_int((long long)n, 143, "143 rows scored");
	mmp_metrics_get(&v, &ml, "roc_auc");
	is_double(v, metric(run, "roc_auc"), 1e-12, "the same roc_auc");

	/* the snapshot alone (seed 42) would give other rows */
	is_int(mmp_train__load_data(&f, NULL, b.recipe, b.data_path, 1), 0,
		"load the data");
	is_int(mmp_split_stratified(&plain, mmp_frame_target(f), 569, 2,
		0.25, 42), 0, "the same split with seed 42");
	mmp_frame_free(f);
	ok(memcmp(plain.test, b.split.test, plain.ntest * sizeof(size_t)),
		"the recorded seed 7 decides the rows, not the snapshot's");
	mmp_split_release(&plain);
	mmp_train__rebuilt_release(&b);

	/* categorical features, missing values, three classes */
	check_recipe(s, "recipes/penguins.yaml", "f1_macro", "logloss");
	check_recipe(s, "recipes/diabetes.yaml", "rmse", "r2");

	/* a changed data file is refused, before anything is split */
	fp = fopen(data, "a");
	fputs("17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,0.2419,"
		"0.07871,1.095,0.9053,8.589,153.4,0.006399,0.04904,0.05373,"
		"0.01587,0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,"
		"0.6656,0.7119,0.2654,0.4601,0.1189,0\n", fp);
	fclose(fp);
	is_int(mmp_train__rebuild(&b, s, run, NULL), MMP_ECONFLICT,
		"a changed data file is a conflict");
	ok(strstr(mmp_error_last()->message, "changed since run") &&
	   strstr(mmp_error_last()->message, data),
		"the message names the file: %s", mmp_error_last()->message);
	ok(b.recipe == NULL && b.split.ntest == 0, "nothing is rebuilt");
	mmp_train__rebuilt_release(&b);

	unlink(data);
	is_int(mmp_train__rebuild(&b, s, run, NULL), MMP_ENOTFOUND,
		"a missing data file");
	ok(strstr(mmp_error_last()->message, "no longer exists") != NULL,
		"says so: %s", mmp_error_last()->message);
	mmp_train__rebuilt_release(&b);

	/* only train runs have test rows */
	so.kind = "batch-inference";
	is_int(mmp_run_start(s, &so, oid), 0, "a batch-inference run");
	mmp_run_end(s, oid, "FINISHED", NULL);
	mmp_run_get(&other, s, oid);
	mmp_buf_clear(&why);
	ok(!mmp_train__can_rebuild(other, &why), "cannot be rebuilt");
	ok(strstr(why.ptr, "is a batch-inference run, not a train run") !=
		NULL, "why: %s", why.ptr);
	is_int(mmp_train__rebuild(&b, s, other, NULL), MMP_EINVALID,
		"rebuild refuses it");
	mmp_train__rebuilt_release(&b);

	mmp_run_free(other);
	mmp_run_free(run);
	mmp_train_result_release(&tr);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&why);
	mmp_store_free(s);
	return done_testing();
}
