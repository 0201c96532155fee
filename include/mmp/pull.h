/* SPDX-License-Identifier: MIT */
/* pull.h: bring a model version from an MLflow registry into the store */
#ifndef INCLUDE_mmp_pull_h__
#define INCLUDE_mmp_pull_h__

#include <stdint.h>

#include "common.h"
#include "remote.h"
#include "store.h"

MMP_BEGIN_DECL

/**
 * @file mmp/pull.h
 *
 * `models:/NAME/VERSION`, `models:/NAME/STAGE`, `models:/NAME/latest`
 * and `models:/NAME@ALIAS` name a version in a tracking server's model
 * registry. Pulling one resolves it through the registry REST API,
 * downloads the version's files through the server's artifact proxy, or
 * from S3 when they are at an s3:// location (see mmp/s3.h), checks each
 * against the size the server or bucket lists, and only then records
 * it in the store: a local run (kind "pull") holding the files as its
 * `model` artifact directory, tagged with where it came from, registered
 * as the next local version of the model with the tags
 * mmp.remote.server, mmp.remote.name, mmp.remote.version,
 * mmp.remote.run_id and mmp.remote.source. A version pulled before (the
 * same server, name and remote version) is found by those tags and
 * nothing is transferred.
 */

/** How to pull. Strings are borrowed for the call. */
typedef struct {
	unsigned int version;
	const char *tracking_uri;      /**< required: http(s)://host[:port] */
	const mmp_http_options *http;  /**< NULL: defaults + environment */
	const char *local_name;        /**< register as this; NULL: the
					    remote model's name */
	int max_attempts;              /**< per request; 0: 5 */
	long backoff_ms;               /**< first retry wait; 0: 250 */
	const char *actor;             /**< NULL: $MMP_USER, else the OS
					    user */
} mmp_pull_options;

#define MMP_PULL_OPTIONS_VERSION 1
#define MMP_PULL_OPTIONS_INIT { MMP_PULL_OPTIONS_VERSION, NULL, NULL, \
	NULL, 0, 0, NULL }

/** What a pull did. Release: mmp_pull_result_release(). */
typedef struct {
	char *remote;            /**< the server's URI without credentials */
	char *name;              /**< the remote model */
	char *remote_version;    /**< its version number, as the server
				      spells it */
	char *remote_run_id;     /**< the version's run on the server, or
				      NULL */
	char *source;            /**< where the server keeps its files */
	char *local_name;
	int64_t local_version;
	char *run_id;            /**< the local run holding the files */
	char *model_dir;         /**< absolute */
	int already;             /**< pulled before: nothing transferred */
	size_t files;            /**< files downloaded now */
	uint64_t bytes;          /**< bytes downloaded now */
	size_t requests;         /**< HTTP requests, retries included */
} mmp_pull_result;

/**
 * Pull the version `uri` names (see the top of this file).
 *
 * Errors: MMP_EINVALID (a malformed `models:/` URI, a model whose files
 * the server does not proxy, e.g. an s3:// root without
 * --serve-artifacts, a version without an MLmodel file, an unsafe file
 * path in the listing), MMP_ENOTFOUND (no such model, version, alias or
 * no version in that stage), MMP_ENET (transport failures, 401, 403,
 * 5xx after retries, a download shorter or longer than listed), store
 * and registry errors. On any failure nothing is recorded in the store
 * and no file is left in it.
 */
MMP_EXTERN(int) mmp_models_pull(mmp_pull_result *out, mmp_store *s,
	const char *uri, const mmp_pull_options *o);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_pull_result_release(mmp_pull_result *r);

MMP_END_DECL

#endif
