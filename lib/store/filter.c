/* SPDX-License-Identifier: MIT */
/* filter.c: MLflow's search filter and order-by language, compiled to SQL */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store-internal.h"

/*
 * Grammar (MLflow's search_runs language, plus OR and parentheses):
 *
 *   filter     := or-expr END
 *   or-expr    := and-expr { OR and-expr }
 *   and-expr   := primary { AND primary }
 *   primary    := '(' or-expr ')' | comparison
 *   comparison := entity comparator value
 *              |  entity [NOT] IN '(' value { ',' value } ')'
 *              |  entity IS [NOT] NULL
 *   entity     := prefix '.' key        (key: word chars, `quoted`, "quoted")
 *   comparator := = != < <= > >= LIKE ILIKE
 *   value      := 'string' | "string" | number
 *
 * Every key and value becomes a bound parameter; only fixed SQL text
 * chosen by the parser is pasted into the query.
 */

#define MAX_DEPTH 64
/*
 * Comparisons in one filter: each becomes a subquery joined by AND or
 * OR, and SQLite refuses an expression tree deeper than 1000
 * (SQLITE_MAX_EXPR_DEPTH) with no hint of which filter went too far.
 */
#define MAX_TERMS 200

enum tok_type {
	T_END, T_IDENT, T_WORD, T_STRING, T_NUMBER, T_OP, T_LPAREN, T_RPAREN,
	T_COMMA, T_AND, T_OR, T_NOT, T_IN, T_IS, T_NULL, T_LIKE, T_ILIKE
};

struct token {
	enum tok_type type;
	size_t pos;         /* byte offset in the source */
	size_t len;         /* source length */
	char *text;         /* decoded string, or an identifier's key */
	size_t text_len;
	size_t prefix_len;  /* identifiers: length of the prefix */
	double num;
	char op[3];
};

struct parser {
	const char *src;
	size_t pos;
	struct token tok;
	struct token prev;  /* the token before tok (for messages) */
	struct mmp_filter__sql *out;
	int depth;
	int terms;
};

enum entity_kind { E_METRIC, E_PARAM, E_TAG, E_ATTR, E_DATASET };
enum value_kind { V_STRING, V_NUMBER };

static const struct {
	const char *name;
	enum entity_kind kind;
} prefixes[] = {
	{ "metrics", E_METRIC }, { "metric", E_METRIC },
	{ "params", E_PARAM }, { "param", E_PARAM },
	{ "parameters", E_PARAM }, { "parameter", E_PARAM },
	{ "tags", E_TAG }, { "tag", E_TAG },
	{ "attributes", E_ATTR }, { "attribute", E_ATTR },
	{ "attr", E_ATTR }, { "run", E_ATTR },
	{ "datasets", E_DATASET }, { "dataset", E_DATASET },
};

static const struct {
	const char *name;
	const char *column;
	enum value_kind kind;
} attributes[] = {
	{ "run_id", "r.run_uuid", V_STRING },
	{ "run_name", "r.name", V_STRING },
	{ "status", "r.status", V_STRING },
	{ "start_time", "r.start_time", V_NUMBER },
	{ "end_time", "r.end_time", V_NUMBER },
	{ "created", "r.start_time", V_NUMBER },
	{ "user_id", "r.user_id", V_STRING },
	{ "artifact_uri", "r.artifact_uri", V_STRING },
	{ "experiment_id", "r.experiment_id", V_NUMBER },
	{ "lifecycle_stage", "r.lifecycle_stage", V_STRING },
	{ "kind", "r.kind", V_STRING },
	{ "parent_run_id", "r.parent_run_id", V_STRING },
	{ "source_name", "r.source_name", V_STRING },
	{ "source_type", "r.source_type", V_STRING },
};

static const struct {
	const char *name;
	const char *column;
} dataset_fields[] = {
	{ "name", "d.name" }, { "digest", "d.digest" },
	{ "context", "d.context" },
};

/* --- bound values --- */

