/* SPDX-License-Identifier: MIT */
/* schema.c: table-driven validation of YAML trees with located errors */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"

void mmp_config__diag_node(mmp_diag_list *l, const mmp_ynode *n,
	bool at_key, const char *key, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mmp_config__diag_add(l, n->file, at_key ? n->key_line : n->line,
		at_key ? n->key_col : n->col, key, "%s", b.ptr);
	mmp_buf_dispose(&b);
}

void mmp_config__cvalue_release(struct mmp_cvalue *v)
{
	size_t i;

	for (i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

const struct mmp_skey *mmp_config__skey_find(const struct mmp_skey *schema,
	size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(schema[i].path, path))
			return &schema[i];
	return NULL;
}

/* --- scalar conversions --- */

static void fmt_bound(mmp_buf *b, double v, bool is_int)
{
	char tmp[32];

	if (is_int)
		mmp_buf_printf(b, "%lld", (long long)v);
	else {
		mmp_fmt_double(tmp, v);
		mmp_buf_puts(b, tmp);
	}
}

/* " between 0 and 1", " >= 0", "" */
static void range_phrase(mmp_buf *b, const struct mmp_skey *k, bool is_int)
{
	bool lo = k->flags & MMP_SKEY_MIN, hi = k->flags & MMP_SKEY_MAX;

	if (lo && hi) {
		mmp_buf_puts(b, " between ");
		fmt_bound(b, k->min, is_int);
		mmp_buf_puts(b, " and ");
		fmt_bound(b, k->max, is_int);
	} else if (lo) {
		mmp_buf_puts(b, k->flags & MMP_SKEY_MIN_OPEN ? " > " : " >= ");
		fmt_bound(b, k->min, is_int);
	} else if (hi) {
		mmp_buf_puts(b, k->flags & MMP_SKEY_MAX_OPEN ? " < " : " <= ");
		fmt_bound(b, k->max, is_int);
	}
}

static bool in_range(const struct mmp_skey *k, double v)
{
	if (k->flags & MMP_SKEY_MIN) {
		if (k->flags & MMP_SKEY_MIN_OPEN ? v <= k->min : v < k->min)
			return false;
	}
	if (k->flags & MMP_SKEY_MAX) {
		if (k->flags & MMP_SKEY_MAX_OPEN ? v >= k->max : v > k->max)
			return false;
	}
	return true;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* 8388608, 8MiB, 8M, 512k, 1GiB */
static int parse_size(const char *s, int64_t *out)
{
	static const struct { const char *suffix; int64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1024 }, { "kb", 1024 },
		{ "kib", 1024 }, { "m", 1024 * 1024 }, { "mb", 1024 * 1024 },
		{ "mib", 1024 * 1024 }, { "g", 1024 * 1024 * 1024 },
		{ "gb", 1024 * 1024 * 1024 }, { "gib", 1024 * 1024 * 1024 },
	};
	const char *p = s;
	mmp_buf num = MMP_BUF_INIT;
	int64_t v;
	size_t i;
	int ret = -1;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == s)
		return -1;
	mmp_buf_put(&num, s, (size_t)(p - s));
	while (*p == ' ')
		p++;
	if (mmp_parse_int64(num.ptr, &v) == 0) {
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			if (strcasecmp(p, units[i].suffix))
				continue;
			if (v > INT64_MAX / units[i].mult)
				break;
			*out = v * units[i].mult;
			ret = 0;
			break;
		}
	}
	mmp_buf_dispose(&num);
	return ret;
}

/* lowercase, spaces and dashes to underscores: "Binary classification" */
static char *enum_norm(const char *s)
{
	char *r = mmp__strdup(s), *p;

	for (p = r; *p; p++) {
		if (*p == ' ' || *p == '-')
			*p = '_';
		else
			*p = (char)tolower((unsigned char)*p);
	}
	return r;
}

static const char *enum_match(const struct mmp_skey *k, const char *s)
{
	char *norm = enum_norm(s);
	const char *found = NULL;
	size_t i;

	for (i = 0; k->values[i]; i++)
		if (!strcmp(k->values[i], s) || !strcmp(k->values[i], norm))
			found = k->values[i];
	for (i = 0; !found && k->aliases && k->aliases[i]; i += 2)
		if (!strcmp(k->aliases[i], norm))
			found = k->aliases[i + 1];
	free(norm);
	return found;
}

