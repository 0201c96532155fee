/* SPDX-License-Identifier: MIT */
/* category.c: string dictionaries and category tables (strings <-> codes) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "data-internal.h"

uint64_t mmp_data__hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
	return h ^ (h >> 29);
}

void mmp_data__dict_init(mmp_data__dict *d)
{
	memset(d, 0, sizeof(*d));
}

void mmp_data__dict_release(mmp_data__dict *d)
{
	free(d->arena);
	free(d->off);
	free(d->len);
	free(d->hash);
	free(d->slot);
	mmp_data__dict_init(d);
}

static void rehash(mmp_data__dict *d)
{
	size_t cap = d->mask ? (d->mask + 1) * 2 : 64, i;

	free(d->slot);
	d->slot = mmp__calloc(cap, sizeof(*d->slot));
	d->mask = cap - 1;
	for (i = 0; i < d->n; i++) {
		size_t k = d->hash[i] & d->mask;
		while (d->slot[k])
			k = (k + 1) & d->mask;
		d->slot[k] = (uint32_t)i + 1;
	}
}

static long lookup(const mmp_data__dict *d, const char *s, size_t len,
	uint64_t h, size_t *at)
{
	size_t k;

	if (!d->mask) {
		*at = 0;
		return -1;
	}
	for (k = h & d->mask; d->slot[k]; k = (k + 1) & d->mask) {
		uint32_t id = d->slot[k] - 1;
		if (d->hash[id] == h && d->len[id] == len &&
		    !memcmp(d->arena + d->off[id], s, len))
			return (long)id;
	}
	*at = k;
	return -1;
}

long mmp_data__dict_find(const mmp_data__dict *d, const char *s, size_t len)
{
	size_t at;

	return lookup(d, s, len, mmp_data__hash(s, len), &at);
}

uint32_t mmp_data__dict_intern(mmp_data__dict *d, const char *s, size_t len)
{
	uint64_t h = mmp_data__hash(s, len);
	size_t at;
	long id = lookup(d, s, len, h, &at);

	if (id >= 0)
		return (uint32_t)id;
	if (!d->mask || (d->n + 1) * 2 > d->mask + 1) {
		rehash(d);
		lookup(d, s, len, h, &at);
	}
	if (d->n == d->nalloc) {
		size_t na = d->nalloc ? d->nalloc * 2 : 16;
		d->off = mmp__reallocarray(d->off, na, sizeof(*d->off));
		d->len = mmp__reallocarray(d->len, na, sizeof(*d->len));
		d->hash = mmp__reallocarray(d->hash, na, sizeof(*d->hash));
		d->nalloc = na;
	}
	MMP_ALLOC_GROW(d->arena, d->alen + len + 1, d->aalloc);
	memcpy(d->arena + d->alen, s, len);
	d->arena[d->alen + len] = '\0';
	d->off[d->n] = d->alen;
	d->len[d->n] = (uint32_t)len;
	d->hash[d->n] = h;
	d->alen += len + 1;
	d->slot[at] = (uint32_t)d->n + 1;
	return (uint32_t)d->n++;
}

/* --- sorting a collected dictionary into a table --- */

struct sort_item {
	const char *s;
	size_t len;
	int64_t v;
	uint32_t id;
};

