/* SPDX-License-Identifier: MIT */
/* forest.c: XGBoost trees compiled into flat arrays and predicted */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xgboost/c_api.h>

#include "mmp/errors.h"
#include "util/util.h"
#include "forest.h"
#include "xgb-internal.h"

/* node.info: feature index, then flags */
#define F_FEATURE 0x0fffffffu
#define F_CAT 0x40000000u         /* categorical split: u.i is a set */
#define F_RIGHT 0x80000000u       /* missing values go right */

typedef struct {
	union {
		float f;                  /* threshold, or the leaf value */
		uint32_t i;               /* categorical: index into sets */
	} u;
	uint32_t left;                    /* 0: a leaf; right is left + 1 */
	uint32_t info;
} fnode;

/* a split of a complete tree: the column of the prepared row (features
 * with NaN as -inf, then with NaN as +inf, for the default direction)
 * and the threshold; NaN for a node that pads a shallower leaf */
typedef struct {
	uint32_t col;
	float t;
} cnode;

typedef struct {
	uint32_t off;                     /* into cats */
	uint32_t nbits;                   /* words * 32, as XGBoost sizes it */
} catset;

/* what the objective does to the base score and to the sums */
enum { BASE_SAME, BASE_LOGIT, BASE_LOG };
enum { OUT_SAME, OUT_SIGMOID, OUT_EXP, OUT_HINGE, OUT_SOFTMAX,
	OUT_ARGMAX };

static const struct objective {
	const char *name;
	int base, out;
} objectives[] = {
	{ "binary:hinge", BASE_SAME, OUT_HINGE },
	{ "binary:logistic", BASE_LOGIT, OUT_SIGMOID },
	{ "binary:logitraw", BASE_SAME, OUT_SAME },
	{ "count:poisson", BASE_LOG, OUT_EXP },
	{ "multi:softmax", BASE_SAME, OUT_ARGMAX },
	{ "multi:softprob", BASE_SAME, OUT_SOFTMAX },
	{ "rank:map", BASE_SAME, OUT_SAME },
	{ "rank:ndcg", BASE_SAME, OUT_SAME },
	{ "rank:pairwise", BASE_SAME, OUT_SAME },
	{ "reg:absoluteerror", BASE_SAME, OUT_SAME },
	{ "reg:gamma", BASE_LOG, OUT_EXP },
	{ "reg:logistic", BASE_LOGIT, OUT_SIGMOID },
	{ "reg:pseudohubererror", BASE_SAME, OUT_SAME },
	{ "reg:squarederror", BASE_SAME, OUT_SAME },
	{ "reg:squaredlogerror", BASE_SAME, OUT_SAME },
	{ "reg:tweedie", BASE_LOG, OUT_EXP },
	{ "survival:cox", BASE_LOG, OUT_EXP },
};

struct mmp_forest {
	fnode *nodes;
	size_t nnodes;
	uint32_t *roots;                  /* per tree */
	uint32_t *groups;                 /* per tree: the output it adds to */
	uint32_t *depths;                 /* per tree: its deepest leaf */
	size_t ntrees;
	catset *sets;
	size_t nsets, nsets_alloc;
	uint32_t *cats;
	size_t ncats;
	size_t nfeatures;
	size_t ngroups;                   /* num_class, else 1 */
	float base;                       /* in margin space */
	int out;
	int has_cats;
	/* the trees again as complete trees when every split is numeric
	 * with a finite threshold and no tree is too deep: node i has its
	 * children at 2i + 1 and 2i + 2, leaves after the last level */
	cnode *cn;
	float *cl;
	uint32_t *coff, *cloff;           /* per tree: into cn, into cl */
};

/* ---- loading ------------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		size_t n = (size_t)(dot - path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path = dot + 1;
	}
	return o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
}

static int bad(const char *what, int tree)
{
	if (tree < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"bad tree model: %s", what);
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
		"bad tree model: tree %d: %s", tree, what);
}

/* XGBoost writes NaN, Infinity and -Infinity as bare words, which
 * cJSON does not read: they become 1e300 (no float is that large),
 * 1e999 and -1e999 (read as infinities) in a copy of the text */
#define NAN_MARK 1e300

static char *plain_json(const char *s, size_t len)
{
	mmp_buf b = MMP_BUF_INIT;
	size_t i = 0, from = 0;
	int in_str = 0;

	while (i < len) {
		char c = s[i];
		const char *rep = NULL;
		size_t skip = 0;

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == 'N' && len - i >= 3 && !memcmp(s + i, "NaN", 3))
			rep = "1e300", skip = 3;
		else if (c == 'I' && len - i >= 8 &&
		    !memcmp(s + i, "Infinity", 8))
			rep = "1e999", skip = 8;
		if (!rep) {
			i++;
			continue;
		}
		mmp_buf_put(&b, s + from, i - from);
		mmp_buf_puts(&b, rep);
		i += skip;
		from = i;
	}
	mmp_buf_put(&b, s + from, len - from);
	return mmp_buf_detach(&b);
}

/* a numeric JSON array of exactly `n` items (or any length if n is
 * SIZE_MAX, stored in *got) as doubles */
static int numbers(double **out, size_t *got, const cJSON *tree,
	const char *key, size_t n, int id)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(tree, key), *x;
	size_t len, i = 0;
	double *v;

	if (!cJSON_IsArray(a))
		return bad(key, id);
	len = (size_t)cJSON_GetArraySize(a);
	if (n != SIZE_MAX && len != n)
		return bad(key, id);
	v = mmp__calloc(len ? len : 1, sizeof(double));
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsNumber(x)) {
			free(v);
			return bad(key, id);
		}
		v[i++] = x->valuedouble == NAN_MARK ? NAN :
			x->valuedouble;
	}
	*out = v;
	if (got)
		*got = len;
	return 0;
}

