/* SPDX-License-Identifier: MIT */
/* t-bootstrap.c: percentile bootstrap intervals, single and paired */
#include <math.h>
#include <string.h>

#include "mmp/errors.h"
#include "mmp/bootstrap.h"
#include "tap.h"

#define N 400

static float y[N], good[N], bad[N], reg_y[N], reg_p[N];

static void fill(void)
{
	size_t i;

	/* 300 of 400 right for `good`, 260 for `bad`; bad's errors
	 * include every one of good's */
	for (i = 0; i < N; i++) {
		y[i] = (float)(i % 2);
		good[i] = i % 4 == 3 ? 1.0f - y[i] : y[i];
		good[i] = good[i] ? 0.8f : 0.2f;
		bad[i] = (i % 4 == 3 || i % 10 == 0) ? 1.0f - y[i] : y[i];
		bad[i] = bad[i] ? 0.7f : 0.3f;
		reg_y[i] = (float)i / 10.0f;
		reg_p[i] = reg_y[i] + (float)((int)(i % 7) - 3) / 4.0f;
	}
}

int main(void)
{
	mmp_bootstrap_options o = MMP_BOOTSTRAP_OPTIONS_INIT;
	mmp_metric_ci_list a, b;
	mmp_metric_paired_list p;
	const mmp_metric_ci *acc, *auc;
	const mmp_metric_paired *pa;
	double v[4] = { 4, 1, 3, 2 }, w[1] = { 7 }, se;
	float y3[3] = { 0, 0, 1 }, s3[3] = { 0.1f, 0.4f, 0.9f };

	fill();

	/* numpy.percentile([1, 2, 3, 4], [25, 50, 97.5]) */
	is_double(mmp_quantile(v, 4, 0.25), 1.75, 1e-12, "quantile 0.25");
	is_double(mmp_quantile(v, 4, 0.5), 2.5, 1e-12, "median");
	is_double(mmp_quantile(v, 4, 0.975), 3.925, 1e-12, "quantile 0.975");
	is_double(mmp_quantile(w, 1, 0.3), 7, 0, "one value");
	ok(isnan(mmp_quantile(w, 0, 0.5)), "no values: NaN");

	o.seed = 7;
	o.resamples = 2000;
	is_int(mmp_metrics_bootstrap(&a, MMP_TASK_BINARY, 2, y, good, N, &o),
		0, "bootstrap a binary evaluation");
	acc = mmp_metric_ci_get(&a, "accuracy");
	ok(acc != NULL, "accuracy has an interval");
	is_double(acc->value, 0.75, 1e-12, "the value is on all rows");
	/* the normal approximation: 0.75 +- 1.96 sqrt(.75 .25 / 400) */
	se = 1.959964 * sqrt(0.75 * 0.25 / N);
	is_double(acc->low, 0.75 - se, 0.01, "low end near the normal one");
	is_double(acc->high, 0.75 + se, 0.01, "high end near the normal one");
	ok(acc->low < acc->value && acc->value < acc->high,
		"the interval holds the value");
	is_int(acc->valid, 2000, "every sample counts for accuracy");
	is_int(a.resamples, 2000, "resamples recorded");
	is_double(a.confidence, 0.95, 0, "confidence recorded");
	ok(mmp_metric_ci_get(&a, "roc_auc") != NULL, "roc_auc too");
	ok(mmp_metric_ci_get(&a, "no_such") == NULL, "unknown name: NULL");

	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y, good, N, &o),
		0, "again with the same seed");
	ok(!memcmp(&a.items[0], &b.items[0], sizeof(a.items[0])) &&
		a.items[3].low == b.items[3].low &&
		a.items[3].high == b.items[3].high,
		"the same seed gives the same intervals");
	o.seed = 8;
	mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y, good, N, &o);
	ok(b.items[0].low != a.items[0].low ||
		b.items[0].high != a.items[0].high,
		"another seed, other samples");
	o.confidence = 0.5;
	mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y, good, N, &o);
	ok(b.items[0].high - b.items[0].low <
		acc->high - acc->low, "a lower confidence, a narrower interval");

	/* the only positive row is left out of some samples */
	o = (mmp_bootstrap_options)MMP_BOOTSTRAP_OPTIONS_INIT;
	o.resamples = 200;
	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y3, s3, 3, &o),
		0, "three rows");
	auc = mmp_metric_ci_get(&b, "roc_auc");
	ok(auc->valid > 0 && auc->valid < 200,
		"roc_auc counts only samples with both classes (%u)",
		auc->valid);
	is_double(auc->low, 1, 0, "and those are perfect");

	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_REGRESSION, 0, reg_y, reg_p,
		N, &o), 0, "regression");
	ok(mmp_metric_ci_get(&b, "rmse")->low <
		mmp_metric_ci_get(&b, "rmse")->value,
		"rmse interval below its value at the low end");

	/* paired */
	o = (mmp_bootstrap_options)MMP_BOOTSTRAP_OPTIONS_INIT;
	o.seed = 7;
	o.resamples = 2000;
	is_int(mmp_metrics_bootstrap_paired(&p, MMP_TASK_BINARY, 2, y, good,
		bad, N, &o), 0, "paired bootstrap");
	pa = mmp_metric_paired_get(&p, "accuracy");
	ok(pa != NULL, "paired accuracy");
	is_double(pa->a, 0.75, 1e-12, "A's value");
	is_double(pa->b, 0.65, 1e-12, "B's value");
	is_double(pa->diff, 0.1, 1e-12, "the difference is A - B");
	is_int((long long)p.rows, N, "rows recorded");
	/* B is wrong on every row A is wrong on, plus 40 more: every sample
	 * sees A ahead or level */
	ok(pa->diff_low > 0 && pa->diff_low < 0.1 && pa->diff_high > 0.1,
		"the difference's interval is above 0 and holds 0.1 "
		"(%g, %g)", pa->diff_low, pa->diff_high);
	is_double(pa->a_low, acc->low, 0, "A's interval is the single one "
		"for the same seed");
	is_double(pa->a_high, acc->high, 0, "both ends");
	ok(pa->b_high < pa->a_high, "B's interval is lower");

	is_int(mmp_metrics_bootstrap_paired(&p, MMP_TASK_BINARY, 2, y, good,
		good, N, &o), 0, "a model against itself");
	pa = mmp_metric_paired_get(&p, "roc_auc");
	ok(pa->diff == 0 && pa->diff_low == 0 && pa->diff_high == 0,
		"no difference, a zero interval");

	/* errors */
	o.resamples = 0;
	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y, good, N, &o),
		MMP_EINVALID, "no resamples is refused");
	o.resamples = 10;
	o.confidence = 1;
	is_int(mmp_metrics_bootstrap_paired(&p, MMP_TASK_BINARY, 2, y, good,
		bad, N, &o), MMP_EINVALID, "confidence 1 is refused");
	ok(strstr(mmp_error_last()->message, "confidence") != NULL,
		"the message names the confidence");
	o.confidence = 0.9;
	y3[1] = 2;
	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y3, s3, 3, &o),
		MMP_EINVALID, "a bad label is refused");
	is_int(mmp_metrics_bootstrap(&b, MMP_TASK_BINARY, 2, y, good, N,
		NULL), 0, "NULL options: the defaults");
	is_int(b.resamples, 1000, "1000 resamples by default");
	return done_testing();
}