static void enum_expected(mmp_buf *why, const struct mmp_skey *k,
	const char *got)
{
	const char *best;
	size_t i, n;

	mmp_buf_puts(why, "expected one of ");
	for (n = 0; k->values[n]; n++)
		mmp_buf_printf(why, "%s%s", n ? ", " : "", k->values[n]);
	mmp_buf_printf(why, ", got '%s'", got);
	best = mmp_str_closest(got, k->values, n);
	for (i = 0; !best && k->aliases && k->aliases[i]; i += 2)
		if (mmp_str_distance(got, k->aliases[i]) <= 2)
			best = k->aliases[i + 1];
	if (best)
		mmp_buf_printf(why, "; did you mean '%s'?", best);
}

/* does `s` need quotes in a flow list? */
static bool needs_quotes(const char *s)
{
	int64_t i;
	double d;

	if (!*s || strpbrk(s, ",[]{}#:\"'&*!|>%@`\\ \t\n") ||
	    mmp_parse_int64(s, &i) == 0 || mmp_parse_double(s, &d) == 0)
		return true;
	return !strcasecmp(s, "null") || !strcmp(s, "~") ||
		!strcasecmp(s, "true") || !strcasecmp(s, "false") ||
		!strcasecmp(s, "yes") || !strcasecmp(s, "no");
}

static void quote_into(mmp_buf *b, const char *s)
{
	mmp_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			mmp_buf_putc(b, '\\');
		if (*s == '\n')
			mmp_buf_puts(b, "\\n");
		else if (*s == '\t')
			mmp_buf_puts(b, "\\t");
		else
			mmp_buf_putc(b, *s);
	}
	mmp_buf_putc(b, '"');
}

/* convert one scalar text for an element type; canonical text to *out */
static int convert_scalar(char **out, const struct mmp_skey *k, int type,
	const mmp_ynode *n, mmp_buf *why)
{
	const char *s = n->value;
	int64_t i;
	double d;
	bool b;
	char tmp[32];

	switch (type) {
	case MMP_CONFIG_STRING:
		*out = mmp__strdup(s);
		return 0;
	case MMP_CONFIG_CHAR:
		if (strlen(s) != 1) {
			mmp_buf_printf(why, "expected a single character, "
				"got '%s'", s);
			return -1;
		}
		*out = mmp__strdup(s);
		return 0;
	case MMP_CONFIG_INT:
		if (mmp_parse_int64(s, &i) < 0 || !in_range(k, (double)i)) {
			mmp_buf_puts(why, "expected an integer");
			range_phrase(why, k, true);
			mmp_buf_printf(why, ", got '%s'", s);
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "%lld", (long long)i);
		*out = mmp__strdup(tmp);
		return 0;
	case MMP_CONFIG_SIZE:
		if (parse_size(s, &i) < 0 || !in_range(k, (double)i)) {
			mmp_buf_puts(why, "expected a size in bytes (such as "
				"8MiB)");
			range_phrase(why, k, true);
			mmp_buf_printf(why, ", got '%s'", s);
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "%lld", (long long)i);
		*out = mmp__strdup(tmp);
		return 0;
	case MMP_CONFIG_FLOAT:
		if (mmp_parse_double(s, &d) < 0 || !isfinite(d) ||
		    !in_range(k, d)) {
			mmp_buf_puts(why, "expected a number");
			range_phrase(why, k, false);
			mmp_buf_printf(why, ", got '%s'", s);
			return -1;
		}
		mmp_fmt_double(tmp, d);
		*out = mmp__strdup(tmp);
		return 0;
	case MMP_CONFIG_BOOL:
		if (parse_bool(s, &b) < 0) {
			mmp_buf_printf(why, "expected true or false, got '%s'",
				s);
			return -1;
		}
		*out = mmp__strdup(b ? "true" : "false");
		return 0;
	case MMP_CONFIG_ENUM: {
		const char *m = enum_match(k, s);
		if (!m) {
			enum_expected(why, k, s);
			return -1;
		}
		*out = mmp__strdup(m);
		return 0;
	}
	default:
		mmp_buf_printf(why, "unsupported key type %d", type);
		return -1;
	}
}