static struct mmp_filter__bind *new_bind(struct mmp_filter__sql *q)
{
	MMP_ALLOC_GROW(q->binds, q->binds_nr + 1, q->binds_alloc);
	memset(&q->binds[q->binds_nr], 0, sizeof(q->binds[0]));
	return &q->binds[q->binds_nr++];
}

void mmp_filter__bind_text(struct mmp_filter__sql *q, const char *s,
	size_t len)
{
	struct mmp_filter__bind *b = new_bind(q);

	b->type = MMP_FILTER_BIND_TEXT;
	b->text = mmp__strndup(s, len);
	b->i = (int64_t)len;
}

void mmp_filter__bind_int(struct mmp_filter__sql *q, int64_t v)
{
	struct mmp_filter__bind *b = new_bind(q);

	b->type = MMP_FILTER_BIND_INT;
	b->i = v;
}

static void bind_double(struct mmp_filter__sql *q, double v)
{
	struct mmp_filter__bind *b = new_bind(q);

	b->type = MMP_FILTER_BIND_DOUBLE;
	b->d = v;
}

void mmp_filter__sql_release(struct mmp_filter__sql *q)
{
	size_t i;

	for (i = 0; i < q->binds_nr; i++)
		free(q->binds[i].text);
	free(q->binds);
	mmp_buf_dispose(&q->sql);
	q->binds = NULL;
	q->binds_nr = q->binds_alloc = 0;
}

int mmp_filter__bind_all(const struct mmp_filter__sql *q, sqlite3_stmt *st)
{
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < q->binds_nr && rc == SQLITE_OK; i++) {
		const struct mmp_filter__bind *b = &q->binds[i];
		int n = (int)i + 1;

		switch (b->type) {
		case MMP_FILTER_BIND_TEXT:
			rc = sqlite3_bind_text(st, n, b->text, (int)b->i,
				SQLITE_TRANSIENT);
			break;
		case MMP_FILTER_BIND_DOUBLE:
			rc = sqlite3_bind_double(st, n, b->d);
			break;
		case MMP_FILTER_BIND_INT:
			rc = sqlite3_bind_int64(st, n, b->i);
			break;
		}
	}
	if (rc != SQLITE_OK)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"cannot bind a filter value: %s", sqlite3_errstr(rc));
	return 0;
}

/* --- errors --- */

