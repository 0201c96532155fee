/* SPDX-License-Identifier: MIT */
/* metrics.c: classification and regression metrics as scikit-learn has them */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/metrics.h"
#include "util/util.h"

#define LOGLOSS_EPS 1e-15

static const char *const task_names[] = {
	NULL, "binary", "multiclass", "regression"
};

const char *mmp_model_task_name(mmp_task task)
{
	if ((int)task < 1 || (size_t)task >= ARRAY_SIZE(task_names))
		return NULL;
	return task_names[task];
}

int mmp_model_task_parse(mmp_task *out, const char *s)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(task_names); i++)
		if (s && !strcmp(s, task_names[i])) {
			*out = (mmp_task)i;
			return 0;
		}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"unknown task '%s'; expected binary, multiclass or regression",
		s ? s : "");
}

static void add(mmp_metric_list *l, const char *name, double v)
{
	if (l->count < MMP_METRICS_MAX) {
		l->items[l->count].name = name;
		l->items[l->count].value = v;
		l->count++;
	}
}

int mmp_metrics_get(double *out, const mmp_metric_list *list,
	const char *name)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (!strcmp(list->items[i].name, name)) {
			*out = list->items[i].value;
			return 0;
		}
	return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
		"no metric '%s'", name);
}

typedef struct {
	double score;
	int pos;
} scored;

static int cmp_scored(const void *a, const void *b)
{
	double x = ((const scored *)a)->score, y = ((const scored *)b)->score;

	return x < y ? -1 : x > y;
}

/* exact ROC AUC: the Mann-Whitney statistic with tied scores given
 * their average rank, which equals scikit-learn's trapezoidal area */
static double auc(scored *v, size_t n)
{
	double npos = 0, nneg, rank_sum = 0;
	size_t i = 0, j, k;

	qsort(v, n, sizeof(*v), cmp_scored);
	while (i < n) {
		double avg, pos_here = 0;

		for (j = i; j < n && v[j].score == v[i].score; j++)
			;
		avg = ((double)i + 1 + (double)j) / 2.0;
		for (k = i; k < j; k++)
			pos_here += v[k].pos;
		rank_sum += pos_here * avg;
		npos += pos_here;
		i = j;
	}
	nneg = (double)n - npos;
	if (npos == 0 || nneg == 0)
		return NAN;
	return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg);
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static double fscore(double p, double r)
{
	return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* average precision as scikit-learn: sum over thresholds (distinct
 * scores, highest first) of (R_n - R_{n-1}) * P_n */
static double average_precision(scored *v, size_t n)
{
	double npos = 0, tp = 0, fp = 0, prev_r = 0, ap = 0;
	size_t i = 0, j, k;

	for (i = 0; i < n; i++)
		npos += v[i].pos;
	if (npos == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_scored);
	/* ascending: walk from the top score down */
	i = n;
	while (i > 0) {
		double r;

		for (j = i; j > 0 && v[j - 1].score == v[i - 1].score; j--)
			;
		for (k = j; k < i; k++) {
			tp += v[k].pos;
			fp += !v[k].pos;
		}
		r = tp / npos;
		ap += (r - prev_r) * (tp / (tp + fp));
		prev_r = r;
		i = j;
	}
	return ap;
}

static double clip(double q)
{
	return q < LOGLOSS_EPS ? LOGLOSS_EPS :
		q > 1 - LOGLOSS_EPS ? 1 - LOGLOSS_EPS : q;
}

/* per-class counts to the averaged metrics scikit-learn reports */
struct counts {
	size_t k;
	double n, correct;
	double *tp, *npred, *ntrue;
};

static void averages(mmp_metric_list *out, const struct counts *c,
	int with_macro)
{
	double pm = 0, rm = 0, fm = 0, pw = 0, rw = 0, fw = 0, nlab = 0;
	double bal = 0, nseen = 0, sum_tp = 0, sum_tt = 0, den;
	size_t j;

	for (j = 0; j < c->k; j++) {
		double p, r, f;

		sum_tp += c->ntrue[j] * c->npred[j];
		sum_tt += c->ntrue[j] * c->ntrue[j];
		if (c->ntrue[j]) {
			bal += c->tp[j] / c->ntrue[j];
			nseen++;
		}
		if (!c->ntrue[j] && !c->npred[j])
			continue;
		p = ratio(c->tp[j], c->npred[j]);
		r = ratio(c->tp[j], c->ntrue[j]);
		f = fscore(p, r);
		nlab++;
		pm += p;
		rm += r;
		fm += f;
		pw += p * c->ntrue[j];
		rw += r * c->ntrue[j];
		fw += f * c->ntrue[j];
	}
	if (with_macro) {
		add(out, "precision_macro", pm / nlab);
		add(out, "precision_weighted", pw / c->n);
		add(out, "recall_macro", rm / nlab);
		add(out, "recall_weighted", rw / c->n);
		add(out, "f1_macro", fm / nlab);
		add(out, "f1_weighted", fw / c->n);
	}
	add(out, "balanced_accuracy", nseen ? bal / nseen : NAN);
	/* Matthews' correlation, K classes (Gorodkin's R_K, as
	 * scikit-learn): 0 when a marginal is constant */
	{
		double sum_pp = 0;

		for (j = 0; j < c->k; j++)
			sum_pp += c->npred[j] * c->npred[j];
		den = sqrt((c->n * c->n - sum_pp) * (c->n * c->n - sum_tt));
		add(out, "mcc", den > 0 ? (c->correct * c->n - sum_tp) / den
			: 0.0);
	}
}

static int check_inputs(mmp_task task, size_t k, const float *y,
	const float *s, size_t n)
{
	size_t i, per = task == MMP_TASK_MULTICLASS ? k : 1;

	if (!n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no rows to evaluate");
	if (!mmp_model_task_name(task))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown task %d", (int)task);
	if (task == MMP_TASK_MULTICLASS && k < 2)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a multiclass task needs at least 2 classes");
	for (i = 0; i < n; i++) {
		float v = y[i];

		if (isnan(v))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"true value at row %zu is not a number", i + 1);
		if (task == MMP_TASK_BINARY && v != 0 && v != 1)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"true class at row %zu is %g, not 0 or 1",
				i + 1, (double)v);
		if (task == MMP_TASK_MULTICLASS &&
		    (v < 0 || v >= (float)k || v != floorf(v)))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"true class at row %zu is %g, not a code "
				"from 0 to %zu", i + 1, (double)v, k - 1);
	}
	for (i = 0; i < n * per; i++)
		if (isnan(s[i]))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"prediction at row %zu is not a number",
				i / per + 1);
	return 0;
}

