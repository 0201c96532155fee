/* SPDX-License-Identifier: MIT */
/* yaml.c: load YAML (libyaml) into a located tree, with ${VAR} expansion */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config-internal.h"

/* nesting deeper than this is refused (bounds the recursion) */
#define MAX_DEPTH 64

struct loader {
	yaml_parser_t parser;
	const char *file;
	const char *text;    /* the source, for explaining syntax errors */
	size_t len;
	unsigned flags;
	mmp_diag_list *diags;
	mmp_buf path;        /* key path of the node being built */
	int depth;
};

mmp_ynode *mmp_config__ynode_new(int type, const char *file, int line,
	int col)
{
	mmp_ynode *n = mmp__calloc(1, sizeof(*n));

	n->type = type;
	n->file = mmp__strdup_or_null(file);
	n->line = n->key_line = line;
	n->col = n->key_col = col;
	return n;
}

void mmp_config__ynode_free(mmp_ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nr; i++) {
		if (n->keys)
			free(n->keys[i]);
		mmp_config__ynode_free(n->kids[i]);
	}
	free(n->keys);
	free(n->kids);
	free(n->value);
	free(n->file);
	free(n);
}

static void add_kid(mmp_ynode *n, char *key, mmp_ynode *kid)
{
	MMP_ALLOC_GROW(n->kids, n->nr + 1, n->alloc);
	if (n->type == MMP_YNODE_MAP) {
		n->keys = mmp__reallocarray(n->keys, n->alloc, sizeof(char *));
		n->keys[n->nr] = key;
	}
	n->kids[n->nr++] = kid;
}

mmp_ynode *mmp_config__ynode_get(const mmp_ynode *n, const char *key)
{
	size_t i;

	if (!n || n->type != MMP_YNODE_MAP)
		return NULL;
	for (i = 0; i < n->nr; i++)
		if (!strcmp(n->keys[i], key))
			return n->kids[i];
	return NULL;
}

mmp_ynode *mmp_config__ynode_path(const mmp_ynode *root, const char *path)
{
	const mmp_ynode *n = root;
	mmp_buf seg = MMP_BUF_INIT;
	const char *p = path, *dot;

	while (n && *p) {
		dot = strchr(p, '.');
		mmp_buf_clear(&seg);
		mmp_buf_put(&seg, p, dot ? (size_t)(dot - p) : strlen(p));
		n = mmp_config__ynode_get(n, seg.ptr);
		p = dot ? dot + 1 : p + strlen(p);
	}
	mmp_buf_dispose(&seg);
	return (mmp_ynode *)n;
}

void mmp_config__ynode_set_path(mmp_ynode *root, const char *path,
	mmp_ynode *value)
{
	mmp_ynode *n = root;
	const char *p = path, *dot;
	size_t i;

	for (;;) {
		char *seg;
		mmp_ynode *kid = NULL;

		dot = strchr(p, '.');
		seg = dot ? mmp__strndup(p, (size_t)(dot - p)) : mmp__strdup(p);
		for (i = 0; i < n->nr; i++)
			if (!strcmp(n->keys[i], seg))
				break;
		if (!dot) {
			if (i < n->nr) {
				mmp_config__ynode_free(n->kids[i]);
				n->kids[i] = value;
				free(seg);
			} else {
				add_kid(n, seg, value);
			}
			return;
		}
		if (i < n->nr && n->kids[i]->type == MMP_YNODE_MAP) {
			kid = n->kids[i];
			free(seg);
		} else {
			kid = mmp_config__ynode_new(MMP_YNODE_MAP, value->file,
				value->line, value->col);
			if (i < n->nr) {
				mmp_config__ynode_free(n->kids[i]);
				n->kids[i] = kid;
				free(seg);
			} else {
				add_kid(n, seg, kid);
			}
		}
		n = kid;
		p = dot + 1;
	}
}

const char *mmp_config__ynode_kind(const mmp_ynode *n)
{
	if (!n || n->is_null)
		return "nothing";
	if (n->type == MMP_YNODE_MAP)
		return "a mapping";
	if (n->type == MMP_YNODE_SEQ)
		return "a list";
	return "a string";
}

