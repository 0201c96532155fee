/* SPDX-License-Identifier: MIT */
/* config-internal.h: the YAML tree, diagnostics and schema validator */
#ifndef LIB_config_config_internal_h__
#define LIB_config_config_internal_h__

#include <stdbool.h>
#include <stddef.h>

#include "mmp/config.h"
#include "util/util.h"

/* --- diagnostics (diag.c) --- */

struct mmp_diag_list {
	mmp_diag *items;
	size_t nr, alloc;
};

mmp_diag_list *mmp_config__diags_new(void);
/* add a problem; line/col 0 when the source has no lines; key may be NULL */
void mmp_config__diag_add(mmp_diag_list *l, const char *file, int line,
	int col, const char *key, const char *fmt, ...)
	MMP_FORMAT_PRINTF(6, 7);
/*
 * Set the last error from the first problem of `l` (plus "(and N more
 * errors)") with class `klass`; returns MMP_EINVALID.
 */
int mmp_config__diags_error(const mmp_diag_list *l, int klass);

/* --- the YAML tree (yaml.c); libyaml is used only here --- */

enum {
	MMP_YNODE_SCALAR = 1,
	MMP_YNODE_MAP,
	MMP_YNODE_SEQ
};

typedef struct mmp_ynode mmp_ynode;
struct mmp_ynode {
	int type;
	char *file;           /* display name of the source */
	int line, col;        /* where the node starts (1-based; 0: none) */
	int key_line, key_col;  /* where its key is, for map values */
	char *value;          /* scalars: the text, interpolated */
	bool is_null;         /* plain "", "~", "null" */
	bool quoted;          /* single- or double-quoted scalar */
	char **keys;          /* maps: the keys */
	mmp_ynode **kids;     /* maps: the values; sequences: the items */
	size_t nr, alloc;
};

enum {
	MMP_YAML_INTERPOLATE = 1   /* expand ${VAR}, ${VAR:-d} and $$ */
};

/*
 * Parse `len` bytes of YAML text into a tree. `file` names the source in
 * diagnostics and origins. Problems (malformed YAML, duplicate keys,
 * anchors, aliases, undefined variables) are added to `diags`. Returns 0
 * with *out set (an empty document gives an empty map), or MMP_EINVALID
 * when the text is not well-formed YAML (*out is NULL).
 */
int mmp_config__yaml_load(mmp_ynode **out, const char *file,
	const char *text, size_t len, unsigned flags, mmp_diag_list *diags);

/*
 * Parse the value of a command-line override or an environment variable:
 * flow collections ([a, b], {k: v}) and quoted scalars as YAML, anything
 * else as a plain scalar taken verbatim ("" is null). Every node carries
 * `origin` as its file and no line. Returns 0, or MMP_EINVALID after
 * adding a diagnostic.
 */
int mmp_config__yaml_value(mmp_ynode **out, const char *origin,
	const char *text, mmp_diag_list *diags);

mmp_ynode *mmp_config__ynode_new(int type, const char *file, int line,
	int col);
void mmp_config__ynode_free(mmp_ynode *n);
/* the value of `key` in map `n`, or NULL */
mmp_ynode *mmp_config__ynode_get(const mmp_ynode *n, const char *key);
/* follow a dotted path from `root`; NULL when absent */
mmp_ynode *mmp_config__ynode_path(const mmp_ynode *root, const char *path);
/*
 * Put `value` (taken over) at the dotted `path` under map `root`,
 * creating (or replacing non-map) intermediate maps with `value`'s
 * location. An existing value at `path` is freed.
 */
void mmp_config__ynode_set_path(mmp_ynode *root, const char *path,
	mmp_ynode *value);
/* "a mapping", "a list", "a string" for messages */
const char *mmp_config__ynode_kind(const mmp_ynode *n);

/* --- table-driven validation (schema.c) --- */

enum {
	MMP_SKEY_MAP = 100     /* a free-form mapping, checked by the owner */
};

enum {
	MMP_SKEY_REQUIRED = 1 << 0,
	MMP_SKEY_MIN = 1 << 1,       /* `min` is a bound */
	MMP_SKEY_MAX = 1 << 2,       /* `max` is a bound */
	MMP_SKEY_MIN_OPEN = 1 << 3,  /* the bound excludes `min` */
	MMP_SKEY_MAX_OPEN = 1 << 4   /* the bound excludes `max` */
};

/* one key of a schema; the schema is an array of these (dotted paths) */
struct mmp_skey {
	const char *path;             /* "data.split.test_size" */
	int type;                     /* mmp_config_type or MMP_SKEY_MAP */
	unsigned flags;
	const char *def;              /* default as YAML text, or NULL */
	double min, max;
	const char *const *values;    /* ENUM: allowed, NULL-terminated */
	const char *const *aliases;   /* ENUM: alias, canonical, ..., NULL */
	const char *doc;
};

/* a converted value */
struct mmp_cvalue {
	char *text;         /* canonical text (lists: [a, b]) */
	char **items;       /* list items */
	size_t nitems;
};
void mmp_config__cvalue_release(struct mmp_cvalue *v);

/*
 * Convert scalar or list node `n` for key `k`. Returns 0, or -1 with the
 * problem text (without location) in `why`.
 */
int mmp_config__convert(struct mmp_cvalue *out, const struct mmp_skey *k,
	const mmp_ynode *n, mmp_buf *why);

/* called for every key that has a valid, non-null value */
typedef void (*mmp_skey_cb)(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v);

/*
 * Validate `root` against `schema` (n keys): unknown keys with "did you
 * mean", wrong types and ranges, missing required keys. Every problem is
 * added to `diags`; `cb` gets each valid value (MMP_SKEY_MAP keys with
 * the node and an empty value). Returns the number of problems added.
 */
size_t mmp_config__validate(const mmp_ynode *root,
	const struct mmp_skey *schema, size_t n, mmp_diag_list *diags,
	mmp_skey_cb cb, void *payload);

/* the schema key with exactly this path, or NULL */
const struct mmp_skey *mmp_config__skey_find(const struct mmp_skey *schema,
	size_t n, const char *path);

/* add a diagnostic located at node `n` (its key when at_key) */
void mmp_config__diag_node(mmp_diag_list *l, const mmp_ynode *n,
	bool at_key, const char *key, const char *fmt, ...)
	MMP_FORMAT_PRINTF(5, 6);

#endif