static int string_number(double *out, const cJSON *o, const char *path)
{
	const cJSON *x = get(o, path);
	char *end;

	if (cJSON_IsNumber(x)) {
		*out = x->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(x) || !*x->valuestring)
		return -1;
	*out = strtod(x->valuestring, &end);
	return *end ? -1 : 0;
}

typedef struct {
	double *left, *right, *feat, *cond, *dleft, *type;
	double *cat, *cnode, *cseg, *csize;
	size_t n, ncat, ncnode;
} jtree;

static void jtree_release(jtree *t)
{
	free(t->left);
	free(t->right);
	free(t->feat);
	free(t->cond);
	free(t->dleft);
	free(t->type);
	free(t->cat);
	free(t->cnode);
	free(t->cseg);
	free(t->csize);
	memset(t, 0, sizeof(*t));
}

static int jtree_read(jtree *t, const cJSON *tree, int id)
{
	int error;

	if ((error = numbers(&t->left, &t->n, tree, "left_children",
	    SIZE_MAX, id)) < 0 ||
	    (error = numbers(&t->right, NULL, tree, "right_children", t->n,
	    id)) < 0 ||
	    (error = numbers(&t->feat, NULL, tree, "split_indices", t->n,
	    id)) < 0 ||
	    (error = numbers(&t->cond, NULL, tree, "split_conditions", t->n,
	    id)) < 0 ||
	    (error = numbers(&t->dleft, NULL, tree, "default_left", t->n,
	    id)) < 0)
		return error;
	if (!t->n)
		return bad("no nodes", id);
	/* split types and category sets: absent in models from before
	 * categorical support */
	if (!cJSON_GetObjectItemCaseSensitive(tree, "split_type"))
		return 0;
	if ((error = numbers(&t->type, NULL, tree, "split_type", t->n,
	    id)) < 0 ||
	    (error = numbers(&t->cat, &t->ncat, tree, "categories",
	    SIZE_MAX, id)) < 0 ||
	    (error = numbers(&t->cnode, &t->ncnode, tree,
	    "categories_nodes", SIZE_MAX, id)) < 0 ||
	    (error = numbers(&t->cseg, NULL, tree, "categories_segments",
	    t->ncnode, id)) < 0 ||
	    (error = numbers(&t->csize, NULL, tree, "categories_sizes",
	    t->ncnode, id)) < 0)
		return error;
	return 0;
}

static int is_index(double v, size_t n)
{
	return v >= 0 && v < (double)n && v == floor(v);
}

/* add the category set of source node `src` as set `*idx` */
static int add_set(mmp_forest *f, const jtree *t, size_t src,
	uint32_t *idx, int id)
{
	size_t k, j, beg, size, words;
	double mx = -1;
	catset *s;

	for (k = 0; k < t->ncnode; k++)
		if (t->cnode[k] == (double)src)
			break;
	if (k == t->ncnode) {
		beg = size = 0;
	} else {
		if (t->cseg[k] < 0 || t->csize[k] < 0 ||
		    t->cseg[k] + t->csize[k] > (double)t->ncat)
			return bad("category segment out of range", id);
		beg = (size_t)t->cseg[k];
		size = (size_t)t->csize[k];
	}
	for (j = beg; j < beg + size; j++) {
		if (t->cat[j] < 0 || t->cat[j] > 16777216 ||
		    t->cat[j] != floor(t->cat[j]))
			return bad("bad category", id);
		if (t->cat[j] > mx)
			mx = t->cat[j];
	}
	words = mx < 0 ? 0 : ((size_t)mx + 1 + 31) / 32;
	MMP_ALLOC_GROW(f->sets, f->nsets + 1, f->nsets_alloc);
	f->cats = mmp__reallocarray(f->cats, f->ncats + words + 1,
		sizeof(uint32_t));
	s = &f->sets[f->nsets];
	s->off = (uint32_t)f->ncats;
	s->nbits = (uint32_t)(words * 32);
	memset(f->cats + f->ncats, 0, (words + 1) * sizeof(uint32_t));
	for (j = beg; j < beg + size; j++) {
		size_t c = (size_t)t->cat[j];

		f->cats[f->ncats + c / 32] |= 1u << (c % 32);
	}
	f->ncats += words;
	*idx = (uint32_t)f->nsets++;
	f->has_cats = 1;
	return 0;
}

/* lay tree `t` out breadth-first from its root, children side by side */
static int add_tree(mmp_forest *f, const jtree *t, int id,
	size_t *nodes_alloc, uint32_t *depth)
{
	size_t *queue, head = 0, tail = 0, base = f->nnodes, next;
	uint32_t *level;
	int error = 0;

	MMP_ALLOC_GROW(f->nodes, f->nnodes + t->n, *nodes_alloc);
	queue = mmp__calloc(t->n, sizeof(size_t));
	level = mmp__calloc(t->n, sizeof(uint32_t));
	*depth = 0;
	queue[tail++] = 0;
	next = base + 1;
	while (head < tail) {
		size_t src = queue[head], dst = base + head;
		fnode *n = &f->nodes[dst];

		head++;
		memset(n, 0, sizeof(*n));
		if (t->left[src] == -1) {
			n->u.f = (float)t->cond[src];
			if (level[head - 1] > *depth)
				*depth = level[head - 1];
			continue;
		}
		if (!is_index(t->left[src], t->n) ||
		    !is_index(t->right[src], t->n) ||
		    t->left[src] == 0 || t->right[src] == 0) {
			error = bad("child index out of range", id);
			break;
		}
		if (tail + 2 > t->n) {
			error = bad("a node is reached twice", id);
			break;
		}
		if (!is_index(t->feat[src], f->nfeatures)) {
			error = bad("split feature out of range", id);
			break;
		}
		n->left = (uint32_t)next;
		n->info = (uint32_t)t->feat[src];
		if (t->dleft[src] == 0)
			n->info |= F_RIGHT;
		if (t->type && t->type[src] == 1) {
			n->info |= F_CAT;
			if ((error = add_set(f, t, src, &n->u.i, id)) < 0)
				break;
		} else {
			n->u.f = (float)t->cond[src];
		}
		next += 2;
		level[tail] = level[head - 1] + 1;
		queue[tail++] = (size_t)t->left[src];
		level[tail] = level[head - 1] + 1;
		queue[tail++] = (size_t)t->right[src];
	}
	free(queue);
	free(level);
	if (!error)
		f->nnodes += tail;
	return error;
}