static void relocate(mmp_ynode *n, const char *file)
{
	size_t i;

	free(n->file);
	n->file = mmp__strdup(file);
	n->line = n->col = n->key_line = n->key_col = 0;
	for (i = 0; i < n->nr; i++)
		relocate(n->kids[i], file);
}

/* --- ${VAR} expansion --- */

static bool is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

/* expand `in` into `out`; problems go to diags; returns 0 or -1 */
static int interpolate(struct loader *L, const char *in, int line, int col,
	bool exact_col, mmp_buf *out)
{
	const char *p = in;
	int ret = 0;

	while (*p) {
		const char *start = p, *name, *end, *def = NULL;
		size_t namelen;
		int c = exact_col ? col + (int)(p - in) : col;
		char *var;
		const char *val;

		if (*p != '$') {
			mmp_buf_putc(out, *p++);
			continue;
		}
		if (p[1] == '$') {
			mmp_buf_putc(out, '$');
			p += 2;
			continue;
		}
		if (p[1] != '{') {
			mmp_buf_putc(out, *p++);
			continue;
		}
		name = p + 2;
		end = strchr(name, '}');
		if (!end) {
			mmp_config__diag_add(L->diags, L->file, line, c,
				L->path.ptr, "unterminated '${' in '%s'", in);
			return -1;
		}
		for (namelen = 0; name + namelen < end &&
		     is_name_char((unsigned char)name[namelen]); namelen++)
			;
		if (name + namelen + 1 < end && name[namelen] == ':' &&
		    name[namelen + 1] == '-')
			def = name + namelen + 2;
		if (!namelen || !is_name_start((unsigned char)*name) ||
		    (!def && name + namelen != end)) {
			mmp_config__diag_add(L->diags, L->file, line, c,
				L->path.ptr,
				"invalid variable reference '%.*s'",
				(int)(end - start + 1), start);
			ret = -1;
			p = end + 1;
			continue;
		}
		var = mmp__strndup(name, namelen);
		val = getenv(var);
		if (def && (!val || !*val))
			mmp_buf_put(out, def, (size_t)(end - def));
		else if (val)
			mmp_buf_puts(out, val);
		else {
			mmp_config__diag_add(L->diags, L->file, line, c,
				L->path.ptr, "undefined variable '%s' (set it, "
				"or write ${%s:-default})", var, var);
			ret = -1;
		}
		free(var);
		p = end + 1;
	}
	return ret;
}

/* --- the event-driven loader --- */

/* line `n` (0-based) of the source: its start and length */
static bool source_line(const struct loader *L, size_t n, const char **s,
	size_t *len)
{
	const char *p = L->text, *end = L->text + L->len, *nl;

	while (n--) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*s = p;
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return true;
}