static const char *type_phrase(int type)
{
	switch (type) {
	case MMP_CONFIG_INT: return "an integer";
	case MMP_CONFIG_FLOAT: return "a number";
	case MMP_CONFIG_BOOL: return "true or false";
	case MMP_CONFIG_SIZE: return "a size in bytes";
	case MMP_CONFIG_CHAR: return "a single character";
	case MMP_CONFIG_ENUM: return "one word";
	case MMP_CONFIG_STRLIST: return "a list of strings";
	case MMP_CONFIG_INTLIST: return "a list of integers";
	case MMP_SKEY_MAP: return "a mapping";
	default: return "a string";
	}
}

int mmp_config__convert(struct mmp_cvalue *out, const struct mmp_skey *k,
	const mmp_ynode *n, mmp_buf *why)
{
	bool list = k->type == MMP_CONFIG_STRLIST ||
		k->type == MMP_CONFIG_INTLIST;
	int elem = k->type == MMP_CONFIG_STRLIST ? MMP_CONFIG_STRING :
		MMP_CONFIG_INT;
	mmp_buf text = MMP_BUF_INIT;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!list) {
		if (n->type != MMP_YNODE_SCALAR) {
			mmp_buf_printf(why, "expected %s, got %s",
				type_phrase(k->type),
				mmp_config__ynode_kind(n));
			return -1;
		}
		return convert_scalar(&out->text, k, k->type, n, why);
	}
	if (n->type == MMP_YNODE_MAP) {
		mmp_buf_printf(why, "expected %s, got a mapping",
			type_phrase(k->type));
		return -1;
	}
	if (n->type == MMP_YNODE_SCALAR) {
		/* a single scalar is a one-item list; null is an empty one */
		if (!n->is_null) {
			out->items = mmp__calloc(1, sizeof(char *));
			if (convert_scalar(&out->items[0], k, elem, n,
			    why) < 0) {
				mmp_config__cvalue_release(out);
				return -1;
			}
			out->nitems = 1;
		}
	} else {
		out->items = mmp__calloc(n->nr ? n->nr : 1, sizeof(char *));
		for (i = 0; i < n->nr; i++) {
			const mmp_ynode *it = n->kids[i];
			if (it->type != MMP_YNODE_SCALAR) {
				mmp_buf_printf(why, "item %zu: expected %s, "
					"got %s", i + 1,
					k->type == MMP_CONFIG_INTLIST ?
					"an integer" : "a string",
					mmp_config__ynode_kind(it));
				mmp_config__cvalue_release(out);
				return -1;
			}
			if (convert_scalar(&out->items[i], k, elem, it,
			    why) < 0) {
				mmp_config__cvalue_release(out);
				return -1;
			}
			out->nitems = i + 1;
		}
	}
	mmp_buf_putc(&text, '[');
	for (i = 0; i < out->nitems; i++) {
		if (i)
			mmp_buf_puts(&text, ", ");
		if (k->type == MMP_CONFIG_STRLIST &&
		    needs_quotes(out->items[i]))
			quote_into(&text, out->items[i]);
		else
			mmp_buf_puts(&text, out->items[i]);
	}
	mmp_buf_putc(&text, ']');
	out->text = mmp_buf_detach(&text);
	return 0;
}

/* --- walking a tree against a schema --- */

struct walker {
	const struct mmp_skey *schema;
	size_t n;
	mmp_diag_list *diags;
	size_t errors;
	mmp_skey_cb cb;
	void *payload;
};

/* is `prefix` a section (some key lies below it)? */
static bool is_section(const struct walker *W, const char *prefix)
{
	size_t i, len = strlen(prefix);

	for (i = 0; i < W->n; i++)
		if (!strncmp(W->schema[i].path, prefix, len) &&
		    W->schema[i].path[len] == '.')
			return true;
	return false;
}

/* the names of the children of section `prefix` ("" for the top) */
static size_t child_names(const struct walker *W, const char *prefix,
	const char ***out)
{
	size_t i, j, nr = 0, len = strlen(prefix);
	const char **names = mmp__calloc(W->n + 1, sizeof(char *));
	char **owned = mmp__calloc(W->n + 1, sizeof(char *));

	for (i = 0; i < W->n; i++) {
		const char *p = W->schema[i].path, *dot;
		char *seg;
		if (len) {
			if (strncmp(p, prefix, len) || p[len] != '.')
				continue;
			p += len + 1;
		}
		dot = strchr(p, '.');
		seg = dot ? mmp__strndup(p, (size_t)(dot - p)) : mmp__strdup(p);
		for (j = 0; j < nr; j++)
			if (!strcmp(names[j], seg))
				break;
		if (j < nr) {
			free(seg);
			continue;
		}
		owned[nr] = seg;
		names[nr++] = seg;
	}
	free(owned);
	*out = names;
	return nr;
}