static int compile(mmp_forest *f, const cJSON *root, int nrounds,
	mmp_buf *why, int *unsupported)
{
	const cJSON *learner = get(root, "learner"), *gb, *trees, *info,
		*tree, *x;
	const char *name, *obj;
	double base, nclass, nfeat, npar = 1;
	size_t i, ntrees, keep, nodes_alloc = 0;
	const struct objective *o = NULL;
	int error;

	*unsupported = 0;
	gb = get(learner, "gradient_booster");
	x = get(gb, "name");
	name = cJSON_IsString(x) ? x->valuestring : NULL;
	if (!name)
		return bad("no gradient_booster.name", -1);
	if (strcmp(name, "gbtree")) {
		mmp_buf_printf(why, "booster '%s' is not handled", name);
		*unsupported = 1;
		return 0;
	}
	x = get(learner, "objective.name");
	obj = cJSON_IsString(x) ? x->valuestring : NULL;
	if (!obj)
		return bad("no objective.name", -1);
	for (i = 0; i < ARRAY_SIZE(objectives); i++)
		if (!strcmp(objectives[i].name, obj))
			o = &objectives[i];
	if (!o) {
		mmp_buf_printf(why, "objective '%s' is not handled", obj);
		*unsupported = 1;
		return 0;
	}
	if (string_number(&base, learner, "learner_model_param.base_score") ||
	    string_number(&nclass, learner, "learner_model_param.num_class") ||
	    string_number(&nfeat, learner,
	    "learner_model_param.num_feature"))
		return bad("learner_model_param", -1);
	if (!string_number(&npar, gb,
	    "model.gbtree_model_param.num_parallel_tree") && npar < 1)
		return bad("num_parallel_tree", -1);
	x = get(learner, "learner_model_param.num_target");
	if (x && cJSON_IsString(x) && strcmp(x->valuestring, "1")) {
		mmp_buf_printf(why, "%s targets are not handled",
			x->valuestring);
		*unsupported = 1;
		return 0;
	}
	if (nfeat < 0 || nfeat > F_FEATURE || nclass < 0 || nclass > 1e6)
		return bad("learner_model_param", -1);
	f->nfeatures = (size_t)nfeat;
	f->ngroups = nclass > 1 ? (size_t)nclass : 1;
	f->out = o->out;
	/* XGBoost keeps base_score as the user gives it (a probability for
	 * logistic objectives) and turns it into a margin in float */
	x = get(learner, "learner_model_param.base_score");
	{
		float b = cJSON_IsString(x) ? strtof(x->valuestring, NULL) :
			(float)base;

		if (o->base == BASE_LOGIT)
			b = -logf(1.0f / b - 1.0f);
		else if (o->base == BASE_LOG)
			b = logf(b);
		f->base = b;
	}
	trees = get(gb, "model.trees");
	info = get(gb, "model.tree_info");
	if (!cJSON_IsArray(trees) || !cJSON_IsArray(info) ||
	    cJSON_GetArraySize(trees) != cJSON_GetArraySize(info))
		return bad("trees and tree_info differ", -1);
	ntrees = (size_t)cJSON_GetArraySize(trees);
	keep = ntrees;
	if (nrounds > 0 && (double)nrounds * f->ngroups * npar < (double)keep)
		keep = (size_t)nrounds * f->ngroups * (size_t)npar;
	f->roots = mmp__calloc(keep ? keep : 1, sizeof(uint32_t));
	f->groups = mmp__calloc(keep ? keep : 1, sizeof(uint32_t));
	f->depths = mmp__calloc(keep ? keep : 1, sizeof(uint32_t));
	x = info->child;
	i = 0;
	cJSON_ArrayForEach(tree, trees) {
		jtree t = { 0 };

		if (i == keep)
			break;
		if (!cJSON_IsNumber(x) || !is_index(x->valuedouble,
		    f->ngroups))
			return bad("tree_info", (int)i);
		f->groups[i] = (uint32_t)x->valuedouble;
		f->roots[i] = (uint32_t)f->nnodes;
		if ((error = jtree_read(&t, tree, (int)i)) < 0 ||
		    (error = add_tree(f, &t, (int)i, &nodes_alloc,
		    &f->depths[i])) < 0) {
			jtree_release(&t);
			return error;
		}
		jtree_release(&t);
		x = x->next;
		i++;
	}
	f->ntrees = keep;
	return 0;
}

/* deepest tree laid out complete: 2^10 leaves, 12 KiB */
#define COMPLETE_MAX_DEPTH 10