/* "key:value": a plain key, a colon, then no space; returns its length */
static size_t key_without_space(const char *s, size_t len)
{
	size_t i = 0, k;

	while (i < len && s[i] == ' ')
		i++;
	if (i + 1 < len && s[i] == '-' && s[i + 1] == ' ')
		for (i += 2; i < len && s[i] == ' '; i++)
			;
	k = i;
	if (i >= len || !(isalpha((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
			s[i] == '-' || s[i] == '.'))
		i++;
	if (i + 1 >= len || s[i] != ':' || s[i + 1] == ' ' ||
	    s[i + 1] == '\t' || s[i + 1] == ':' || s[i + 1] == '/' ||
	    s[i + 1] == '\r')
		return 0;
	while (i < len && s[i] != ' ' && s[i] != '#' && s[i] != '\r')
		i++;
	return i - k;
}

/*
 * libyaml names the symptom ("did not find expected key"); say what
 * usually causes it, looking at the lines up to the error: a tab in the
 * indentation, "key:value" without a space, or an indentation that does
 * not match the lines above.
 */
static void syntax_hint(const struct loader *L, const char *problem,
	size_t line, mmp_buf *out)
{
	static const char *const block_problems[] = {
		"found character that cannot start any token",
		"mapping values are not allowed in this context",
		"did not find expected key",
		"could not find expected ':'",
		"block sequence entries are not allowed in this context",
		"did not find expected '-' indicator",
		NULL
	};
	const char *s;
	size_t n, i, len;

	for (i = 0; block_problems[i]; i++)
		if (!strcmp(problem, block_problems[i]))
			break;
	if (!L->text || !block_problems[i])
		return;   /* flow collections, quotes: the problem says it */
	for (n = 0; n <= line && source_line(L, n, &s, &len); n++)
		for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
			if (s[i] == '\t') {
				mmp_buf_printf(out, "; line %zu is indented "
					"with a tab: YAML indents with spaces "
					"only", n + 1);
				return;
			}
	/* "could not find expected ':'": a key line without its colon */
	for (n = line + 1; !strcmp(problem, block_problems[3]) && n-- > 0;) {
		size_t k;

		if (!source_line(L, n, &s, &len))
			continue;
		for (k = 0; k < len && s[k] == ' '; k++)
			;
		if (k == len || s[k] == '#' || s[k] == '-' ||
		    memchr(s, ':', len))
			continue;
		mmp_buf_printf(out, "; line %zu has no ':' after '%.*s' "
			"(write 'key: value', or 'key:' before a nested "
			"block)", n + 1, (int)(len - k > 60 ? 60 : len - k),
			s + k);
		return;
	}
	for (n = line + 1; n-- > 0;) {
		size_t k;

		if (!source_line(L, n, &s, &len))
			continue;
		if ((k = key_without_space(s, len))) {
			while (*s == ' ' || *s == '-')
				s++;
			mmp_buf_printf(out, "; line %zu needs a space after "
				"the ':' in '%.*s' (write 'key: value')",
				n + 1, (int)(k > 60 ? 60 : k), s);
			return;
		}
	}
	mmp_buf_printf(out, "; check the indentation of line %zu and the "
		"lines above it: the keys of one mapping start in the same "
		"column, with spaces, and a ':' is followed by a space",
		line + 1);
}

static int parse_error(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	mmp_buf msg = MMP_BUF_INIT;

	mmp_buf_puts(&msg, problem);
	if (p->error == YAML_MEMORY_ERROR) {
		mmp_buf_clear(&msg);
		mmp_buf_puts(&msg, "out of memory");
	} else {
		syntax_hint(L, problem, p->problem_mark.line, &msg);
	}
	mmp_config__diag_add(L->diags, L->file, (int)p->problem_mark.line + 1,
		(int)p->problem_mark.column + 1, NULL, "%s", msg.ptr);
	mmp_buf_dispose(&msg);
	return MMP_EINVALID;
}

static int next_event(struct loader *L, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&L->parser, ev))
		return parse_error(L);
	return 0;
}

static int parse_node(struct loader *L, yaml_event_t *ev, mmp_ynode **out);

static bool plain_null(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
		!strcmp(s, "Null") || !strcmp(s, "NULL");
}

static mmp_ynode *scalar_node(struct loader *L, yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	yaml_scalar_style_t style = ev->data.scalar.style;
	mmp_ynode *n = mmp_config__ynode_new(MMP_YNODE_SCALAR, L->file, line,
		col);

	n->quoted = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	n->is_null = style == YAML_PLAIN_SCALAR_STYLE && plain_null(text) &&
		!ev->data.scalar.tag;
	if ((L->flags & MMP_YAML_INTERPOLATE) && !n->is_null &&
	    strchr(text, '$')) {
		mmp_buf b = MMP_BUF_INIT;
		bool exact = style == YAML_PLAIN_SCALAR_STYLE &&
			!strchr(text, '\n') &&
			ev->start_mark.line == ev->end_mark.line;
		interpolate(L, text, line, col, exact, &b);
		n->value = mmp_buf_detach(&b);
	} else {
		n->value = mmp__strdup(text);
	}
	return n;
}