static int syntax_error(struct parser *ps, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

/* "got 'x'" or "got end of input" for the current token */
static void describe_tok(mmp_buf *b, struct parser *ps)
{
	if (ps->tok.type == T_END)
		mmp_buf_puts(b, "end of input");
	else if (ps->tok.len > 40)
		mmp_buf_printf(b, "'%.40s...'", ps->src + ps->tok.pos);
	else
		mmp_buf_printf(b, "'%.*s'", (int)ps->tok.len,
			ps->src + ps->tok.pos);
}

static int syntax_error(struct parser *ps, const char *fmt, ...)
{
	mmp_buf msg = MMP_BUF_INIT;
	va_list ap;

	mmp_buf_printf(&msg, "invalid filter at column %zu: ",
		ps->tok.pos + 1);
	va_start(ap, fmt);
	mmp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	mmp_error_set(MMP_ERROR_INVALID, "%s", msg.ptr);
	mmp_buf_dispose(&msg);
	return MMP_EINVALID;
}

/* "expected X after 'prev', got 'tok'" */
static int expected(struct parser *ps, const char *what, size_t after_pos,
	size_t after_end)
{
	mmp_buf got = MMP_BUF_INIT;
	int err;

	describe_tok(&got, ps);
	if (after_end > after_pos)
		err = syntax_error(ps, "expected %s after '%.*s', got %s",
			what, (int)(after_end - after_pos), ps->src + after_pos,
			got.ptr);
	else
		err = syntax_error(ps, "expected %s, got %s", what, got.ptr);
	mmp_buf_dispose(&got);
	return err;
}

/* --- lexer --- */

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int is_key_char(int c)
{
	return is_word(c) || c == '.' || c == '-' || c == '/' || c == ':';
}

static const struct {
	const char *word;
	enum tok_type type;
} keywords[] = {
	{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN },
	{ "is", T_IS }, { "null", T_NULL }, { "like", T_LIKE },
	{ "ilike", T_ILIKE },
};

/* read a quoted string at ps->pos (the quote) into tok.text */
static int lex_quoted(struct parser *ps, struct token *t)
{
	const char *s = ps->src;
	char q = s[ps->pos];
	size_t i = ps->pos + 1;
	mmp_buf b = MMP_BUF_INIT;

	for (;;) {
		if (!s[i]) {
			mmp_buf_dispose(&b);
			/* point at the opening quote */
			t->len = i - ps->pos;
			t->pos = ps->pos;
			ps->tok = *t;
			return syntax_error(ps, "unterminated %s starting "
				"with %c", q == '`' ? "quoted key" : "string",
				q);
		}
		if (s[i] == '\\' && q != '`' && s[i + 1]) {
			mmp_buf_putc(&b, s[i + 1]);
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (s[i + 1] == q) {
				mmp_buf_putc(&b, q);
				i += 2;
				continue;
			}
			i++;
			break;
		}
		mmp_buf_putc(&b, s[i++]);
	}
	t->text_len = b.size;
	t->text = mmp_buf_detach(&b);
	ps->pos = i;
	return 0;
}

static int lex(struct parser *ps)
{
	const char *s = ps->src;
	struct token t;
	size_t i, k;
	int err;

	free(ps->prev.text);
	ps->prev = ps->tok;
	memset(&ps->tok, 0, sizeof(ps->tok));
	while (isspace((unsigned char)s[ps->pos]))
		ps->pos++;
	memset(&t, 0, sizeof(t));
	t.pos = ps->pos;
	i = ps->pos;

	if (!s[i]) {
		t.type = T_END;
	} else if (s[i] == '(' || s[i] == ')' || s[i] == ',') {
		t.type = s[i] == '(' ? T_LPAREN : s[i] == ')' ? T_RPAREN
			: T_COMMA;
		ps->pos++;
	} else if (strchr("=!<>", s[i])) {
		t.type = T_OP;
		t.op[0] = s[i];
		if (s[i + 1] == '=') {
			t.op[1] = '=';
			ps->pos += 2;
		} else {
			ps->pos++;
		}
		if (!strcmp(t.op, "!") || !strcmp(t.op, "==")) {
			t.len = ps->pos - t.pos;
			ps->tok = t;
			return syntax_error(ps, "unknown operator '%s'; the "
				"comparators are = != < <= > >= LIKE ILIKE",
				t.op);
		}
	} else if (s[i] == '\'' || s[i] == '"') {
		t.type = T_STRING;
		if ((err = lex_quoted(ps, &t)) < 0)
			return err;
	} else if (isdigit((unsigned char)s[i]) || ((s[i] == '-' ||
		    s[i] == '+' || s[i] == '.') &&
		    (isdigit((unsigned char)s[i + 1]) || (s[i + 1] == '.' &&
		    isdigit((unsigned char)s[i + 2]))))) {
		char *end;

		t.type = T_NUMBER;
		t.num = strtod(s + i, &end);
		ps->pos = (size_t)(end - s);
		if (is_word((unsigned char)*end) || *end == '.') {
			while (is_key_char((unsigned char)s[ps->pos]))
				ps->pos++;
			t.len = ps->pos - t.pos;
			ps->tok = t;
			return syntax_error(ps, "malformed number '%.*s'",
				(int)t.len, s + t.pos);
		}
	} else if (is_word((unsigned char)s[i])) {
		while (is_word((unsigned char)s[ps->pos]))
			ps->pos++;
		if (s[ps->pos] != '.') {
			t.type = T_WORD;
			for (k = 0; k < ARRAY_SIZE(keywords); k++)
				if (strlen(keywords[k].word) == ps->pos - i &&
				    !strncasecmp(s + i, keywords[k].word,
					ps->pos - i))
					t.type = keywords[k].type;
		} else {
			t.type = T_IDENT;
			t.prefix_len = ps->pos - i;
			ps->pos++;
			if (s[ps->pos] == '`' || s[ps->pos] == '"') {
				if ((err = lex_quoted(ps, &t)) < 0)
					return err;
			} else {
				size_t ks = ps->pos;
				while (is_key_char((unsigned char)s[ps->pos]))
					ps->pos++;
				t.text = mmp__strndup(s + ks, ps->pos - ks);
				t.text_len = ps->pos - ks;
			}
		}
	} else {
		t.len = 1;
		ps->pos++;
		ps->tok = t;
		return syntax_error(ps, "unexpected character '%c'", s[i]);
	}
	t.len = ps->pos - t.pos;
	ps->tok = t;
	return 0;
}

/* --- parser --- */

struct entity {
	enum entity_kind kind;
	const char *column;      /* attributes and datasets */
	enum value_kind vkind;
	char *key;
	size_t key_len;
	size_t pos, end;         /* source span */
};

static int parse_entity(struct parser *ps, struct entity *e)
{
	const char *s = ps->src;
	struct token *t = &ps->tok;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->pos = t->pos;
	e->end = t->pos + t->len;
	if (t->type == T_WORD) {
		for (i = 0; i < ARRAY_SIZE(attributes); i++)
			if (strlen(attributes[i].name) == t->len &&
			    !strncasecmp(s + t->pos, attributes[i].name,
				t->len))
				return syntax_error(ps, "unknown identifier "
					"'%.*s'; did you mean 'attributes.%s'?",
					(int)t->len, s + t->pos,
					attributes[i].name);
		return expected(ps, "an identifier like metrics.<key>, "
			"params.<key>, tags.<key> or attributes.<name>", 0, 0);
	}
	if (t->type != T_IDENT)
		return expected(ps, "an identifier like metrics.<key>, "
			"params.<key>, tags.<key> or attributes.<name>", 0, 0);
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strlen(prefixes[i].name) == t->prefix_len &&
		    !strncasecmp(s + t->pos, prefixes[i].name, t->prefix_len))
			break;
	if (i == ARRAY_SIZE(prefixes))
		return syntax_error(ps, "unknown entity type '%.*s' in "
			"'%.*s'; expected metrics, params, tags, attributes "
			"or datasets", (int)t->prefix_len, s + t->pos,
			(int)t->len, s + t->pos);
	e->kind = prefixes[i].kind;
	if (!t->text_len)
		return syntax_error(ps, "'%.*s' names no key", (int)t->len,
			s + t->pos);
	if (e->kind == E_ATTR) {
		for (i = 0; i < ARRAY_SIZE(attributes); i++)
			if (strlen(attributes[i].name) == t->text_len &&
			    !strcasecmp(t->text, attributes[i].name))
				break;
		if (i == ARRAY_SIZE(attributes)) {
			const char *names[ARRAY_SIZE(attributes)];
			const char *best;
			size_t k;
			for (k = 0; k < ARRAY_SIZE(attributes); k++)
				names[k] = attributes[k].name;
			best = mmp_str_closest(t->text, names, k);
			return syntax_error(ps, "unknown attribute '%s'%s%s%s",
				t->text, best ? "; did you mean '" : "",
				best ? best : "", best ? "'?" : "");
		}
		e->column = attributes[i].column;
		e->vkind = attributes[i].kind;
	} else if (e->kind == E_DATASET) {
		for (i = 0; i < ARRAY_SIZE(dataset_fields); i++)
			if (!strcasecmp(t->text, dataset_fields[i].name))
				break;
		if (i == ARRAY_SIZE(dataset_fields))
			return syntax_error(ps, "unknown dataset field '%s'; "
				"expected name, digest or context", t->text);
		e->column = dataset_fields[i].column;
		e->vkind = V_STRING;
	} else {
		e->vkind = e->kind == E_METRIC ? V_NUMBER : V_STRING;
	}
	e->key = t->text;
	e->key_len = t->text_len;
	t->text = NULL;   /* moved to e->key */
	return lex(ps);
}

