/* SPDX-License-Identifier: MIT */
/* source.c: data sources: the reader chosen by scheme, credentials kept
 * out of locations, and the frame builder the database readers fill */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data-internal.h"

#define BATCH_ROWS 4096   /* rows converted before they join the frame */

/* the database readers; a new scheme adds its reader here */
static const struct mmp_data__reader *const readers[] = {
	&mmp_data__pg_reader,
	&mmp_data__sqlite_reader,
};

static const struct mmp_data__reader *reader_for(mmp_source_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(readers); i++)
		if (readers[i] && readers[i]->kind == k)
			return readers[i];
	return NULL;
}

static bool has_scheme(const char *s, const char *scheme)
{
	size_t n = strlen(scheme);

	return !strncasecmp(s, scheme, n) && s[n] == ':';
}

mmp_source_kind mmp_source_kind_of(const char *location)
{
	if (!location)
		return MMP_SOURCE_FILE;
	if (has_scheme(location, "postgresql") ||
	    has_scheme(location, "postgres"))
		return MMP_SOURCE_POSTGRESQL;
	if (has_scheme(location, "sqlite"))
		return MMP_SOURCE_SQLITE;
	return MMP_SOURCE_FILE;
}

const char *mmp_source_kind_name(mmp_source_kind k)
{
	switch (k) {
	case MMP_SOURCE_FILE: return "csv";
	case MMP_SOURCE_POSTGRESQL: return "postgresql";
	case MMP_SOURCE_SQLITE: return "sqlite";
	}
	return "unknown";
}

/* the length of the URL scheme `s` starts with ("https" of
 * "https://..."), 0 when it does not start with one */
static size_t url_scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return n >= 2 && !strncmp(s + n, "://", 3) ? n : 0;
}

int mmp_source_check_location(const char *location)
{
	mmp_buf shown = MMP_BUF_INIT;
	size_t n;

	if (!location || mmp_source_kind_of(location) != MMP_SOURCE_FILE ||
	    !(n = url_scheme_len(location)))
		return 0;
	mmp_source_redact(&shown, location);
	mmp_error_set(MMP_ERROR_DATA, "'%s': mmp does not read %.*s:// "
		"locations; give a file path, sqlite:<path> or "
		"postgresql://...", shown.ptr, (int)n, location);
	mmp_buf_dispose(&shown);
	return MMP_EINVALID;
}

/* append the query string `q` (after '?') without password=... pairs */
static void redact_params(mmp_buf *out, const char *q)
{
	bool first = true;

	while (*q) {
		size_t n = strcspn(q, "&");
		if (!(n >= 9 && !strncasecmp(q, "password=", 9)) &&
		    !(n == 8 && !strncasecmp(q, "password", 8))) {
			mmp_buf_putc(out, first ? '?' : '&');
			mmp_buf_put(out, q, n);
			first = false;
		}
		q += n;
		if (*q == '&')
			q++;
	}
}

void mmp_source_redact(mmp_buf *out, const char *location)
{
	const char *p, *auth, *end, *at, *colon, *q;

	if (!location)
		return;
	if (mmp_source_kind_of(location) == MMP_SOURCE_FILE &&
	    !url_scheme_len(location)) {
		mmp_buf_puts(out, location);
		return;
	}
	p = strstr(location, "://");
	if (!p) {
		/* "sqlite:path": no authority, nothing secret but params */
		q = strchr(location, '?');
		mmp_buf_put(out, location, q ? (size_t)(q - location) :
			strlen(location));
		if (q)
			redact_params(out, q + 1);
		return;
	}
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	mmp_buf_put(out, location, (size_t)(auth - location));
	/* the last '@' of the authority ends the user information */
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		mmp_buf_put(out, auth, (size_t)((colon ? colon : at) - auth));
		auth = at;   /* "@host..." follows */
	}
	q = strchr(end, '?');
	if (!q) {
		mmp_buf_puts(out, auth);
		return;
	}
	mmp_buf_put(out, auth, (size_t)(q - auth));
	redact_params(out, q + 1);
}

void mmp_source_info_release(mmp_source_info *info)
{
	if (!info)
		return;
	free(info->location);
	free(info->query);
	free(info->server_version);
	memset(info, 0, sizeof(*info));
}

/* the reader of a database source, after checking query and table */
int mmp_data__database_reader(const struct mmp_data__reader **out,
	const mmp_source *src)
{
	mmp_source_kind k = mmp_source_kind_of(src->location);
	mmp_buf loc = MMP_BUF_INIT;
	int err = 0;

	mmp_source_redact(&loc, src->location);
	*out = reader_for(k);
	if (!*out)
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"%s: this mmp cannot read %s sources", loc.ptr,
			mmp_source_kind_name(k));
	else if (src->query && src->table)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: give a query or a table, not both", loc.ptr);
	else if (!src->query && !src->table)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: a %s source needs a query or a table", loc.ptr,
			mmp_source_kind_name(k));
	mmp_buf_dispose(&loc);
	return err;
}

static int check_source(const mmp_source *src)
{
	if (!src || src->version != MMP_SOURCE_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported source version %u",
			src ? src->version : 0);
	if (!src->location)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no data source given");
	if (mmp_source_kind_of(src->location) == MMP_SOURCE_FILE &&
	    (src->query || src->table))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: a %s needs a database source (postgresql:// or "
			"sqlite://), not a file", src->location,
			src->query ? "query" : "table");
	return 0;
}