static void refuse_anchor(struct loader *L, yaml_event_t *ev,
	const yaml_char_t *anchor)
{
	if (anchor)
		mmp_config__diag_add(L->diags, L->file,
			(int)ev->start_mark.line + 1,
			(int)ev->start_mark.column + 1, L->path.ptr,
			"anchors are not supported ('&%s')",
			(const char *)anchor);
}

static int parse_seq(struct loader *L, yaml_event_t *start, mmp_ynode *n)
{
	size_t len = L->path.size;
	yaml_event_t ev;
	int error;

	(void)start;
	for (;;) {
		mmp_ynode *kid = NULL;

		if ((error = next_event(L, &ev)) < 0)
			return error;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		mmp_buf_printf(&L->path, "[%zu]", n->nr);
		error = parse_node(L, &ev, &kid);
		mmp_buf_truncate(&L->path, len);
		if (error < 0)
			return error;
		add_kid(n, NULL, kid);
	}
}

static int parse_map(struct loader *L, mmp_ynode *n)
{
	size_t len = L->path.size;
	yaml_event_t ev;
	int error;

	for (;;) {
		mmp_ynode *kid = NULL, *dup;
		int kline, kcol;
		char *key;

		if ((error = next_event(L, &ev)) < 0)
			return error;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		kline = (int)ev.start_mark.line + 1;
		kcol = (int)ev.start_mark.column + 1;
		if (ev.type != YAML_SCALAR_EVENT) {
			mmp_ynode *junk = NULL;
			mmp_config__diag_add(L->diags, L->file, kline, kcol,
				L->path.ptr, "keys must be plain strings");
			if ((error = parse_node(L, &ev, &junk)) < 0)
				return error;
			mmp_config__ynode_free(junk);
			key = mmp__strdup("?");
		} else {
			refuse_anchor(L, &ev, ev.data.scalar.anchor);
			key = mmp__strdup((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
		}
		if (len)
			mmp_buf_putc(&L->path, '.');
		mmp_buf_puts(&L->path, key);
		if ((error = next_event(L, &ev)) < 0) {
			free(key);
			return error;
		}
		error = parse_node(L, &ev, &kid);
		if (error < 0) {
			free(key);
			mmp_buf_truncate(&L->path, len);
			return error;
		}
		kid->key_line = kline;
		kid->key_col = kcol;
		dup = mmp_config__ynode_get(n, key);
		if (dup) {
			mmp_config__diag_add(L->diags, L->file, kline, kcol,
				L->path.ptr,
				"duplicate key '%s' (first at line %d)", key,
				dup->key_line);
			mmp_config__ynode_free(kid);
			free(key);
		} else {
			add_kid(n, key, kid);
		}
		mmp_buf_truncate(&L->path, len);
	}
}

/* build the node that starts with `ev` (consumed) */
static int parse_node(struct loader *L, yaml_event_t *ev, mmp_ynode **out)
{
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	int error = 0;
	mmp_ynode *n = NULL;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		refuse_anchor(L, ev, ev->data.scalar.anchor);
		n = scalar_node(L, ev);
		break;
	case YAML_ALIAS_EVENT:
		mmp_config__diag_add(L->diags, L->file, line, col, L->path.ptr,
			"aliases are not supported ('*%s')",
			(const char *)ev->data.alias.anchor);
		n = mmp_config__ynode_new(MMP_YNODE_SCALAR, L->file, line, col);
		n->value = mmp__strdup("");
		n->is_null = true;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (++L->depth > MAX_DEPTH) {
			mmp_config__diag_add(L->diags, L->file, line, col,
				L->path.ptr, "nesting deeper than %d levels",
				MAX_DEPTH);
			yaml_event_delete(ev);
			return MMP_EINVALID;
		}
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			refuse_anchor(L, ev, ev->data.sequence_start.anchor);
			n = mmp_config__ynode_new(MMP_YNODE_SEQ, L->file, line,
				col);
			error = parse_seq(L, ev, n);
		} else {
			refuse_anchor(L, ev, ev->data.mapping_start.anchor);
			n = mmp_config__ynode_new(MMP_YNODE_MAP, L->file, line,
				col);
			error = parse_map(L, n);
		}
		L->depth--;
		break;
	default:
		mmp_config__diag_add(L->diags, L->file, line, col, L->path.ptr,
			"unexpected YAML event");
		error = MMP_EINVALID;
		break;
	}
	yaml_event_delete(ev);
	if (error < 0) {
		mmp_config__ynode_free(n);
		return error;
	}
	*out = n;
	return 0;
}

