/* SPDX-License-Identifier: MIT */
/* t-monitor.c: profiles (build, JSON, live counts, merge) and drift */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/common.h"
#include "mmp/errors.h"
#include "mmp/monitor.h"
#include "tap.h"

/*
 * Values marked "SciPy" were computed once with Debian bookworm's
 * /usr/bin/python3, numpy 1.24 and SciPy 1.10.1:
 *   PSI sum((a-e)*log(a/e)) in numpy, jensenshannon(p, q, base=2)**2,
 *   chi2.sf(x, df), kstwobign.sf(x).
 * The others are worked out by hand in the comments beside them.
 */
static void test_stats(void)
{
	const double u[4] = { 25, 25, 25, 25 }, r[4] = { 10, 20, 30, 40 };
	const double e3[3] = { 50, 50, 0 }, a3[3] = { 0, 50, 50 };
	const double p3[3] = { 3, 1, 0 }, q3[3] = { 1, 1, 2 };
	double df, p;

	/* shares .25 against .1 .2 .3 .4 */
	is_double(mmp_stat_psi(u, r, 4), 0.228217409573, 1e-11,
		"psi of a tilted histogram (SciPy/numpy)");
	is_double(mmp_stat_psi(u, u, 4), 0, 0, "psi of equal shares is 0");
	/* the empty shares are floored at 1e-4: 2 (.5 - 1e-4) ln(5000) */
	is_double(mmp_stat_psi(e3, a3, 3), 0.9998 * log(5000), 1e-12,
		"psi floors empty bins");
	is_double(mmp_stat_psi(u, e3, 0), 0, 0, "psi of nothing is 0");
	/* cumulative .25 .5 .75 against .1 .3 .6: gaps .15 .2 .15 */
	is_double(mmp_stat_ks(u, r, 4), 0.2, 1e-15, "binned ks");
	is_double(mmp_stat_js(u, r, 4), 0.040201582346, 1e-11,
		"jensen-shannon (SciPy)");
	is_double(mmp_stat_js(p3, q3, 3), 0.344360937770, 1e-11,
		"jensen-shannon with a zero share (SciPy)");
	is_double(mmp_stat_js(u, u, 4), 0, 1e-15, "js of equal shares");
	/* expected 25 each: (225 + 25 + 25 + 225) / 25 */
	is_double(mmp_stat_chi2(u, r, 4, &df, &p), 20, 1e-12, "chi-square");
	is_double(df, 3, 0, "chi-square df");
	is_double(p, 0.000169742435553, 1e-14, "chi-square p (SciPy)");
	/* the cell the reference lacks is left out: expected 1.5 and .5 */
	is_double(mmp_stat_chi2(p3, q3, 3, &df, &p), 2.0 / 3, 1e-12,
		"chi-square skips empty reference cells");
	is_double(df, 1, 0, "its df");
	is_double(p, 0.4142161782425251, 1e-12, "its p (SciPy)");
	is_double(mmp_stat_chi2_sf(0.5, 7), 0.99944648139, 1e-10,
		"chi2 sf, series branch (SciPy)");
	is_double(mmp_stat_chi2_sf(150, 100), 0.0009039320423540184, 1e-13,
		"chi2 sf, fraction branch (SciPy)");
	/* sqrt(100 * 100 / 200) d = x */
	is_double(mmp_stat_ks_pvalue(0.3 / sqrt(50), 100, 100),
		0.999990694199, 1e-10, "ks p at x=.3 (SciPy)");
	is_double(mmp_stat_ks_pvalue(0.8 / sqrt(50), 100, 100),
		0.544142411574, 1e-10, "ks p at x=.8 (SciPy)");
	is_double(mmp_stat_ks_pvalue(1.0 / sqrt(50), 100, 100),
		0.269999671677, 1e-10, "ks p at x=1 (SciPy)");
	is_double(mmp_stat_ks_pvalue(1.5 / sqrt(50), 100, 100),
		0.0222179626165, 1e-11, "ks p at x=1.5 (SciPy)");
}

static mmp_model_schema *schema3(void)
{
	static const char *const cats[] = { "a", "b", "c" };
	mmp_model_schema *s = NULL;

	mmp_model_schema_new(&s, MMP_TASK_BINARY, "y");
	mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0);
	mmp_model_schema_add_feature(s, "c", MMP_FEATURE_CATEGORICAL,
		MMP_COLUMN_STRING, cats, 3);
	mmp_model_schema_add_class(s, "no");
	mmp_model_schema_add_class(s, "yes");
	return s;
}