static size_t argmax(const float *r, size_t k)
{
	size_t j, best = 0;

	for (j = 1; j < k; j++)
		if (r[j] > r[best])
			best = j;
	return best;
}

static void binary_metrics(mmp_metric_list *out, const float *y,
	const float *s, size_t n)
{
	double tp = 0, fp = 0, fn = 0, correct = 0, ll = 0, brier = 0, p, r;
	double ctp[2] = { 0, 0 }, cpred[2] = { 0, 0 }, ctrue[2] = { 0, 0 };
	struct counts c = { 2, (double)n, 0, ctp, cpred, ctrue };
	scored *v = mmp__calloc(n, sizeof(*v));
	size_t i;

	for (i = 0; i < n; i++) {
		int truth = y[i] == 1, pred = s[i] > 0.5f;
		double q = clip(s[i]);

		tp += truth && pred;
		fp += !truth && pred;
		fn += truth && !pred;
		correct += truth == pred;
		ctrue[truth]++;
		cpred[pred]++;
		ctp[truth] += truth == pred;
		ll -= truth ? log(q) : log(1 - q);
		brier += ((double)s[i] - truth) * ((double)s[i] - truth);
		v[i].score = s[i];
		v[i].pos = truth;
	}
	c.correct = correct;
	p = ratio(tp, tp + fp);
	r = ratio(tp, tp + fn);
	add(out, "accuracy", correct / (double)n);
	add(out, "precision", p);
	add(out, "recall", r);
	add(out, "f1", fscore(p, r));
	add(out, "roc_auc", auc(v, n));
	add(out, "logloss", ll / (double)n);
	add(out, "pr_auc", average_precision(v, n));
	add(out, "brier", brier / (double)n);
	averages(out, &c, 1);
	free(v);
}

/* metric names must be static: per-class log loss by class code */
static const char *const class_logloss[] = {
	"logloss_class_0", "logloss_class_1", "logloss_class_2",
	"logloss_class_3", "logloss_class_4", "logloss_class_5",
	"logloss_class_6", "logloss_class_7", "logloss_class_8",
	"logloss_class_9", "logloss_class_10", "logloss_class_11",
	"logloss_class_12", "logloss_class_13", "logloss_class_14",
	"logloss_class_15", "logloss_class_16", "logloss_class_17",
	"logloss_class_18", "logloss_class_19", "logloss_class_20",
	"logloss_class_21", "logloss_class_22", "logloss_class_23",
	"logloss_class_24", "logloss_class_25", "logloss_class_26",
	"logloss_class_27", "logloss_class_28", "logloss_class_29",
	"logloss_class_30", "logloss_class_31"
};

