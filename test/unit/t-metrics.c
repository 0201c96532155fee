/* SPDX-License-Identifier: MIT */
/* t-metrics.c: mmp's evaluation metrics against scikit-learn's values */
#include <math.h>
#include <string.h>

#include "mmp/errors.h"
#include "mmp/metrics.h"
#include "tap.h"

/*
 * The expected values below were computed once with Debian bookworm's
 * /usr/bin/python3, scikit-learn 1.2.1 and numpy 1.24.2, feeding the
 * same inputs as float32 converted to float64:
 *   accuracy_score, precision_score, recall_score, f1_score (binary,
 *   and average='macro'/'weighted' with zero_division=0),
 *   roc_auc_score (multi_class='ovr', average='macro'),
 *   log_loss(eps=1e-15), confusion_matrix, mean_squared_error (sqrt),
 *   mean_absolute_error, r2_score.
 */
static const float yb[20] = {
	0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0
};
static const float pb[20] = {
	0.1f, 0.9f, 0.8f, 0.3f, 0.5f, 0.5f, 0.7f, 0.2f, 0.6f, 0.05f,
	0.95f, 0.5f, 0.5f, 0.65f, 0.35f, 0.75f, 0.45f, 0.25f, 0.85f, 0.15f
};
static const float ym[15] = { 0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 2 };
static const float pm[15 * 3] = {
	.7f, .2f, .1f, .1f, .6f, .3f, .2f, .2f, .6f, .3f, .4f, .3f,
	.5f, .4f, .1f, .4f, .4f, .2f, .9f, .05f, .05f, .1f, .1f, .8f,
	.2f, .3f, .5f, .3f, .6f, .1f, .25f, .25f, .5f, .6f, .3f, .1f,
	.1f, .8f, .1f, .0f, .1f, .9f, .4f, .3f, .3f
};
static const float yr[10] = { 3, -0.5f, 2, 7, 4.25f, 1.5f, 0, -2, 5.5f, 6 };
static const float pr[10] = { 2.5f, 0, 2, 8, 4, 1, 0.5f, -1.5f, 5, 7.5f };

static double get(const mmp_metric_list *l, const char *name)
{
	double v = -1;

	if (mmp_metrics_get(&v, l, name) < 0)
		diag("no metric %s", name);
	return v;
}

static void test_binary(void)
{
	mmp_metric_list l;
	uint64_t cm[4];

	is_int(mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, yb, pb, 20), 0,
		"binary metrics computed");
	is_int((long long)l.count, 16, "sixteen binary metrics");
	is_str(l.items[0].name, "accuracy", "accuracy first");
	is_double(get(&l, "accuracy"), 0.75, 1e-15, "accuracy = sklearn");
	is_double(get(&l, "precision"), 0.875, 1e-15, "precision = sklearn");
	is_double(get(&l, "recall"), 0.6363636363636364, 1e-15,
		"recall = sklearn");
	is_double(get(&l, "f1"), 0.7368421052631579, 1e-15, "f1 = sklearn");
	is_double(get(&l, "roc_auc"), 0.8686868686868687, 1e-15,
		"roc_auc with ties = sklearn");
	is_double(get(&l, "logloss"), 0.4554297048218746, 1e-13,
		"logloss = sklearn");
	/* average_precision_score, brier_score_loss,
	 * balanced_accuracy_score, matthews_corrcoef, and the averages */
	is_double(get(&l, "pr_auc"), 0.90148087206910732, 1e-13,
		"pr_auc = sklearn average precision (ties at 0.5)");
	is_double(get(&l, "brier"), 0.14812500299885883, 1e-13,
		"brier = sklearn");
	is_double(get(&l, "balanced_accuracy"), 0.76262626262626254, 1e-15,
		"balanced_accuracy = sklearn");
	is_double(get(&l, "mcc"), 0.53339646091044179, 1e-14,
		"mcc = sklearn");
	is_double(get(&l, "precision_macro"), 0.77083333333333326, 1e-15,
		"binary precision_macro = sklearn");
	is_double(get(&l, "recall_macro"), 0.76262626262626254, 1e-15,
		"binary recall_macro = sklearn");
	is_double(get(&l, "f1_macro"), 0.74937343358395991, 1e-15,
		"binary f1_macro = sklearn");
	is_double(get(&l, "precision_weighted"), 0.78125, 1e-15,
		"binary precision_weighted = sklearn");
	is_double(get(&l, "recall_weighted"), 0.75, 1e-15,
		"binary recall_weighted = sklearn");
	is_double(get(&l, "f1_weighted"), 0.74812030075187974, 1e-15,
		"binary f1_weighted = sklearn");
	is_int(mmp_confusion_matrix(cm, 2, MMP_TASK_BINARY, yb, pb, 20), 0,
		"binary confusion matrix");
	ok(cm[0] == 8 && cm[1] == 1 && cm[2] == 4 && cm[3] == 7,
		"confusion matrix = sklearn [[8,1],[4,7]]");
}