/* copy subtree `src` to complete-tree node `i` at `level` of `depth`;
 * a leaf above the last level becomes padding nodes that always go
 * left (v >= NaN is false) down to its slot among the leaves */
static void fill(mmp_forest *f, cnode *cn, float *cl, uint32_t src,
	size_t i, uint32_t level, uint32_t depth)
{
	const fnode *p = &f->nodes[src];

	if (level == depth) {
		cl[i - (((size_t)1 << depth) - 1)] = p->u.f;
		return;
	}
	if (!p->left) {
		cn[i].col = 0;
		cn[i].t = NAN;
		fill(f, cn, cl, src, 2 * i + 1, level + 1, depth);
		return;
	}
	cn[i].col = (p->info & F_FEATURE) +
		(p->info & F_RIGHT ? (uint32_t)f->nfeatures : 0);
	cn[i].t = p->u.f;
	fill(f, cn, cl, p->left, 2 * i + 1, level + 1, depth);
	fill(f, cn, cl, p->left + 1, 2 * i + 2, level + 1, depth);
}

static void complete_layout(mmp_forest *f)
{
	size_t t, i, nn = 0, nl = 0;

	if (f->has_cats || !f->ntrees)
		return;
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].left && !isfinite(f->nodes[i].u.f))
			return;
	for (t = 0; t < f->ntrees; t++) {
		if (f->depths[t] > COMPLETE_MAX_DEPTH)
			return;
		nn += ((size_t)1 << f->depths[t]) - 1;
		nl += (size_t)1 << f->depths[t];
	}
	/* unused slots: padding that goes left, leaves never reached */
	f->cn = mmp__calloc(nn ? nn : 1, sizeof(cnode));
	f->cl = mmp__calloc(nl, sizeof(float));
	f->coff = mmp__calloc(f->ntrees, sizeof(uint32_t));
	f->cloff = mmp__calloc(f->ntrees, sizeof(uint32_t));
	for (i = 0; i < nn; i++)
		f->cn[i].t = NAN;
	nn = nl = 0;
	for (t = 0; t < f->ntrees; t++) {
		f->coff[t] = (uint32_t)nn;
		f->cloff[t] = (uint32_t)nl;
		fill(f, f->cn + nn, f->cl + nl, f->roots[t], 0, 0,
			f->depths[t]);
		nn += ((size_t)1 << f->depths[t]) - 1;
		nl += (size_t)1 << f->depths[t];
	}
}

void mmp_forest__free(mmp_forest *f)
{
	if (!f)
		return;
	free(f->nodes);
	free(f->roots);
	free(f->groups);
	free(f->depths);
	free(f->sets);
	free(f->cats);
	free(f->cn);
	free(f->cl);
	free(f->coff);
	free(f->cloff);
	free(f);
}

/* compile a parsed model and free the document */
static int compile_root(mmp_forest **out, cJSON *root, int nrounds,
	mmp_buf *why)
{
	mmp_buf scratch = MMP_BUF_INIT;
	mmp_forest *f = mmp__calloc(1, sizeof(*f));
	int error, unsupported = 0;

	error = compile(f, root, nrounds, why ? why : &scratch,
		&unsupported);
	cJSON_Delete(root);
	mmp_buf_dispose(&scratch);
	if (error < 0 || unsupported) {
		mmp_forest__free(f);
		return error;
	}
	complete_layout(f);
	*out = f;
	return 0;
}

int mmp_forest__from_json(mmp_forest **out, const char *json, size_t len,
	int nrounds, mmp_buf *why)
{
	cJSON *root;
	char *text;

	*out = NULL;
	text = plain_json(json, len);
	root = cJSON_Parse(text);
	free(text);
	if (!root)
		return bad("not JSON", -1);
	return compile_root(out, root, nrounds, why);
}

/* ---- UBJSON ---------------------------------------------------------- */

/*
 * XGBoost's binary model (Universal Binary JSON, big-endian): the float32
 * bits of every threshold and leaf as they are, and ten times faster to
 * read than the JSON text. It becomes the cJSON document the compiler
 * reads, without the per-node statistics it does not use.
 */
#define UBJ_MAX_DEPTH 64

typedef struct {
	const unsigned char *p, *end;
} ubj;

static int ubj_bad(void)
{
	return bad("malformed UBJSON", -1);
}

static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static size_t ubj_size(char type)
{
	switch (type) {
	case 'i': case 'U': case 'C': return 1;
	case 'I': return 2;
	case 'l': case 'd': return 4;
	case 'L': case 'D': return 8;
	}
	return 0;
}

/* a number of `type` at p (ubj_size(type) bytes, checked by the caller) */
static double ubj_number(char type, const unsigned char *p)
{
	uint64_t v = be(p, ubj_size(type));
	uint32_t w = (uint32_t)v;
	float f;
	double d;

	switch (type) {
	case 'i': return (double)(int8_t)v;
	case 'I': return (double)(int16_t)v;
	case 'l': return (double)(int32_t)w;
	case 'L': return (double)(int64_t)v;
	case 'd':
		memcpy(&f, &w, sizeof(f));
		return (double)f;
	case 'D':
		memcpy(&d, &v, sizeof(d));
		return d;
	}
	return (double)v;                 /* 'U', 'C' */
}

static int ubj_int(ubj *u, char type, uint64_t *out)
{
	size_t n = ubj_size(type);
	double v;

	if (!n || type == 'd' || type == 'D' || type == 'C' ||
	    (size_t)(u->end - u->p) < n)
		return ubj_bad();
	v = ubj_number(type, u->p);
	u->p += n;
	if (v < 0 || v > (double)(u->end - u->p) * 8 + 64)
		return ubj_bad();
	*out = (uint64_t)v;
	return 0;
}