/* 100 rows: x = 1..100, c = i % 3 (every 10th missing), pred x/100 */
static void rows3(float *rows, float *pred, float shift)
{
	int i;

	for (i = 0; i < 100; i++) {
		rows[2 * i] = (float)(i + 1) + shift;
		rows[2 * i + 1] = i % 10 == 9 ? NAN : (float)(i % 3);
		pred[i] = (float)(i + 1) / 100;
	}
}

static char *json_of(const mmp_profile *p)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_profile_to_json(p, &b);
	return mmp_buf_detach(&b);
}

static void test_profile(void)
{
	mmp_model_schema *s = schema3();
	mmp_profile *ref = NULL, *back = NULL, *live = NULL, *l2 = NULL;
	mmp_drift_report d = MMP_DRIFT_REPORT_INIT;
	float rows[200], pred[100], row[2];
	char *j1, *j2;
	int i;

	rows3(rows, pred, 0);
	is_int(mmp_profile_build(&ref, s, rows, 100, pred, 1), 0, "build");
	is_int(mmp_profile_rows(ref), 100, "rows counted");
	is_int((long long)mmp_profile_npred(ref), 1, "one prediction");
	j1 = json_of(ref);
	/* ranks ceil(5k) of 1..100: the edges 5, 10, ..., 95, 5 per bin */
	ok(strstr(j1, "\"edges\":[5,10,15,20,25,30,35,40,45,50,55,60,65,"
		"70,75,80,85,90,95],\"counts\":[5,5,5,5,5,5,5,5,5,5,5,5,5,5,"
		"5,5,5,5,5,5],\"count\":100,\"missing\":0,\"min\":1,"
		"\"max\":100,\"mean\":50.5,\"sum\":5050}") != NULL,
		"numeric edges and counts");
	/* codes 0,1,2 cycling; rows 9,19,...,99 missing (codes 0,1,0,..) */
	ok(strstr(j1, "\"categories\":[\"a\",\"b\",\"c\"],\"counts\":"
		"[30,30,30],\"count\":90,\"missing\":10,\"unseen\":0,"
		"\"unseen_values\":[]") != NULL, "categorical counts");
	ok(strstr(j1, "{\"name\":\"prediction\",\"kind\":\"numeric\","
		"\"edges\":[0.05000000074505806,") != NULL,
		"prediction profile with float edges");
	is_int(mmp_profile_from_json(&back, j1, strlen(j1), "p.json"), 0,
		"read back");
	j2 = json_of(back);
	is_str(j2, j1, "JSON round trip is exact");
	free(j2);

	/* the same rows, live: no drift */
	is_int(mmp_profile_live_new(&live, back), 0, "live profile");
	for (i = 0; i < 100; i++)
		mmp_profile_add(live, rows + 2 * i, pred + i);
	is_int(mmp_profile_compare(ref, live, &d), 0, "compare");
	is_double(d.features[0].psi, 0, 0, "stable: psi 0");
	is_double(d.features[0].ks, 0, 0, "stable: ks 0");
	is_double(d.features[0].ks_pvalue, 1, 1e-12, "stable: ks p 1");
	is_double(d.features[1].js, 0, 0, "stable: js 0");
	is_double(d.features[1].chi2, 0, 0, "stable: chi2 0");
	is_double(d.features[1].missing_live, 0.1, 1e-15, "missing rate");
	is_double(d.pred[0].psi, 0, 0, "stable predictions");
	is_str(d.pred[0].name, "prediction", "prediction name");
	mmp_drift_report_release(&d);

	/* x shifted by +50: F_live(e) = (e - 50)/100 at the edges, so the
	 * gap is min(e, 50)/100, 0.5 from the edge 50 on */
	mmp_profile_reset(live);
	is_int(mmp_profile_rows(live), 0, "reset");
	rows3(rows, pred, 50);
	for (i = 0; i < 100; i++)
		mmp_profile_add(live, rows + 2 * i, pred + i);
	mmp_profile_compare(ref, live, &d);
	is_double(d.features[0].ks, 0.5, 1e-15, "shift: ks 0.5");
	/* PSI on deciles (bins in pairs, .1 each in the reference): pairs
	 * 0..4 empty (floored 1e-4), 5..8 hold 10 each, the last 5 + 55 */
	is_double(d.features[0].psi, 0.5 * log(6) +
		5 * (1e-4 - 0.1) * log(1e-4 / 0.1), 1e-12, "shift: psi");
	is_double(d.features[1].psi, 0, 0, "shift leaves c alone");
	mmp_drift_report_release(&d);

	/* unseen categories: 3 rows with a value not in a, b, c */
	mmp_profile_reset(live);
	row[0] = 7;
	row[1] = MMP_PROFILE_UNSEEN_CODE;
	for (i = 0; i < 3; i++) {
		mmp_profile_add(live, row, NULL);
		mmp_profile_add_unseen(live, 1, i == 1 ? "y" : "z");
	}
	row[1] = 1;
	mmp_profile_add(live, row, NULL);
	mmp_profile_add_unseen(live, 0, "ignored on a numeric feature");
	mmp_profile_compare(ref, live, &d);
	is_int(d.features[1].unseen, 3, "unseen counted");
	is_double(d.features[1].unseen_share, 0.75, 1e-15, "unseen share");
	is_int((long long)d.features[1].nunseen_values, 2, "two named");
	is_str(d.features[1].unseen_values[0], "z", "most frequent first");
	is_int(d.features[1].unseen_counts[0], 2, "its count");
	is_str(d.features[1].unseen_values[1], "y", "then y");
	/* chi-square over a, b, c only (0, 1, 0), expected 1/3 each:
	 * 1/3 + 4/3 + 1/3 */
	is_double(d.features[1].chi2, 2, 1e-12, "chi2 leaves unseen apart");
	is_double(d.pred[0].psi, 0, 0, "no predictions: psi 0");
	mmp_drift_report_release(&d);

	/* the bounded list keeps 8 values, the long one cut at 64 bytes */
	for (i = 0; i < 12; i++) {
		char v[100];

		memset(v, 'a' + i, sizeof(v) - 1);
		v[sizeof(v) - 1] = '\0';
		mmp_profile_add(live, row, NULL);
		mmp_profile_add_unseen(live, 1, v);
	}
	mmp_profile_compare(ref, live, &d);
	is_int((long long)d.features[1].nunseen_values,
		MMP_PROFILE_UNSEEN_MAX, "unseen list bounded");
	is_int((long long)strlen(d.features[1].unseen_values[0]),
		MMP_PROFILE_UNSEEN_LEN, "unseen values cut");
	mmp_drift_report_release(&d);

	/* merging two halves equals counting everything in one */
	mmp_profile_reset(live);
	mmp_profile_live_new(&l2, ref);
	rows3(rows, pred, 3);
	for (i = 0; i < 100; i++)
		mmp_profile_add(i < 40 ? live : l2, rows + 2 * i, pred + i);
	mmp_profile_add_unseen(live, 1, "q");
	mmp_profile_add_unseen(l2, 1, "q");
	is_int(mmp_profile_merge(live, l2), 0, "merge");
	mmp_profile_reset(l2);
	for (i = 0; i < 100; i++)
		mmp_profile_add(l2, rows + 2 * i, pred + i);
	mmp_profile_add_unseen(l2, 1, "q");
	mmp_profile_add_unseen(l2, 1, "q");
	j1 = (free(j1), json_of(live));
	j2 = json_of(l2);
	is_str(j1, j2, "merged halves equal the whole");
	free(j1);
	free(j2);
	mmp_profile_free(l2);
	mmp_profile_free(back);

	/* a profile of another shape does not merge */
	{
		mmp_model_schema *s1 = NULL;
		mmp_profile *other = NULL;

		mmp_model_schema_new(&s1, MMP_TASK_REGRESSION, "y");
		mmp_model_schema_add_feature(s1, "x", MMP_FEATURE_NUMERIC,
			MMP_COLUMN_DOUBLE, NULL, 0);
		mmp_profile_build(&other, s1, rows, 100, NULL, 0);
		is_int(mmp_profile_merge(live, other), MMP_EINVALID,
			"different shapes do not merge");
		is_int(mmp_profile_compare(ref, other, &d), MMP_EINVALID,
			"nor compare");
		ok(strstr(mmp_error_last()->message, "the profiles differ") !=
			NULL, "message: %s", mmp_error_last()->message);
		mmp_profile_free(other);
		mmp_model_schema_free(s1);
	}
	mmp_profile_free(live);
	mmp_profile_free(ref);
	mmp_model_schema_free(s);
}