static void test_multiclass(void)
{
	mmp_metric_list l;
	uint64_t cm[9];
	static const uint64_t want[9] = { 4, 0, 0, 1, 3, 1, 1, 1, 4 };

	is_int(mmp_metrics_compute(&l, MMP_TASK_MULTICLASS, 3, ym, pm, 15),
		0, "multiclass metrics computed");
	is_double(get(&l, "accuracy"), 0.7333333333333333, 1e-15,
		"accuracy = sklearn");
	is_double(get(&l, "precision_macro"), 0.7388888888888889, 1e-15,
		"precision_macro = sklearn");
	is_double(get(&l, "precision_weighted"), 0.7477777777777778, 1e-15,
		"precision_weighted = sklearn");
	is_double(get(&l, "recall_macro"), 0.7555555555555555, 1e-15,
		"recall_macro = sklearn");
	is_double(get(&l, "recall_weighted"), 0.7333333333333333, 1e-15,
		"recall_weighted = sklearn");
	is_double(get(&l, "f1_macro"), 0.7313131313131312, 1e-15,
		"f1_macro = sklearn");
	is_double(get(&l, "f1_weighted"), 0.7264646464646465, 1e-15,
		"f1_weighted = sklearn");
	is_double(get(&l, "logloss"), 0.6129755052367881, 1e-13,
		"multiclass logloss = sklearn");
	is_double(get(&l, "roc_auc_ovr"), 0.9403647586980921, 1e-13,
		"roc_auc ovr macro = sklearn");
	is_double(get(&l, "balanced_accuracy"), 0.75555555555555554, 1e-15,
		"multiclass balanced_accuracy = sklearn");
	is_double(get(&l, "mcc"), 0.61486486486486491, 1e-14,
		"multiclass mcc = sklearn");
	/* numpy: mean over rows of sum_k (p_k - [y == k])^2 */
	is_double(get(&l, "brier"), 0.34199999504288076, 1e-13,
		"multiclass brier = numpy");
	/* log_loss(y[y == k], p[y == k], labels=[0, 1, 2]) */
	is_double(get(&l, "logloss_class_0"), 0.47228795661792672, 1e-13,
		"logloss of class 0's rows = sklearn");
	is_double(get(&l, "logloss_class_1"), 0.67301165955867603, 1e-13,
		"logloss of class 1's rows = sklearn");
	is_double(get(&l, "logloss_class_2"), 0.65673707571445583, 1e-13,
		"logloss of class 2's rows = sklearn");
	is_double((4 * get(&l, "logloss_class_0") + 5 * get(&l,
		"logloss_class_1") + 6 * get(&l, "logloss_class_2")) / 15,
		get(&l, "logloss"), 1e-13, "the shares add up to logloss");
	is_int(mmp_confusion_matrix(cm, 3, MMP_TASK_MULTICLASS, ym, pm, 15),
		0, "multiclass confusion matrix");
	ok(!memcmp(cm, want, sizeof(want)),
		"confusion matrix = sklearn [[4,0,0],[1,3,1],[1,1,4]]");
}

static void test_regression(void)
{
	mmp_metric_list l;
	static const float yc[3] = { 2, 2, 2 };
	static const float pc[3] = { 2, 2, 3 };

	is_int(mmp_metrics_compute(&l, MMP_TASK_REGRESSION, 0, yr, pr, 10),
		0, "regression metrics computed");
	is_int((long long)l.count, 5, "five regression metrics");
	is_double(get(&l, "rmse"), 0.6937218462755804, 1e-15,
		"rmse = sklearn");
	is_double(get(&l, "mae"), 0.575, 1e-15, "mae = sklearn");
	is_double(get(&l, "r2"), 0.9407737866317976, 1e-15, "r2 = sklearn");
	/* a true 0 divides by float64 epsilon, as scikit-learn does */
	is_double(get(&l, "mape") / 225179981368525.0, 1, 1e-12,
		"mape = sklearn");
	is_double(get(&l, "median_ae"), 0.5, 0, "median_ae = sklearn");
	mmp_metrics_compute(&l, MMP_TASK_REGRESSION, 0, yc, yc, 3);
	is_double(get(&l, "r2"), 1.0, 0, "constant target predicted: r2 1");
	mmp_metrics_compute(&l, MMP_TASK_REGRESSION, 0, yc, pc, 3);
	is_double(get(&l, "r2"), 0.0, 0, "constant target missed: r2 0");
	is_double(get(&l, "rmse"), sqrt(1.0 / 3), 1e-15, "rmse by hand");
}