/* start the SQL for entity `e`; the caller appends the condition */
static void open_entity(struct parser *ps, const struct entity *e)
{
	mmp_buf *sql = &ps->out->sql;

	switch (e->kind) {
	case E_METRIC:
		mmp_buf_puts(sql, "EXISTS (SELECT 1 FROM latest_metrics m "
			"WHERE m.run_uuid = r.run_uuid AND m.key = ?");
		mmp_filter__bind_text(ps->out, e->key, e->key_len);
		break;
	case E_PARAM:
		mmp_buf_puts(sql, "EXISTS (SELECT 1 FROM params p "
			"WHERE p.run_uuid = r.run_uuid AND p.key = ?");
		mmp_filter__bind_text(ps->out, e->key, e->key_len);
		break;
	case E_TAG:
		mmp_buf_puts(sql, "EXISTS (SELECT 1 FROM tags t "
			"WHERE t.run_uuid = r.run_uuid AND t.key = ?");
		mmp_filter__bind_text(ps->out, e->key, e->key_len);
		break;
	case E_DATASET:
		mmp_buf_puts(sql, "EXISTS (SELECT 1 FROM dataset_inputs d "
			"WHERE d.run_uuid = r.run_uuid");
		break;
	case E_ATTR:
		mmp_buf_puts(sql, "(1");
		break;
	}
}