int mmp_source_load(mmp_frame **out, mmp_source_info *info,
	const mmp_source *src, const mmp_csv_spec *spec,
	const mmp_csv_options *opts)
{
	const struct mmp_data__reader *rd;
	mmp_source_info local = { 0 };
	int err;

	*out = NULL;
	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if ((err = check_source(src)) < 0)
		return err;
	if (mmp_source_kind_of(src->location) == MMP_SOURCE_FILE) {
		info->location = mmp__strdup(src->location);
		err = mmp_csv_load(out, src->location, spec, opts);
		if (!err)
			info->rows = mmp_frame_nrows(*out);
	} else if (!(err = mmp_data__database_reader(&rd, src)) &&
		   !(err = rd->load(out, info, src, spec, opts))) {
		char digest[65];
		mmp_frame_rows_digest(*out, digest);
		mmp_data__frame_set_digest(*out, digest);
	}
	mmp_source_info_release(&local);
	return err;
}

int mmp_source_header(mmp_csv_header **out, const mmp_source *src,
	const mmp_csv_options *opts)
{
	const struct mmp_data__reader *rd;
	int err;

	*out = NULL;
	if ((err = check_source(src)) < 0)
		return err;
	if (mmp_source_kind_of(src->location) == MMP_SOURCE_FILE)
		return mmp_csv_sniff(out, src->location, opts);
	if ((err = mmp_data__database_reader(&rd, src)) < 0)
		return err;
	return rd->header(out, src);
}

int mmp_source_check(mmp_source_check_result *out, const mmp_source *src)
{
	const struct mmp_data__reader *rd;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = check_source(src)) < 0)
		return err;
	if (mmp_source_kind_of(src->location) == MMP_SOURCE_FILE)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: a file is not a database source", src->location);
	if ((err = mmp_data__database_reader(&rd, src)) < 0)
		return err;
	if (!rd->check)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"%s sources cannot be checked",
			mmp_source_kind_name(rd->kind));
	return rd->check(out, src);
}

void mmp_source_check_release(mmp_source_check_result *r)
{
	if (!r)
		return;
	free(r->location);
	free(r->server_version);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* the frame builder                                                   */

struct mmp_data__builder {
	char *name;
	struct mmp_data__plan plan;
	struct mmp_data__seg seg;
	struct mmp_data__collect g;
	mmp_frame *f;
	uint64_t rows;
};

int mmp_data__builder_new(struct mmp_data__builder **out, const char *name,
	const char *const *names, const mmp_csv_type *types, size_t n,
	const mmp_csv_spec *spec)
{
	static const char *const no_na[] = { NULL };
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec defspec = MMP_CSV_SPEC_INIT;
	struct mmp_data__builder *b;
	mmp_csv_header *h;
	size_t i, j;
	int err;

	*out = NULL;
	if (!spec)
		spec = &defspec;
	if ((err = mmp_data__check_versions(&o, spec)) < 0)
		return err;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_DATA, "%s: duplicate column "
					"name '%s' (columns %zu and %zu)",
					name, names[i], j + 1, i + 1);
	b = mmp__calloc(1, sizeof(*b));
	b->name = mmp__strdup(name);
	/* only NULL and blank text are missing in a database */
	o.na_values = no_na;
	if ((err = mmp_data__plan_dialect(&b->plan, b->name, &o)) < 0)
		goto fail;
	h = mmp_data__header_new(names, types, n);
	err = mmp_data__build_plan(&b->plan, h, spec, false);
	mmp_csv_header_free(h);
	if (err < 0)
		goto fail;
	b->f = mmp_data__frame_new(&b->plan);
	b->g.n = b->plan.ncollect;
	b->g.feat = mmp__calloc(b->g.n + 1, sizeof(*b->g.feat));
	mmp_data__seg_init(&b->seg, &b->plan);
	*out = b;
	return 0;
fail:
	mmp_data__builder_free(b);
	return err;
}

static void flush(struct mmp_data__builder *b)
{
	if (!b->seg.nrows)
		return;
	mmp_data__frame_merge(b->f, &b->g, &b->seg, 0);
	mmp_data__seg_reset(&b->seg);
}

int mmp_data__builder_add(struct mmp_data__builder *b,
	const char *const *vals, const size_t *lens)
{
	if (b->seg.nrows >= BATCH_ROWS)
		flush(b);
	if (mmp_data__seg_add_record(&b->seg, vals, lens) < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: row %llu: %s", b->name,
			(unsigned long long)b->rows + 1, b->seg.err_msg.ptr);
	b->rows++;
	return 0;
}

bool mmp_data__builder_reads(const struct mmp_data__builder *b, size_t c)
{
	return c < b->plan.ncols && b->plan.cols[c].op != OP_SKIP;
}

uint64_t mmp_data__builder_rows(const struct mmp_data__builder *b)
{
	return b->rows;
}

int mmp_data__builder_finish(struct mmp_data__builder *b, mmp_frame **out,
	bool allow_empty)
{
	*out = NULL;
	flush(b);
	if (!b->rows && !allow_empty)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no data rows", b->name);
	mmp_data__frame_end(b->f, &b->plan, &b->g, NULL);
	*out = b->f;
	b->f = NULL;
	return 0;
}

void mmp_data__builder_free(struct mmp_data__builder *b)
{
	size_t k;

	if (!b)
		return;
	mmp_frame_free(b->f);
	mmp_data__seg_release(&b->seg);
	for (k = 0; k < b->g.n; k++)
		mmp_data__dict_release(&b->g.feat[k]);
	free(b->g.feat);
	mmp_data__dict_release(&b->g.y);
	mmp_data__plan_release(&b->plan);
	free(b->name);
	free(b);
}