static void free_names(const char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free((char *)names[i]);
	free(names);
}

static void walk_map(struct walker *W, const mmp_ynode *map,
	const char *prefix);

static void walk_leaf(struct walker *W, const struct mmp_skey *k,
	const mmp_ynode *n)
{
	struct mmp_cvalue v = { NULL, NULL, 0 };
	mmp_buf why = MMP_BUF_INIT;

	if (n->type == MMP_YNODE_SCALAR && n->is_null)
		return;   /* like an absent key: the default applies */
	if (k->type == MMP_SKEY_MAP) {
		if (n->type != MMP_YNODE_MAP) {
			mmp_config__diag_node(W->diags, n, false, k->path,
				"expected a mapping, got %s",
				mmp_config__ynode_kind(n));
			W->errors++;
			return;
		}
		if (W->cb)
			W->cb(W->payload, k, n, &v);
		return;
	}
	if (mmp_config__convert(&v, k, n, &why) < 0) {
		mmp_config__diag_node(W->diags, n, false, k->path, "%s",
			why.ptr);
		W->errors++;
	} else if (W->cb) {
		W->cb(W->payload, k, n, &v);
	}
	mmp_config__cvalue_release(&v);
	mmp_buf_dispose(&why);
}

/* the keys below `val` while it is a chain of one-key mappings, as
 * "--set a.b.c=1" builds: ".b.c" */
static void chain_below(mmp_buf *b, const mmp_ynode *val)
{
	while (val && val->type == MMP_YNODE_MAP && val->nr == 1) {
		mmp_buf_printf(b, ".%s", val->keys[0]);
		val = val->kids[0];
	}
}

/*
 * `key` misplaced: the full path of a section or key named `key`
 * elsewhere in the schema ("params" is "model.params"), followed by the
 * keys below it when they fit there ("model.params.max_depth").
 */
static bool misplaced(const struct walker *W, const char *key,
	const mmp_ynode *val, mmp_buf *out)
{
	size_t i, klen = strlen(key);

	if (!klen)	/* an empty key is found nowhere; strstr would walk on */
		return false;
	for (i = 0; i < W->n; i++) {
		const char *p = W->schema[i].path, *at;
		const struct mmp_skey *k;
		mmp_buf below = MMP_BUF_INIT;

		for (at = p; (at = strstr(at, key)); at++)
			if ((at == p || at[-1] == '.') &&
			    (at[klen] == '.' || !at[klen]))
				break;
		if (!at)
			continue;
		mmp_buf_clear(out);
		mmp_buf_put(out, p, (size_t)(at - p) + klen);
		chain_below(&below, val);
		if (below.size) {
			size_t base = out->size;
			bool free_form;

			k = mmp_config__skey_find(W->schema, W->n, out->ptr);
			free_form = k && k->type == MMP_SKEY_MAP;
			mmp_buf_puts(out, below.ptr);
			if (!free_form &&
			    !mmp_config__skey_find(W->schema, W->n, out->ptr) &&
			    !is_section(W, out->ptr))
				mmp_buf_truncate(out, base);
		}
		mmp_buf_dispose(&below);
		return true;
	}
	return false;
}

static void unknown_key(struct walker *W, const mmp_ynode *val,
	const char *prefix, const char *key)
{
	const char **names;
	size_t nr = child_names(W, prefix, &names);
	const char *best = mmp_str_closest(key, names, nr);
	mmp_buf full = MMP_BUF_INIT;

	if (misplaced(W, key, val, &full))
		mmp_config__diag_node(W->diags, val, true, prefix,
			"unknown key '%s'; did you mean '%s'?", key, full.ptr);
	else if (best)
		mmp_config__diag_node(W->diags, val, true, prefix,
			"unknown key '%s'; did you mean '%s'?", key, best);
	else
		mmp_config__diag_node(W->diags, val, true, prefix,
			"unknown key '%s'", key);
	W->errors++;
	mmp_buf_dispose(&full);
	free_names(names, nr);
}