static const char *value_column(const struct entity *e)
{
	switch (e->kind) {
	case E_METRIC:
		return "m.value";
	case E_PARAM:
		return "p.value";
	case E_TAG:
		return "t.value";
	default:
		return e->column;
	}
}

static const char *entity_what(const struct entity *e)
{
	switch (e->kind) {
	case E_METRIC:
		return "a metric";
	case E_PARAM:
		return "a param";
	case E_TAG:
		return "a tag";
	case E_DATASET:
		return "a dataset field";
	default:
		return e->vkind == V_NUMBER ? "a numeric attribute"
			: "a string attribute";
	}
}

/* LIKE pattern -> GLOB pattern, so that LIKE is case-sensitive */
static void like_to_glob(mmp_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '%':
			mmp_buf_putc(out, '*');
			break;
		case '_':
			mmp_buf_putc(out, '?');
			break;
		case '*':
			mmp_buf_puts(out, "[*]");
			break;
		case '?':
			mmp_buf_puts(out, "[?]");
			break;
		case '[':
			mmp_buf_puts(out, "[[]");
			break;
		default:
			mmp_buf_putc(out, s[i]);
		}
	}
}

/* bind the current token as a value of entity `e`; advances */
static int bind_value(struct parser *ps, const struct entity *e,
	size_t after_pos, size_t after_end)
{
	struct token *t = &ps->tok;

	if (e->vkind == V_NUMBER) {
		double v;
		if (t->type == T_NUMBER) {
			v = t->num;
		} else if (t->type == T_STRING && e->kind == E_ATTR &&
			   mmp_parse_double(t->text, &v) == 0) {
			/* attributes.experiment_id = '0', as MLflow */
		} else {
			return expected(ps, e->kind == E_METRIC ?
				"a number (metric values are numbers)" :
				"a number", after_pos, after_end);
		}
		if (e->kind == E_ATTR && v == floor(v) && fabs(v) < 9e18)
			mmp_filter__bind_int(ps->out, (int64_t)v);
		else
			bind_double(ps->out, v);
	} else {
		if (t->type != T_STRING)
			return expected(ps, "a quoted string ('...' or "
				"\"...\")", after_pos, after_end);
		mmp_filter__bind_text(ps->out, t->text, t->text_len);
	}
	return lex(ps);
}