static void multi_metrics(mmp_metric_list *out, const float *y,
	const float *s, size_t n, size_t k)
{
	double *tp = mmp__calloc(k, sizeof(double));
	double *npred = mmp__calloc(k, sizeof(double));
	double *ntrue = mmp__calloc(k, sizeof(double));
	double *llc = mmp__calloc(k, sizeof(double));
	scored *v = mmp__calloc(n, sizeof(*v));
	double correct = 0, ll = 0, nlab = 0, auc_sum = 0, brier = 0;
	double pm = 0, rm = 0, fm = 0, pw = 0, rw = 0, fw = 0;
	struct counts c = { k, (double)n, 0, tp, npred, ntrue };
	size_t i, j;

	for (i = 0; i < n; i++) {
		const float *row = s + i * k;
		size_t truth = (size_t)y[i], pred = argmax(row, k);
		double sum = 0, q;

		ntrue[truth]++;
		npred[pred]++;
		if (truth == pred) {
			tp[truth]++;
			correct++;
		}
		for (j = 0; j < k; j++) {
			double d = (double)row[j] - (j == truth);

			sum += clip(row[j]);
			brier += d * d;
		}
		q = clip(row[truth]);
		ll -= log(q / sum);
		llc[truth] -= log(q / sum);
	}
	/* scikit-learn averages over the labels seen in y_true or y_pred */
	for (j = 0; j < k; j++) {
		double p, r, f;

		if (!ntrue[j] && !npred[j])
			continue;
		p = ratio(tp[j], npred[j]);
		r = ratio(tp[j], ntrue[j]);
		f = fscore(p, r);
		nlab++;
		pm += p;
		rm += r;
		fm += f;
		pw += p * ntrue[j];
		rw += r * ntrue[j];
		fw += f * ntrue[j];
	}
	for (j = 0; j < k && !isnan(auc_sum); j++) {
		for (i = 0; i < n; i++) {
			v[i].score = s[i * k + j];
			v[i].pos = (size_t)y[i] == j;
		}
		auc_sum += auc(v, n);
	}
	add(out, "accuracy", correct / (double)n);
	add(out, "precision_macro", pm / nlab);
	add(out, "precision_weighted", pw / (double)n);
	add(out, "recall_macro", rm / nlab);
	add(out, "recall_weighted", rw / (double)n);
	add(out, "f1_macro", fm / nlab);
	add(out, "f1_weighted", fw / (double)n);
	add(out, "logloss", ll / (double)n);
	add(out, "roc_auc_ovr", auc_sum / (double)k);
	c.correct = correct;
	averages(out, &c, 0);
	add(out, "brier", brier / (double)n);
	for (j = 0; j < k && j < ARRAY_SIZE(class_logloss); j++)
		add(out, class_logloss[j], ntrue[j] ? llc[j] / ntrue[j] : NAN);
	free(llc);
	free(tp);
	free(npred);
	free(ntrue);
	free(v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void regression_metrics(mmp_metric_list *out, const float *y,
	const float *s, size_t n)
{
	double se = 0, ae = 0, mean = 0, ss_tot = 0, ape = 0, r2, med;
	double *abs_err = mmp__calloc(n, sizeof(double));
	size_t i;

	for (i = 0; i < n; i++)
		mean += y[i];
	mean /= (double)n;
	for (i = 0; i < n; i++) {
		double d = (double)y[i] - (double)s[i];
		double t = (double)y[i] - mean;

		se += d * d;
		ae += fabs(d);
		ss_tot += t * t;
		abs_err[i] = fabs(d);
		/* scikit-learn divides by max(|y|, float64 epsilon) */
		ape += fabs(d) / fmax(fabs((double)y[i]), DBL_EPSILON);
	}
	qsort(abs_err, n, sizeof(double), cmp_double);
	med = n % 2 ? abs_err[n / 2] :
		(abs_err[n / 2 - 1] + abs_err[n / 2]) / 2;
	free(abs_err);
	/* scikit-learn's force_finite: a constant target scores 1 when
	 * predicted exactly, else 0 */
	if (ss_tot == 0)
		r2 = se == 0 ? 1.0 : 0.0;
	else
		r2 = 1 - se / ss_tot;
	add(out, "rmse", sqrt(se / (double)n));
	add(out, "mae", ae / (double)n);
	add(out, "r2", r2);
	add(out, "mape", ape / (double)n);
	add(out, "median_ae", med);
}

int mmp_metrics_compute(mmp_metric_list *out, mmp_task task,
	size_t nclasses, const float *y_true, const float *scores, size_t n)
{
	int error;

	out->count = 0;
	if ((error = check_inputs(task, nclasses, y_true, scores, n)) < 0)
		return error;
	switch (task) {
	case MMP_TASK_BINARY:
		binary_metrics(out, y_true, scores, n);
		break;
	case MMP_TASK_MULTICLASS:
		multi_metrics(out, y_true, scores, n, nclasses);
		break;
	case MMP_TASK_REGRESSION:
		regression_metrics(out, y_true, scores, n);
		break;
	}
	return 0;
}

int mmp_confusion_matrix(uint64_t *out, size_t k, mmp_task task,
	const float *y_true, const float *scores, size_t n)
{
	size_t i;
	int error;

	if (task == MMP_TASK_REGRESSION || k < 2 ||
	    (task == MMP_TASK_BINARY && k != 2))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a confusion matrix needs a classification task "
			"with its class count");
	if ((error = check_inputs(task, k, y_true, scores, n)) < 0)
		return error;
	memset(out, 0, k * k * sizeof(*out));
	for (i = 0; i < n; i++) {
		size_t truth = (size_t)y_true[i], pred;

		if (task == MMP_TASK_BINARY)
			pred = scores[i] > 0.5f;
		else
			pred = argmax(scores + i * k, k);
		out[truth * k + pred]++;
	}
	return 0;
}
