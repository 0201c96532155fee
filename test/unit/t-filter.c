/* SPDX-License-Identifier: MIT */
/* t-filter.c: the filter and order-by compiler: SQL text, bound values */
#include <string.h>

#include "tap.h"
#include "store/store-internal.h"

/* compile `f`; 0 or the error code; sql/binds into q */
static int compile(struct mmp_filter__sql *q, const char *f)
{
	mmp_filter__sql_release(q);
	memset(q, 0, sizeof(*q));
	mmp_buf_init(&q->sql, 0);
	return mmp_filter__compile(q, f);
}

static void check_error(const char *f, const char *msg)
{
	struct mmp_filter__sql q = MMP_FILTER_SQL_INIT;

	is_int(compile(&q, f), MMP_EINVALID, "'%s' is invalid", f);
	is_str(mmp_error_last()->message, msg, "message for '%s'", f);
	is_int((long long)q.sql.size, 0, "no SQL left for '%s'", f);
	mmp_filter__sql_release(&q);
}

int main(void)
{
	struct mmp_filter__sql q = MMP_FILTER_SQL_INIT;

	is_int(compile(&q, NULL), 0, "NULL filter");
	is_str(q.sql.ptr, "1", "NULL filter is true");
	is_int(compile(&q, "  "), 0, "blank filter");
	is_str(q.sql.ptr, "1", "blank filter is true");

	is_int(compile(&q, "metrics.auc > 0.9"), 0, "metric comparison");
	is_str(q.sql.ptr, "((EXISTS (SELECT 1 FROM latest_metrics m WHERE "
		"m.run_uuid = r.run_uuid AND m.key = ? AND m.is_nan = 0 AND "
		"m.value > ?)))", "metric SQL");
	is_int((long long)q.binds_nr, 2, "two values bound");
	is_str(q.binds[0].text, "auc", "the key is bound");
	is_double(q.binds[1].d, 0.9, 0, "the number is bound");

	is_int(compile(&q, "params.x = 'a''b' AND tags.`t k` != \"c\\\"d\""),
		0, "quotes and escapes");
	is_int((long long)q.binds_nr, 4, "four values");
	is_str(q.binds[1].text, "a'b", "doubled quote");
	is_str(q.binds[2].text, "t k", "backquoted key");
	is_str(q.binds[3].text, "c\"d", "backslash escape");
	ok(!strchr(q.sql.ptr, '\''), "no literal pasted into the SQL");

	is_int(compile(&q, "params.x LIKE 'a%_*?['"), 0, "LIKE");
	is_str(q.binds[1].text, "a*?[*][?][[]", "LIKE becomes GLOB");
	ok(strstr(q.sql.ptr, "p.value GLOB ?") != NULL, "GLOB used");

	is_int(compile(&q, "attributes.status IN ('A', 'B') or "
		"attr.start_time >= 5"), 0, "IN and OR");
	ok(strstr(q.sql.ptr, "r.status IN (?, ?)") != NULL, "IN list");
	ok(strstr(q.sql.ptr, " OR ") != NULL, "OR");
	is_int(q.binds[2].type, MMP_FILTER_BIND_INT, "time bound as int");
	is_int(q.binds[2].i, 5, "time value");

	is_int(compile(&q, "(metrics.a < -1.5e3)"), 0, "parentheses");
	is_double(q.binds[1].d, -1500, 0, "negative exponent number");

	is_int(compile(&q, "tags.x is not null AND params.y IS NULL"), 0,
		"IS [NOT] NULL");
	ok(strstr(q.sql.ptr, "NOT EXISTS (SELECT 1 FROM params") != NULL,
		"IS NULL is NOT EXISTS");

	check_error("metrics.auc foo 0.9", "invalid filter at column 13: "
		"expected a comparator after 'metrics.auc', got 'foo'");
	check_error("metrics.auc >", "invalid filter at column 14: expected "
		"a number (metric values are numbers) after 'metrics.auc >', "
		"got end of input");
	check_error("x.y = 1", "invalid filter at column 1: unknown entity "
		"type 'x' in 'x.y'; expected metrics, params, tags, attributes "
		"or datasets");
	check_error("metrics. = 1", "invalid filter at column 1: 'metrics.' "
		"names no key");
	check_error("tags.a = 'x' AND", "invalid filter at column 17: "
		"expected an identifier like metrics.<key>, params.<key>, "
		"tags.<key> or attributes.<name>, got end of input");
	check_error("tags.a = 'x' ; DROP TABLE runs", "invalid filter at "
		"column 14: unexpected character ';'");
	check_error("tags.`a = 'x'", "invalid filter at column 6: "
		"unterminated quoted key starting with `");
	check_error("datasets.size = 'x'", "invalid filter at column 1: "
		"unknown dataset field 'size'; expected name, digest or "
		"context");
	check_error("metrics.a IN (1)", "invalid filter at column 11: IN is "
		"not valid for a metric; use = != < <= > >=");
	check_error("attributes.run_id IN ('a' 'b')", "invalid filter at "
		"column 27: expected ',' or ')' in the list after ''a'', got "
		"''b''");

	mmp_filter__sql_release(&q);
	memset(&q, 0, sizeof(q));
	mmp_buf_init(&q.sql, 0);
	is_int(mmp_filter__order_by(&q, "metrics.auc DESC"), 0, "order by");
	is_str(q.sql.ptr, "(SELECT CASE WHEN m.is_nan THEN NULL ELSE m.value "
		"END FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND "
		"m.key = ?) IS NULL, (SELECT CASE WHEN m.is_nan THEN NULL ELSE "
		"m.value END FROM latest_metrics m WHERE m.run_uuid = "
		"r.run_uuid AND m.key = ?) DESC", "order by SQL");
	is_int((long long)q.binds_nr, 2, "key bound twice");
	is_int(mmp_filter__order_by(&q, "attributes.start_time"), 0,
		"second key");
	ok(mmp_str_ends_with(q.sql.ptr, ", r.start_time IS NULL, "
		"r.start_time ASC"), "ascending by default");
	is_int(mmp_filter__order_by(&q, "params.x up"), MMP_EINVALID,
		"bad direction");
	is_str(mmp_error_last()->message, "invalid order-by 'params.x up': "
		"invalid filter at column 10: expected ASC, DESC or the end "
		"after 'params.x', got 'up'", "bad direction message");
	mmp_filter__sql_release(&q);

	is_int(mmp_filter_check("metrics.a > 1 and (tags.b = 'c' or "
		"tags.b = 'd')"), 0, "mmp_filter_check accepts");
	is_int(mmp_filter_check("metrics.a >> 1"), MMP_EINVALID,
		"mmp_filter_check rejects");
	return done_testing();
}