static int ubj_len(ubj *u, uint64_t *out)
{
	if (u->p >= u->end)
		return ubj_bad();
	return ubj_int(u, (char)*u->p++, out);
}

/* keys whose typed arrays the compiler reads; the others are skipped */
static int wanted(const char *key)
{
	static const char *const keys[] = { "left_children",
		"right_children", "split_indices", "split_conditions",
		"default_left", "split_type", "categories",
		"categories_nodes", "categories_segments", "categories_sizes",
		"tree_info" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i], key))
			return 1;
	return 0;
}

static cJSON *plain_number(double v)
{
	cJSON *n = cJSON_CreateNumber(0);

	n->valuedouble = v;               /* NaN too, without a cast */
	return n;
}

static int ubj_value(ubj *u, char type, const char *key, int depth,
	cJSON **out);

/* an array or object after its '[' or '{' */
static int ubj_container(ubj *u, int object, const char *key, int depth,
	cJSON **out)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();
	char type = 0, *k = NULL;
	uint64_t count = 0, i, klen;
	int counted = 0, error = 0;

	*out = c;
	if (depth > UBJ_MAX_DEPTH)
		return ubj_bad();
	if (u->p < u->end && *u->p == '$') {
		if (u->end - u->p < 2)
			return ubj_bad();
		type = (char)u->p[1];
		u->p += 2;
		if (u->p >= u->end || *u->p != '#')
			return ubj_bad();
	}
	if (u->p < u->end && *u->p == '#') {
		u->p++;
		if ((error = ubj_len(u, &count)) < 0)
			return error;
		counted = 1;
	}
	/* a typed array of numbers: the bulk of a model */
	if (!object && type && ubj_size(type)) {
		size_t n = ubj_size(type);

		if ((uint64_t)(u->end - u->p) / n < count)
			return ubj_bad();
		if (key && !wanted(key)) {
			u->p += count * n;
			return 0;
		}
		for (i = 0; i < count; i++, u->p += n)
			cJSON_AddItemToArray(c, plain_number(
				ubj_number(type, u->p)));
		return 0;
	}
	for (i = 0; !counted || i < count; i++) {
		cJSON *v = NULL;
		char t;

		if (u->p >= u->end)
			return ubj_bad();
		if (!counted && *u->p == (object ? '}' : ']')) {
			u->p++;
			return 0;
		}
		if (object) {
			if ((error = ubj_len(u, &klen)) < 0)
				return error;
			if ((uint64_t)(u->end - u->p) < klen)
				return ubj_bad();
			k = mmp__strndup((const char *)u->p, (size_t)klen);
			u->p += klen;
		}
		if (type) {
			t = type;
		} else {
			if (u->p >= u->end) {
				free(k);
				return ubj_bad();
			}
			t = (char)*u->p++;
		}
		error = ubj_value(u, t, object ? k : key, depth + 1, &v);
		if (v && object)
			cJSON_AddItemToObject(c, k, v);
		else if (v)
			cJSON_AddItemToArray(c, v);
		free(k);
		k = NULL;
		if (error < 0)
			return error;
	}
	return 0;
}

static int ubj_value(ubj *u, char type, const char *key, int depth,
	cJSON **out)
{
	uint64_t n;
	size_t size = ubj_size(type);
	int error;

	*out = NULL;
	if (size) {
		if ((size_t)(u->end - u->p) < size)
			return ubj_bad();
		*out = plain_number(ubj_number(type, u->p));
		u->p += size;
		return 0;
	}
	switch (type) {
	case 'S':
		if ((error = ubj_len(u, &n)) < 0)
			return error;
		if ((uint64_t)(u->end - u->p) < n)
			return ubj_bad();
		{
			char *str = mmp__strndup((const char *)u->p,
				(size_t)n);

			*out = cJSON_CreateString(str);
			free(str);
		}
		u->p += n;
		return 0;
	case 'T':
		*out = cJSON_CreateTrue();
		return 0;
	case 'F':
		*out = cJSON_CreateFalse();
		return 0;
	case 'Z':
		*out = cJSON_CreateNull();
		return 0;
	case '[':
		return ubj_container(u, 0, key, depth, out);
	case '{':
		return ubj_container(u, 1, key, depth, out);
	}
	return ubj_bad();
}

static int compile_root(mmp_forest **out, cJSON *root, int nrounds,
	mmp_buf *why);

int mmp_forest__from_ubjson(mmp_forest **out, const void *data, size_t len,
	int nrounds, mmp_buf *why)
{
	ubj u = { data, (const unsigned char *)data + len };
	cJSON *root = NULL;
	int error;

	*out = NULL;
	if (!len || *u.p != '{')
		return ubj_bad();
	u.p++;
	if ((error = ubj_container(&u, 1, NULL, 0, &root)) < 0) {
		cJSON_Delete(root);
		return error;
	}
	if (u.p != u.end) {
		cJSON_Delete(root);
		return ubj_bad();
	}
	return compile_root(out, root, nrounds, why);
}

int mmp_forest__from_booster(mmp_forest **out, void *booster, int nrounds,
	mmp_buf *why)
{
	const char *data = NULL;
	bst_ulong len = 0;

	*out = NULL;
	if (XGBoosterSaveModelToBuffer((BoosterHandle)booster,
	    "{\"format\":\"ubj\"}", &len, &data) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot save the model for compiling its trees");
	return mmp_forest__from_ubjson(out, data, (size_t)len, nrounds, why);
}

int mmp_forest__from_model(mmp_forest **out, const mmp_model *m,
	mmp_buf *why)
{
	return mmp_forest__from_booster(out, m->booster,
		m->best_iteration >= 0 ? m->best_iteration + 1 : 0, why);
}

size_t mmp_forest__split_values(const mmp_forest *f, size_t feature,
	float *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < f->nnodes && n < max; i++) {
		const fnode *p = &f->nodes[i];

		if (p->left && !(p->info & F_CAT) &&
		    (p->info & F_FEATURE) == feature)
			out[n++] = p->u.f;
	}
	return n;
}