static int cmp_bytes(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_int(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

mmp_category_table *mmp_data__dict_sorted(const mmp_data__dict *d,
	bool numeric, uint32_t **remap)
{
	mmp_category_table *t = mmp__calloc(1, sizeof(*t));
	struct sort_item *it = mmp__calloc(d->n ? d->n : 1, sizeof(*it));
	uint32_t *map = mmp__calloc(d->n ? d->n : 1, sizeof(*map));
	size_t i;

	for (i = 0; i < d->n; i++) {
		it[i].s = mmp_data__dict_str(d, i);
		it[i].len = d->len[i];
		it[i].id = (uint32_t)i;
		if (numeric && !mmp_data__parse_i64(it[i].s, it[i].len,
			    &it[i].v))
			numeric = false;
	}
	qsort(it, d->n, sizeof(*it), numeric ? cmp_int : cmp_bytes);
	mmp_data__dict_init(&t->d);
	for (i = 0; i < d->n; i++) {
		if (numeric) {
			char num[32];
			int n = snprintf(num, sizeof(num), "%lld",
				(long long)it[i].v);
			map[it[i].id] = mmp_data__dict_intern(&t->d, num,
				(size_t)n);
		} else {
			map[it[i].id] = mmp_data__dict_intern(&t->d, it[i].s,
				it[i].len);
		}
	}
	free(it);
	*remap = map;
	return t;
}

/* --- the public table --- */

int mmp_category_table_new(mmp_category_table **out,
	const char *const *strings, size_t n)
{
	mmp_category_table *t;
	size_t i;

	*out = NULL;
	if (n && !strings)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"category table without strings");
	t = mmp__calloc(1, sizeof(*t));
	for (i = 0; i < n; i++) {
		size_t len;
		if (!strings[i]) {
			mmp_category_table_free(t);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"category %zu is null", i);
		}
		len = strlen(strings[i]);
		if (mmp_data__dict_intern(&t->d, strings[i], len) != i) {
			mmp_error_set(MMP_ERROR_DATA,
				"duplicate category '%s'", strings[i]);
			mmp_category_table_free(t);
			return MMP_EINVALID;
		}
	}
	*out = t;
	return 0;
}

int mmp_category_table_from_json(mmp_category_table **out,
	const char *json)
{
	cJSON *doc = json ? cJSON_Parse(json) : NULL, *it;
	const char **strs = NULL;
	size_t n = 0, i = 0;
	int error;

	*out = NULL;
	if (!doc || !cJSON_IsArray(doc)) {
		cJSON_Delete(doc);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"category table is not a JSON array of strings");
	}
	n = (size_t)cJSON_GetArraySize(doc);
	strs = mmp__calloc(n ? n : 1, sizeof(*strs));
	cJSON_ArrayForEach(it, doc) {
		if (!cJSON_IsString(it)) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"category table entry %zu is not a string", i);
			goto done;
		}
		strs[i++] = it->valuestring;
	}
	error = mmp_category_table_new(out, strs, n);
done:
	free(strs);
	cJSON_Delete(doc);
	return error;
}

void mmp_category_table_to_json(mmp_buf *out, const mmp_category_table *t)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, j;

	mmp_buf_putc(out, '[');
	for (i = 0; t && i < t->d.n; i++) {
		const unsigned char *s =
			(const unsigned char *)mmp_data__dict_str(&t->d, i);
		if (i)
			mmp_buf_putc(out, ',');
		mmp_buf_putc(out, '"');
		for (j = 0; j < t->d.len[i]; j++) {
			unsigned char c = s[j];
			if (c == '"' || c == '\\') {
				mmp_buf_putc(out, '\\');
				mmp_buf_putc(out, c);
			} else if (c < 0x20) {
				mmp_buf_puts(out, "\\u00");
				mmp_buf_putc(out, hex[c >> 4]);
				mmp_buf_putc(out, hex[c & 15]);
			} else {
				mmp_buf_putc(out, c);
			}
		}
		mmp_buf_putc(out, '"');
	}
	mmp_buf_putc(out, ']');
}

size_t mmp_category_table_count(const mmp_category_table *t)
{
	return t ? t->d.n : 0;
}

const char *mmp_category_table_string(const mmp_category_table *t,
	size_t code)
{
	return t && code < t->d.n ? mmp_data__dict_str(&t->d, code) : NULL;
}

long mmp_category_table_find(const mmp_category_table *t, const char *s,
	size_t len)
{
	return t ? mmp_data__dict_find(&t->d, s, len) : -1;
}

void mmp_category_table_free(mmp_category_table *t)
{
	if (!t)
		return;
	mmp_data__dict_release(&t->d);
	free(t);
}