static void test_hand(void)
{
	mmp_metric_list l;
	static const float y[4] = { 0, 0, 1, 1 };
	static const float p[4] = { 0.1f, 0.4f, 0.35f, 0.8f };
	static const float tie[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
	static const float one[4] = { 1, 1, 1, 1 };
	static const float hard[4] = { 0, 0, 1, 1 };

	mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y, p, 4);
	is_double(get(&l, "roc_auc"), 0.75, 1e-15, "auc 3 of 4 pairs");
	is_double(get(&l, "accuracy"), 0.75, 0, "accuracy 3 of 4");
	is_double(get(&l, "precision"), 1.0, 0, "precision 1/1");
	is_double(get(&l, "recall"), 0.5, 0, "recall 1/2");
	mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y, tie, 4);
	is_double(get(&l, "roc_auc"), 0.5, 0, "all scores tied: auc 0.5");
	is_double(get(&l, "precision"), 0.0, 0,
		"no predicted positive: precision 0 (zero_division=0)");
	is_double(get(&l, "f1"), 0.0, 0, "no predicted positive: f1 0");
	is_double(get(&l, "logloss"), log(2.0), 1e-15, "logloss of 0.5");
	mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, one, p, 4);
	ok(isnan(get(&l, "roc_auc")), "one class only: auc is NaN");
	mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y, hard, 4);
	is_double(get(&l, "logloss"), -log(1 - 1e-15), 1e-18,
		"hard 0/1 predictions clipped at 1e-15");
}

static void test_errors(void)
{
	mmp_metric_list l;
	uint64_t cm[4];
	static const float bad[3] = { 0, 2, 1 };
	static const float nanp[3] = { 0.1f, NAN, 0.2f };
	static const float p3[3] = { 0.1f, 0.2f, 0.3f };
	static const float y3[3] = { 0, 1, 0 };
	double v;

	is_int(mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y3, p3, 0),
		MMP_EINVALID, "no rows: invalid");
	is_str(mmp_error_last()->message, "no rows to evaluate",
		"no rows message");
	is_int(mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, bad, p3, 3),
		MMP_EINVALID, "binary label 2: invalid");
	is_str(mmp_error_last()->message,
		"true class at row 2 is 2, not 0 or 1", "names the row");
	is_int(mmp_metrics_compute(&l, MMP_TASK_MULTICLASS, 2, bad, pm, 3),
		MMP_EINVALID, "class code out of range: invalid");
	is_str(mmp_error_last()->message,
		"true class at row 2 is 2, not a code from 0 to 1",
		"names the row and the range");
	is_int(mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y3, nanp, 3),
		MMP_EINVALID, "NaN prediction: invalid");
	is_str(mmp_error_last()->message, "prediction at row 2 is not a number",
		"names the row");
	is_int(mmp_metrics_compute(&l, MMP_TASK_MULTICLASS, 1, y3, p3, 3),
		MMP_EINVALID, "multiclass with one class: invalid");
	is_int(mmp_metrics_compute(&l, (mmp_task)9, 2, y3, p3, 3),
		MMP_EINVALID, "unknown task: invalid");
	is_int(mmp_confusion_matrix(cm, 2, MMP_TASK_REGRESSION, y3, p3, 3),
		MMP_EINVALID, "no confusion matrix for regression");
	mmp_metrics_compute(&l, MMP_TASK_BINARY, 2, y3, p3, 3);
	is_int(mmp_metrics_get(&v, &l, "rmse"), MMP_ENOTFOUND,
		"rmse is not a binary metric");
}

static void test_task_names(void)
{
	mmp_task t = MMP_TASK_BINARY;

	is_str(mmp_model_task_name(MMP_TASK_MULTICLASS), "multiclass",
		"task name");
	ok(mmp_model_task_name((mmp_task)0) == NULL, "no name for 0");
	is_int(mmp_model_task_parse(&t, "regression"), 0, "parse task");
	is_int(t, MMP_TASK_REGRESSION, "parsed regression");
	is_int(mmp_model_task_parse(&t, "clustering"), MMP_EINVALID,
		"unknown task word");
	is_str(mmp_error_last()->message, "unknown task 'clustering'; "
		"expected binary, multiclass or regression", "names the word");
}

int main(void)
{
	test_binary();
	test_multiclass();
	test_regression();
	test_hand();
	test_errors();
	test_task_names();
	return done_testing();
}