static void test_multiclass_and_constant(void)
{
	mmp_model_schema *s = NULL;
	mmp_profile *p = NULL;
	float rows[10], pred[30];
	char *j;
	int i;

	mmp_model_schema_new(&s, MMP_TASK_MULTICLASS, "y");
	mmp_model_schema_add_feature(s, "k", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_LONG, NULL, 0);
	mmp_model_schema_add_class(s, "red");
	mmp_model_schema_add_class(s, "green");
	mmp_model_schema_add_class(s, "blue");
	for (i = 0; i < 10; i++) {
		rows[i] = 4;
		pred[3 * i] = 0.2f;
		pred[3 * i + 1] = 0.3f;
		pred[3 * i + 2] = 0.5f;
	}
	is_int(mmp_profile_build(&p, s, rows, 10, pred, 3), 0, "multiclass");
	j = json_of(p);
	ok(strstr(j, "\"name\":\"prediction:green\"") != NULL,
		"per-class prediction names");
	/* a constant feature keeps one edge: values <= 4 and above */
	ok(strstr(j, "{\"name\":\"k\",\"kind\":\"numeric\",\"edges\":[4],"
		"\"counts\":[10,0]") != NULL, "constant feature: two bins");
	free(j);
	mmp_profile_free(p);

	/* features on some rows, predictions on 4 others */
	is_int(mmp_profile_build(&p, s, rows, 10, NULL, 0), 0, "no preds");
	is_int((long long)mmp_profile_npred(p), 0, "none profiled");
	is_int(mmp_profile_set_predictions(p, s, pred, 4, 3), 0,
		"predictions set apart");
	is_int((long long)mmp_profile_npred(p), 3, "three outputs");
	j = json_of(p);
	ok(strstr(j, "{\"name\":\"prediction:blue\",\"kind\":\"numeric\","
		"\"edges\":[0.5],\"counts\":[4,0],\"count\":4,") != NULL,
		"their own rows and bins: %s", j);
	ok(strstr(j, "\"rows\":10,") != NULL, "rows are the feature rows");
	free(j);
	is_int(mmp_profile_set_predictions(p, s, pred, 0, 3), MMP_EINVALID,
		"no prediction rows");
	mmp_profile_free(p);
	is_int(mmp_profile_build(&p, s, rows, 0, NULL, 0), MMP_EINVALID,
		"no rows");
	mmp_model_schema_free(s);
}