size_t mmp_forest__noutputs(const mmp_forest *f, int margin)
{
	if (f->ngroups > 1 && (margin || f->out == OUT_SOFTMAX))
		return f->ngroups;
	return 1;
}

size_t mmp_forest__nfeatures(const mmp_forest *f)
{
	return f->nfeatures;
}

size_t mmp_forest__ntrees(const mmp_forest *f)
{
	return f->ntrees;
}

/* ---- prediction ---------------------------------------------------- */

/* rows per block: every tree walks a block before the next tree, so
 * the trees stay in cache while the rows do too */
#define BLOCK 64

/* XGBoost 1.7's rule: a code in the set goes right; any other goes
 * left, whatever the default direction: negative ones, those too large
 * for a float to hold exactly and those past the set's bit field */
static uint32_t cat_right(const mmp_forest *f, const fnode *n, float v)
{
	const catset *s = &f->sets[n->u.i];
	uint32_t c;

	if (v < 0 || v >= 16777216.0f || v >= (float)s->nbits)
		return 0;
	c = (uint32_t)(int32_t)v;
	return (f->cats[s->off + c / 32] >> (c % 32)) & 1u;
}

/*
 * Walk LANES independent (tree, row) paths in lock step for `depth`
 * levels, so that their loads overlap instead of waiting on each other;
 * a path that reached its leaf stays there. Numeric splits only.
 */
#define LANES 16

static void walk(const fnode *nodes, const uint32_t *start,
	const float *const *xs, uint32_t depth, float *leaf)
{
	uint32_t n[LANES], d;
	int l;

	for (l = 0; l < LANES; l++)
		n[l] = start[l];
	for (d = 0; d < depth; d++)
		for (l = 0; l < LANES; l++) {
			const fnode *p = nodes + n[l];
			float v = xs[l][p->info & F_FEATURE];
			/* NaN: the default direction, without a branch */
			uint32_t right = (uint32_t)(v >= p->u.f) |
				((uint32_t)(v != v) & (p->info >> 31));

			n[l] = p->left ? p->left + right : n[l];
		}
	for (l = 0; l < LANES; l++)
		leaf[l] = nodes[n[l]].u.f;
}

/* rows side by side: each tree walks LANES rows at a time */
static void sum_rows(const mmp_forest *f, const float *rows, size_t n,
	float *acc)
{
	size_t nf = f->nfeatures, k = f->ngroups, t, r;
	const float *xs[LANES];
	uint32_t start[LANES];
	float leaf[LANES];
	int l;

	for (t = 0; t < f->ntrees; t++) {
		uint32_t g = f->groups[t];

		for (l = 0; l < LANES; l++)
			start[l] = f->roots[t];
		for (r = 0; r < n; r += LANES) {
			for (l = 0; l < LANES; l++)
				xs[l] = rows + (r + (size_t)l < n ?
					r + (size_t)l : n - 1) * nf;
			walk(f->nodes, start, xs, f->depths[t], leaf);
			for (l = 0; l < LANES && r + (size_t)l < n; l++)
				acc[(r + (size_t)l) * k + g] += leaf[l];
		}
	}
}

/* trees side by side: each row walks LANES trees at a time, then adds
 * their leaves in tree order */
static void sum_trees(const mmp_forest *f, const float *rows, size_t n,
	float *acc)
{
	size_t nf = f->nfeatures, k = f->ngroups, t, r;
	const float *xs[LANES];
	uint32_t start[LANES], depth;
	float leaf[LANES];
	int l;

	for (r = 0; r < n; r++) {
		for (l = 0; l < LANES; l++)
			xs[l] = rows + r * nf;
		for (t = 0; t < f->ntrees; t += LANES) {
			depth = 0;
			for (l = 0; l < LANES; l++) {
				size_t u = t + (size_t)l < f->ntrees ?
					t + (size_t)l : f->ntrees - 1;

				start[l] = f->roots[u];
				if (f->depths[u] > depth)
					depth = f->depths[u];
			}
			walk(f->nodes, start, xs, depth, leaf);
			for (l = 0; l < LANES && t + (size_t)l < f->ntrees;
			    l++)
				acc[r * k + f->groups[t + (size_t)l]] +=
					leaf[l];
		}
	}
}

/*
 * Complete trees over groups of CLANES rows laid out feature-major
 * (column c of lane l at c * CLANES + l), each split column twice: NaN
 * as -inf where missing values go left, as +inf where they go right.
 * A thresholds is finite, so one comparison decides as XGBoost's
 * "missing, else v < t goes left" does, and a level is a load, a
 * compare and an index update, with no test for leaves.
 */
#define CLANES 8

/* rows below which each row walks the trees alone */
#define FEW_ROWS 4

static void prepare_groups(const mmp_forest *f, const float *rows,
	size_t n, float *xb)
{
	size_t nf = f->nfeatures, ng = (n + CLANES - 1) / CLANES, g, l, j;

	for (g = 0; g < ng; g++) {
		float *xg = xb + g * 2 * nf * CLANES;

		for (l = 0; l < CLANES; l++) {
			size_t r = g * CLANES + l < n ? g * CLANES + l : n - 1;
			const float *x = rows + r * nf;

			for (j = 0; j < nf; j++) {
				float v = x[j];
				int m = v != v;

				xg[j * CLANES + l] = m ? -INFINITY : v;
				xg[(nf + j) * CLANES + l] = m ? INFINITY : v;
			}
		}
	}
}