int mmp_config__yaml_load(mmp_ynode **out, const char *file,
	const char *text, size_t len, unsigned flags, mmp_diag_list *diags)
{
	struct loader L = { .file = file, .text = text, .len = len,
		.flags = flags, .diags = diags };
	mmp_ynode *root = NULL;
	yaml_event_t ev;
	int error;

	*out = NULL;
	mmp_buf_init(&L.path, 0);
	if (!yaml_parser_initialize(&L.parser))
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_NOMEMORY,
			"cannot initialise the YAML parser");
	yaml_parser_set_input_string(&L.parser, (const unsigned char *)text,
		len);
	yaml_parser_set_encoding(&L.parser, YAML_UTF8_ENCODING);

	/* stream start, then a document or the stream end */
	if ((error = next_event(&L, &ev)) < 0)
		goto done;
	yaml_event_delete(&ev);
	if ((error = next_event(&L, &ev)) < 0)
		goto done;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		root = mmp_config__ynode_new(MMP_YNODE_MAP, file, 1, 1);
		goto done;
	}
	yaml_event_delete(&ev);
	if ((error = next_event(&L, &ev)) < 0)
		goto done;
	if ((error = parse_node(&L, &ev, &root)) < 0)
		goto done;
	if ((error = next_event(&L, &ev)) < 0)   /* document end */
		goto done;
	yaml_event_delete(&ev);
	if ((error = next_event(&L, &ev)) < 0)
		goto done;
	if (ev.type != YAML_STREAM_END_EVENT) {
		mmp_config__diag_add(diags, file, (int)ev.start_mark.line + 1,
			(int)ev.start_mark.column + 1, NULL,
			"only one YAML document is allowed");
		yaml_event_delete(&ev);
		error = MMP_EINVALID;
		goto done;
	}
	yaml_event_delete(&ev);
	if (root->type == MMP_YNODE_SCALAR && root->is_null) {
		mmp_config__ynode_free(root);
		root = mmp_config__ynode_new(MMP_YNODE_MAP, file, 1, 1);
	}

done:
	yaml_parser_delete(&L.parser);
	mmp_buf_dispose(&L.path);
	if (error < 0) {
		mmp_config__ynode_free(root);
		return MMP_EINVALID;
	}
	*out = root;
	return 0;
}

int mmp_config__yaml_value(mmp_ynode **out, const char *origin,
	const char *text, mmp_diag_list *diags)
{
	mmp_ynode *n = NULL;

	*out = NULL;
	if (*text && strchr("[{\"'", *text)) {
		mmp_diag_list *tmp = mmp_config__diags_new();
		int error = mmp_config__yaml_load(&n, origin, text,
			strlen(text), 0, tmp);
		if (error < 0 || tmp->nr) {
			const char *why = tmp->nr ? tmp->items[0].text :
				"malformed value";
			mmp_config__diag_add(diags, origin, 0, 0, NULL,
				"cannot parse the value '%s': %s", text, why);
			mmp_diag_list_free(tmp);
			mmp_config__ynode_free(n);
			return MMP_EINVALID;
		}
		mmp_diag_list_free(tmp);
		relocate(n, origin);
	} else {
		n = mmp_config__ynode_new(MMP_YNODE_SCALAR, origin, 0, 0);
		n->value = mmp__strdup(text);
		n->is_null = !*text;
	}
	*out = n;
	return 0;
}