static void test_bad_json(void)
{
	static const struct {
		const char *json;
		int code;
		const char *msg;
	} cases[] = {
		{ "[1]", MMP_EINVALID, "f.json: not a JSON object" },
		{ "{\"format_version\":9,\"rows\":1,\"features\":[]}",
		  MMP_EVERSION, "f.json: profile format 9 is newer" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[]}",
		  MMP_EINVALID, "f.json: features: must be a non-empty" },
		{ "{\"format_version\":1,\"rows\":-1,\"features\":[{}]}",
		  MMP_EINVALID, "f.json: rows: must be a whole number" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[{\"name\":"
		  "\"x\",\"kind\":\"numeric\",\"missing\":0,\"edges\":[1,2],"
		  "\"counts\":[1,2]}]}",
		  MMP_EINVALID, "f.json: features[0].counts: must be an array "
		  "of one more number than edges" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[{\"name\":"
		  "\"x\",\"kind\":\"numeric\",\"missing\":0,\"edges\":[2,1],"
		  "\"counts\":[1,2,3]}]}",
		  MMP_EINVALID,
		  "f.json: features[0].edges: must be increasing" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[{\"name\":"
		  "\"x\",\"kind\":\"numeric\",\"missing\":0,\"edges\":[],"
		  "\"counts\":[1]}],\"predictions\":[{\"name\":\"p\",\"kind\":"
		  "\"categorical\",\"missing\":0,\"categories\":[],"
		  "\"counts\":[],\"unseen\":0}]}", MMP_EINVALID,
		  "f.json: predictions[0].kind: must be 'numeric'" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[{\"name\":"
		  "\"c\",\"kind\":\"categorical\",\"missing\":0,\"categories\":"
		  "[\"a\"],\"counts\":[1.5],\"unseen\":0}]}",
		  MMP_EINVALID, "f.json: features[0].counts: must hold whole" },
		{ "{\"format_version\":1,\"rows\":1,\"features\":[{\"name\":"
		  "\"c\",\"kind\":\"text\",\"missing\":0}]}",
		  MMP_EINVALID,
		  "f.json: features[0].kind: must be 'numeric' or" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mmp_profile *p = (mmp_profile *)&cases;

		is_int(mmp_profile_from_json(&p, cases[i].json,
			strlen(cases[i].json), "f.json"), cases[i].code,
			"bad profile %zu: code", i);
		ok(!strncmp(mmp_error_last()->message, cases[i].msg,
			strlen(cases[i].msg)) && !p, "bad profile %zu: %s", i,
			mmp_error_last()->message);
	}
}

int main(void)
{
	test_stats();
	test_profile();
	test_multiclass_and_constant();
	test_bad_json();
	return done_testing();
}