static void walk_map(struct walker *W, const mmp_ynode *map,
	const char *prefix)
{
	mmp_buf path = MMP_BUF_INIT;
	size_t i;

	for (i = 0; i < map->nr; i++) {
		const mmp_ynode *val = map->kids[i];
		const struct mmp_skey *k;

		mmp_buf_clear(&path);
		if (*prefix)
			mmp_buf_printf(&path, "%s.", prefix);
		mmp_buf_puts(&path, map->keys[i]);
		k = mmp_config__skey_find(W->schema, W->n, path.ptr);
		if (k) {
			walk_leaf(W, k, val);
		} else if (is_section(W, path.ptr)) {
			if (val->type == MMP_YNODE_MAP)
				walk_map(W, val, path.ptr);
			else if (!(val->type == MMP_YNODE_SCALAR &&
				   val->is_null)) {
				mmp_config__diag_node(W->diags, val, false,
					path.ptr, "expected a mapping, got %s",
					mmp_config__ynode_kind(val));
				W->errors++;
			}
		} else {
			unknown_key(W, val, prefix, map->keys[i]);
		}
	}
	mmp_buf_dispose(&path);
}

/* report required keys that are missing, at their parent's location */
static void check_required(struct walker *W, const mmp_ynode *root)
{
	mmp_buf seen = MMP_BUF_INIT, at = MMP_BUF_INIT, seg = MMP_BUF_INIT;
	size_t i;

	mmp_buf_putc(&seen, '\n');
	for (i = 0; i < W->n; i++) {
		const struct mmp_skey *k = &W->schema[i];
		const mmp_ynode *n = root, *kid;
		const char *p = k->path, *dot;
		bool root_level = true;

		if (!(k->flags & MMP_SKEY_REQUIRED))
			continue;
		mmp_buf_clear(&at);
		for (;;) {
			dot = strchr(p, '.');
			mmp_buf_clear(&seg);
			mmp_buf_put(&seg, p,
				dot ? (size_t)(dot - p) : strlen(p));
			kid = mmp_config__ynode_get(n, seg.ptr);
			if (!kid || !dot || kid->type != MMP_YNODE_MAP)
				break;
			if (at.size)
				mmp_buf_putc(&at, '.');
			mmp_buf_puts(&at, seg.ptr);
			root_level = false;
			n = kid;
			p = dot + 1;
		}
		if (kid && kid->type != MMP_YNODE_SCALAR)
			continue;   /* a type error, reported already */
		if (kid && !kid->is_null)
			continue;
		/* report each (parent, missing name) once */
		{
			mmp_buf tag = MMP_BUF_INIT;
			mmp_buf_printf(&tag, "\n%s|%s\n", at.ptr, seg.ptr);
			if (strstr(seen.ptr, tag.ptr)) {
				mmp_buf_dispose(&tag);
				continue;
			}
			mmp_buf_puts(&seen, tag.ptr + 1);
			mmp_buf_dispose(&tag);
		}
		if (kid) {
			if (at.size)
				mmp_buf_putc(&at, '.');
			mmp_buf_puts(&at, seg.ptr);
			mmp_config__diag_node(W->diags, kid, true, at.ptr,
				"a value is required");
		}
		else if (root_level)
			mmp_config__diag_node(W->diags, n, false, NULL,
				"missing required key '%s'", seg.ptr);
		else
			mmp_config__diag_node(W->diags, n, true, at.ptr,
				"missing required key '%s'", seg.ptr);
		W->errors++;
	}
	mmp_buf_dispose(&seen);
	mmp_buf_dispose(&at);
	mmp_buf_dispose(&seg);
}

size_t mmp_config__validate(const mmp_ynode *root,
	const struct mmp_skey *schema, size_t n, mmp_diag_list *diags,
	mmp_skey_cb cb, void *payload)
{
	struct walker W = { schema, n, diags, 0, cb, payload };

	if (root->type != MMP_YNODE_MAP) {
		mmp_config__diag_node(diags, root, false, NULL,
			"expected a mapping at the top level, got %s",
			mmp_config__ynode_kind(root));
		return 1;
	}
	walk_map(&W, root, "");
	check_required(&W, root);
	return W.errors;
}