static void complete_rows(const mmp_forest *f, const float *xb, size_t n,
	float *acc)
{
	size_t s = 2 * f->nfeatures * CLANES, k = f->ngroups, t, r, l;

	for (t = 0; t < f->ntrees; t++) {
		const cnode *cn = f->cn + f->coff[t];
		const float *cl = f->cl + f->cloff[t];
		uint32_t depth = f->depths[t], g = f->groups[t], d;
		size_t first = ((size_t)1 << depth) - 1;

		for (r = 0; r < n; r += CLANES) {
			const float *xg = xb + r / CLANES * s;
			size_t i[CLANES];

			for (l = 0; l < CLANES; l++)
				i[l] = 0;
			for (d = 0; d < depth; d++) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
				for (l = 0; l < CLANES; l++) {
					const cnode *c = cn + i[l];

					i[l] = 2 * i[l] + 1 +
						(xg[c->col * CLANES + l] >=
						c->t);
				}
			}
			for (l = 0; l < CLANES && r + l < n; l++)
				acc[(r + l) * k + g] += cl[i[l] - first];
		}
	}
}

/* trees walked side by side for one row */
#define TLANES 8

/* what a lane of a tree that is a single leaf reads: it goes left */
static const cnode no_split = { 0, NAN };

/* TLANES complete trees of `depth` levels from their roots `cn`: the
 * index of the leaf each reaches, in its last level (from 2^depth - 1) */
static void walk_complete(const cnode *const *cn, const float *xb,
	uint32_t depth, size_t *i)
{
	uint32_t d;
	size_t l;

	for (d = 0; d < depth; d++) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
		for (l = 0; l < TLANES; l++) {
			const cnode *c = cn[l] + i[l];

			i[l] = 2 * i[l] + 1 + (xb[c->col] >= c->t);
		}
	}
}

/* the same for trees of depths dep[], the deepest `maxd`: a lane past
 * its depth stays on its leaf (and reads its root meanwhile) */
static void walk_uneven(const cnode *const *cn, const float *xb,
	const uint32_t *dep, uint32_t maxd, size_t *i)
{
	uint32_t d;
	size_t l;

	for (d = 0; d < maxd; d++) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
		for (l = 0; l < TLANES; l++) {
			size_t at = d < dep[l] ? i[l] : 0;
			const cnode *c = cn[l] + at;
			size_t nx = 2 * at + 1 + (xb[c->col] >= c->t);

			i[l] = d < dep[l] ? nx : i[l];
		}
	}
}

/*
 * One row at a time, TLANES trees in lock step: their descents are
 * independent, so the loads of one level overlap instead of each
 * waiting on the last; a lane whose tree is shallower stops at its
 * leaf (and reads its root meanwhile). Leaves add in tree order.
 */
static void complete_few(const mmp_forest *f, const float *rows, size_t n,
	float *xb, float *acc)
{
	size_t nf = f->nfeatures, k = f->ngroups, nt = f->ntrees, t, r, j;

	for (r = 0; r < n; r++) {
		const float *x = rows + r * nf;
		float *a = acc + r * k;

		for (j = 0; j < nf; j++) {
			int m = x[j] != x[j];

			xb[j] = m ? -INFINITY : x[j];
			xb[nf + j] = m ? INFINITY : x[j];
		}
		for (t = 0; t < nt; t += TLANES) {
			const cnode *cn[TLANES];
			size_t i[TLANES], m = nt - t < TLANES ? nt - t : TLANES;
			uint32_t dep[TLANES], maxd = 0;
			size_t l;

			for (l = 0; l < TLANES; l++) {
				size_t u = t + (l < m ? l : m - 1);

				dep[l] = f->depths[u];
				/* a lone leaf has no node to read */
				cn[l] = dep[l] ? f->cn + f->coff[u] : &no_split;
				i[l] = 0;
				if (dep[l] > maxd)
					maxd = dep[l];
			}
			for (l = 0; l < TLANES && dep[l] == maxd; l++)
				;
			if (l == TLANES)
				walk_complete(cn, xb, maxd, i);
			else
				walk_uneven(cn, xb, dep, maxd, i);
			for (l = 0; l < m; l++)
				a[f->groups[t + l]] += f->cl[f->cloff[t + l] +
					i[l] - (((size_t)1 << dep[l]) - 1)];
		}
	}
}

static void sum_block(const mmp_forest *f, const float *rows, size_t n,
	float *acc, float *xb)
{
	const fnode *nodes = f->nodes;
	size_t nf = f->nfeatures, k = f->ngroups, t, r;

	for (r = 0; r < n * k; r++)
		acc[r] = f->base;
	if (f->cn && n < FEW_ROWS) {
		complete_few(f, rows, n, xb, acc);
		return;
	}
	if (f->cn) {
		prepare_groups(f, rows, n, xb);
		complete_rows(f, xb, n, acc);
		return;
	}
	if (!f->has_cats) {
		if (n >= LANES)
			sum_rows(f, rows, n, acc);
		else
			sum_trees(f, rows, n, acc);
		return;
	}
	for (t = 0; t < f->ntrees; t++) {
		uint32_t root = f->roots[t], g = f->groups[t];

		if (!f->has_cats) {
			for (r = 0; r < n; r++) {
				const float *x = rows + r * nf;
				const fnode *p = nodes + root;

				while (p->left) {
					float v = x[p->info & F_FEATURE];
					uint32_t right = isnan(v) ?
						p->info >> 31 : !(v < p->u.f);

					p = nodes + p->left + right;
				}
				acc[r * k + g] += p->u.f;
			}
			continue;
		}
		for (r = 0; r < n; r++) {
			const float *x = rows + r * nf;
			const fnode *p = nodes + root;

			while (p->left) {
				float v = x[p->info & F_FEATURE];
				uint32_t right;

				if (isnan(v))
					right = p->info >> 31;
				else if (p->info & F_CAT)
					right = cat_right(f, p, v);
				else
					right = !(v < p->u.f);
				p = nodes + p->left + right;
			}
			acc[r * k + g] += p->u.f;
		}
	}
}