static int parse_in_list(struct parser *ps, const struct entity *e, int not)
{
	mmp_buf *sql = &ps->out->sql;
	size_t kw_end = ps->tok.pos + ps->tok.len;
	int err, n = 0;

	if (e->vkind == V_NUMBER && e->kind != E_ATTR)
		return syntax_error(ps, "IN is not valid for %s; use = != < "
			"<= > >=", entity_what(e));
	if ((err = lex(ps)) < 0)
		return err;
	if (ps->tok.type != T_LPAREN)
		return expected(ps, "'(' to start the list", e->pos, kw_end);
	if ((err = lex(ps)) < 0)
		return err;
	mmp_buf_printf(sql, " AND %s %sIN (", value_column(e),
		not ? "NOT " : "");
	for (;;) {
		size_t before = ps->tok.pos;
		if (ps->tok.type != T_STRING && ps->tok.type != T_NUMBER)
			return expected(ps, n ? "a value" :
				"a value in the list", before, before);
		if ((err = bind_value(ps, e, before, before)) < 0)
			return err;
		mmp_buf_puts(sql, n++ ? ", ?" : "?");
		if (ps->tok.type == T_RPAREN)
			break;
		if (ps->tok.type != T_COMMA)
			return expected(ps, "',' or ')' in the list",
				ps->prev.pos, ps->prev.pos + ps->prev.len);
		if ((err = lex(ps)) < 0)
			return err;
	}
	mmp_buf_puts(sql, "))");
	return lex(ps);
}

static int parse_comparison(struct parser *ps)
{
	mmp_buf *sql = &ps->out->sql;
	struct entity e;
	size_t op_pos, op_end;
	int err = 0, not = 0;
	char op[8];

	if ((err = parse_entity(ps, &e)) < 0)
		goto done;
	op_pos = e.pos;
	op_end = ps->tok.pos + ps->tok.len;

	if (ps->tok.type == T_IS) {
		if ((err = lex(ps)) < 0)
			goto done;
		if (ps->tok.type == T_NOT) {
			not = 1;
			if ((err = lex(ps)) < 0)
				goto done;
		}
		if (ps->tok.type != T_NULL) {
			err = expected(ps, not ? "NULL" : "NULL or NOT NULL",
				e.pos, ps->prev.pos + ps->prev.len);
			goto done;
		}
		if (e.kind == E_ATTR) {
			mmp_buf_printf(sql, "(%s IS %sNULL)", e.column,
				not ? "NOT " : "");
		} else if (e.kind == E_DATASET) {
			err = syntax_error(ps, "IS NULL is not valid for a "
				"dataset field");
			goto done;
		} else {
			/* a missing key is NULL */
			mmp_buf_puts(sql, not ? "" : "NOT ");
			open_entity(ps, &e);
			mmp_buf_putc(sql, ')');
		}
		err = lex(ps);
		goto done;
	}
	if (ps->tok.type == T_NOT || ps->tok.type == T_IN) {
		if (ps->tok.type == T_NOT) {
			not = 1;
			if ((err = lex(ps)) < 0)
				goto done;
			if (ps->tok.type != T_IN) {
				err = expected(ps, "IN", e.pos,
					ps->prev.pos + ps->prev.len);
				goto done;
			}
		}
		open_entity(ps, &e);
		err = parse_in_list(ps, &e, not);
		goto done;
	}
	if (ps->tok.type == T_OP) {
		snprintf(op, sizeof(op), "%s", ps->tok.op);
	} else if (ps->tok.type == T_LIKE || ps->tok.type == T_ILIKE) {
		snprintf(op, sizeof(op), "%s",
			ps->tok.type == T_LIKE ? "LIKE" : "ILIKE");
	} else {
		err = expected(ps, "a comparator", e.pos, e.end);
		goto done;
	}
	if (e.vkind == V_NUMBER && (!strcmp(op, "LIKE") ||
	    !strcmp(op, "ILIKE"))) {
		err = syntax_error(ps, "%s is not valid for %s ('%.*s'); use "
			"= != < <= > >=", op, entity_what(&e),
			(int)(e.end - e.pos), ps->src + e.pos);
		goto done;
	}
	if (e.vkind == V_STRING && op[0] != '=' && strcmp(op, "!=") &&
	    strcmp(op, "LIKE") && strcmp(op, "ILIKE")) {
		err = syntax_error(ps, "'%s' is not valid for %s ('%.*s'); "
			"use = != LIKE ILIKE", op, entity_what(&e),
			(int)(e.end - e.pos), ps->src + e.pos);
		goto done;
	}
	if ((err = lex(ps)) < 0)
		goto done;
	open_entity(ps, &e);
	if (!strcmp(op, "LIKE")) {
		mmp_buf glob = MMP_BUF_INIT;
		if (ps->tok.type != T_STRING) {
			err = expected(ps, "a quoted pattern", op_pos, op_end);
			goto done;
		}
		like_to_glob(&glob, ps->tok.text, ps->tok.text_len);
		mmp_buf_printf(sql, " AND %s GLOB ?)", value_column(&e));
		mmp_filter__bind_text(ps->out, glob.ptr, glob.size);
		mmp_buf_dispose(&glob);
		err = lex(ps);
		goto done;
	}
	if (!strcmp(op, "ILIKE")) {
		if (ps->tok.type != T_STRING) {
			err = expected(ps, "a quoted pattern", op_pos, op_end);
			goto done;
		}
		mmp_buf_printf(sql, " AND %s LIKE ?)", value_column(&e));
		mmp_filter__bind_text(ps->out, ps->tok.text,
			ps->tok.text_len);
		err = lex(ps);
		goto done;
	}
	if (e.kind == E_METRIC) {
		/* NaN compares unequal to everything and nothing else */
		if (!strcmp(op, "!="))
			mmp_buf_puts(sql,
				" AND (m.is_nan = 1 OR m.value != ?))");
		else
			mmp_buf_printf(sql, " AND m.is_nan = 0 AND m.value "
				"%s ?)", op);
	} else {
		mmp_buf_printf(sql, " AND %s %s ?)", value_column(&e), op);
	}
	err = bind_value(ps, &e, op_pos, op_end);
done:
	free(e.key);
	return err;
}