/* XGBoost's transforms, in float as it computes them */
static void transform(const mmp_forest *f, const float *acc, size_t n,
	float *out)
{
	size_t k = f->ngroups, r, j;

	switch (f->out) {
	case OUT_SAME:
		memcpy(out, acc, n * k * sizeof(float));
		break;
	case OUT_SIGMOID:
		for (r = 0; r < n * k; r++)
			out[r] = 1.0f / (1.0f + expf(-acc[r]));
		break;
	case OUT_EXP:
		for (r = 0; r < n * k; r++)
			out[r] = expf(acc[r]);
		break;
	case OUT_HINGE:
		for (r = 0; r < n * k; r++)
			out[r] = acc[r] > 0.0f ? 1.0f : 0.0f;
		break;
	case OUT_SOFTMAX:
		for (r = 0; r < n; r++) {
			const float *a = acc + r * k;
			float *o = out + r * k, mx = a[0];
			double sum = 0;

			for (j = 1; j < k; j++)
				mx = fmaxf(a[j], mx);
			for (j = 0; j < k; j++) {
				o[j] = expf(a[j] - mx);
				sum += o[j];
			}
			for (j = 0; j < k; j++)
				o[j] /= (float)sum;
		}
		break;
	case OUT_ARGMAX:
		for (r = 0; r < n; r++) {
			const float *a = acc + r * k;
			size_t best = 0;

			for (j = 1; j < k; j++)
				if (a[j] > a[best])
					best = j;
			out[r] = (float)best;
		}
		break;
	}
}

typedef struct {
	const mmp_forest *f;
	const float *rows;
	size_t nrows;
	float *out;
	int margin;
} job;

/* prepared rows up to this many floats live on the stack */
#define STACK_PREP 2048

static void *run_job(void *arg)
{
	const job *j = arg;
	const mmp_forest *f = j->f;
	size_t k = f->ngroups, per = mmp_forest__noutputs(f, j->margin), r;
	size_t rows = j->nrows < BLOCK ? j->nrows : BLOCK, need;
	float acc[BLOCK * 16], prep[STACK_PREP], *big = NULL, *a = acc;
	float *xb = prep, *bigx = NULL;

	if (k > 16)
		a = big = mmp__calloc(BLOCK * k, sizeof(float));
	need = f->cn ? (rows + CLANES - 1) / CLANES * CLANES * 2 *
		f->nfeatures : 0;
	if (need > STACK_PREP)
		xb = bigx = mmp__calloc(need, sizeof(float));
	for (r = 0; r < j->nrows; r += BLOCK) {
		size_t n = j->nrows - r < BLOCK ? j->nrows - r : BLOCK;
		const float *x = j->rows + r * f->nfeatures;

		if (j->margin) {
			sum_block(f, x, n, j->out + r * per, xb);
			continue;
		}
		sum_block(f, x, n, a, xb);
		transform(f, a, n, j->out + r * per);
	}
	free(big);
	free(bigx);
	return NULL;
}

/* rows below which one thread does the whole batch */
#define MIN_ROWS_PER_THREAD 2048

int mmp_forest__predict(const mmp_forest *f, const float *rows,
	size_t nrows, float *out, int margin, int nthread)
{
	size_t per = mmp_forest__noutputs(f, margin), chunk, t, nt;
	pthread_t tid[64];
	job jobs[64];
	int error = 0;

	/* small inputs: no thread, and no asking how many cores there
	 * are (a file read) */
	if (nthread <= 0 && nrows >= 2 * MIN_ROWS_PER_THREAD) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nthread = n > 0 ? (int)n : 1;
	}
	nt = nthread > 0 ? (size_t)nthread : 1;
	if (nt > ARRAY_SIZE(tid))
		nt = ARRAY_SIZE(tid);
	if (nt > nrows / MIN_ROWS_PER_THREAD)
		nt = nrows / MIN_ROWS_PER_THREAD;
	if (nt <= 1) {
		job j = { f, rows, nrows, out, margin };

		run_job(&j);
		return 0;
	}
	/* whole blocks per thread */
	chunk = (nrows + nt - 1) / nt;
	chunk = (chunk + BLOCK - 1) / BLOCK * BLOCK;
	for (t = 0; t < nt; t++) {
		size_t beg = t * chunk;

		jobs[t].f = f;
		jobs[t].rows = rows + beg * f->nfeatures;
		jobs[t].nrows = beg >= nrows ? 0 :
			(nrows - beg < chunk ? nrows - beg : chunk);
		jobs[t].out = out + beg * per;
		jobs[t].margin = margin;
	}
	for (t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, run_job, &jobs[t])) {
			error = mmp_error_ret(MMP_ERROR, MMP_ERROR_OS,
				"cannot start a prediction thread");
			break;
		}
	run_job(&jobs[0]);
	while (--t > 0)
		pthread_join(tid[t], NULL);
	return error;
}