static int parse_or(struct parser *ps);

static int parse_primary(struct parser *ps)
{
	int err;

	if (ps->tok.type != T_LPAREN) {
		if (++ps->terms > MAX_TERMS)
			return syntax_error(ps, "more than %d comparisons in "
				"one filter (the limit); split the search",
				MAX_TERMS);
		return parse_comparison(ps);
	}
	if (++ps->depth > MAX_DEPTH)
		return syntax_error(ps, "parentheses nested deeper than %d",
			MAX_DEPTH);
	if ((err = lex(ps)) < 0)
		return err;
	mmp_buf_putc(&ps->out->sql, '(');
	if ((err = parse_or(ps)) < 0)
		return err;
	if (ps->tok.type != T_RPAREN)
		return expected(ps, "')'", ps->prev.pos,
			ps->prev.pos + ps->prev.len);
	mmp_buf_putc(&ps->out->sql, ')');
	ps->depth--;
	return lex(ps);
}

static int parse_and(struct parser *ps)
{
	int err;

	mmp_buf_putc(&ps->out->sql, '(');
	if ((err = parse_primary(ps)) < 0)
		return err;
	while (ps->tok.type == T_AND) {
		if ((err = lex(ps)) < 0)
			return err;
		mmp_buf_puts(&ps->out->sql, " AND ");
		if ((err = parse_primary(ps)) < 0)
			return err;
	}
	mmp_buf_putc(&ps->out->sql, ')');
	return 0;
}

static int parse_or(struct parser *ps)
{
	int err;

	mmp_buf_putc(&ps->out->sql, '(');
	if ((err = parse_and(ps)) < 0)
		return err;
	while (ps->tok.type == T_OR) {
		if ((err = lex(ps)) < 0)
			return err;
		mmp_buf_puts(&ps->out->sql, " OR ");
		if ((err = parse_and(ps)) < 0)
			return err;
	}
	mmp_buf_putc(&ps->out->sql, ')');
	return 0;
}

static void parser_release(struct parser *ps)
{
	free(ps->tok.text);
	free(ps->prev.text);
}

static int only_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return !*s;
}

int mmp_filter__compile(struct mmp_filter__sql *out, const char *filter)
{
	struct parser ps;
	size_t sql_len = out->sql.size, nbinds = out->binds_nr;
	int err;

	if (!filter || only_space(filter)) {
		mmp_buf_putc(&out->sql, '1');
		return 0;
	}
	memset(&ps, 0, sizeof(ps));
	ps.src = filter;
	ps.out = out;
	if ((err = lex(&ps)) < 0)
		goto done;
	if ((err = parse_or(&ps)) < 0)
		goto done;
	if (ps.tok.type != T_END) {
		mmp_buf got = MMP_BUF_INIT;
		describe_tok(&got, &ps);
		err = syntax_error(&ps, "expected AND, OR or the end after "
			"'%.*s', got %s", (int)ps.prev.len,
			ps.src + ps.prev.pos, got.ptr);
		mmp_buf_dispose(&got);
	}
done:
	parser_release(&ps);
	if (err < 0) {
		/* leave `out` as it was */
		while (out->binds_nr > nbinds)
			free(out->binds[--out->binds_nr].text);
		mmp_buf_truncate(&out->sql, sql_len);
	}
	return err;
}

int mmp_filter_check(const char *filter)
{
	struct mmp_filter__sql q = MMP_FILTER_SQL_INIT;
	int err = mmp_filter__compile(&q, filter);

	mmp_filter__sql_release(&q);
	return err;
}

/* --- order by --- */

int mmp_filter__order_by(struct mmp_filter__sql *out, const char *clause)
{
	struct parser ps;
	struct entity e;
	mmp_buf expr = MMP_BUF_INIT;
	const char *dir = "ASC";
	int err, i;

	memset(&ps, 0, sizeof(ps));
	memset(&e, 0, sizeof(e));
	ps.src = clause ? clause : "";
	ps.out = out;
	if ((err = lex(&ps)) < 0)
		goto done;
	if ((err = parse_entity(&ps, &e)) < 0) {
		mmp_error_prefix("invalid order-by '%s'", ps.src);
		goto done;
	}
	if (ps.tok.type == T_WORD && (ps.tok.len == 3 || ps.tok.len == 4) &&
	    (!strncasecmp(ps.src + ps.tok.pos, "asc", ps.tok.len) ||
	     !strncasecmp(ps.src + ps.tok.pos, "desc", ps.tok.len))) {
		dir = ps.tok.len == 4 ? "DESC" : "ASC";
		if ((err = lex(&ps)) < 0)
			goto done;
	}
	if (ps.tok.type != T_END) {
		err = expected(&ps, "ASC, DESC or the end", e.pos,
			ps.prev.pos + ps.prev.len);
		mmp_error_prefix("invalid order-by '%s'", ps.src);
		goto done;
	}
	switch (e.kind) {
	case E_METRIC:
		mmp_buf_puts(&expr, "(SELECT CASE WHEN m.is_nan THEN NULL "
			"ELSE m.value END FROM latest_metrics m WHERE "
			"m.run_uuid = r.run_uuid AND m.key = ?)");
		break;
	case E_PARAM:
		mmp_buf_puts(&expr, "(SELECT p.value FROM params p WHERE "
			"p.run_uuid = r.run_uuid AND p.key = ?)");
		break;
	case E_TAG:
		mmp_buf_puts(&expr, "(SELECT t.value FROM tags t WHERE "
			"t.run_uuid = r.run_uuid AND t.key = ?)");
		break;
	case E_ATTR:
		mmp_buf_puts(&expr, e.column);
		break;
	case E_DATASET:
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid order-by '%s': cannot order by a dataset "
			"field", ps.src);
		goto done;
	}
	/* missing values last, in either direction */
	if (out->sql.size)
		mmp_buf_puts(&out->sql, ", ");
	for (i = 0; i < 2; i++)
		if (e.kind != E_ATTR)
			mmp_filter__bind_text(out, e.key, e.key_len);
	mmp_buf_printf(&out->sql, "%s IS NULL, %s %s", expr.ptr, expr.ptr,
		dir);
done:
	free(e.key);
	parser_release(&ps);
	mmp_buf_dispose(&expr);
	return err;
}
