/* SPDX-License-Identifier: MIT */
/* config.h: layered configuration with origins, and YAML diagnostics */
#ifndef INCLUDE_mmp_config_h__
#define INCLUDE_mmp_config_h__

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "types.h"

MMP_BEGIN_DECL

/*
 * Diagnostics: every problem found in a YAML file, an environment
 * variable or a command-line override.
 *
 * A load that finds problems in the user's input returns MMP_EINVALID.
 * mmp_error_last() then holds the first problem and, when there are
 * more, a count ("... (and 2 more errors)"); the full list comes back
 * through the `diags` out-parameter of mmp_config_load() and
 * mmp_recipe_load(), in the order the problems were found.
 */

/** One problem. All strings are owned by the list. */
typedef struct {
	const char *file;     /**< "recipes/x.yaml", "env:MMP_SERVE_PORT",
				   "-c serve.port=x", "--set a=b"; or NULL */
	int line;             /**< 1-based; 0 when the source has no lines */
	int column;           /**< 1-based; 0 when the source has no lines */
	const char *key;      /**< key path ("data.split.test_size"), or "" */
	const char *text;     /**< the problem alone, lowercase */
	const char *message;  /**< "file:line:column: key: text", complete */
} mmp_diag;

/** An ordered list of problems; free with mmp_diag_list_free(). */
typedef struct mmp_diag_list mmp_diag_list;

/** The number of problems in `l` (0 for NULL). */
MMP_EXTERN(size_t) mmp_diag_list_count(const mmp_diag_list *l);

/**
 * Problem `i` of `l`, borrowed from the list, or NULL when `i` is out
 * of range.
 */
MMP_EXTERN(const mmp_diag *) mmp_diag_list_get(const mmp_diag_list *l,
	size_t i);

/** Free a list; accepts NULL. */
MMP_EXTERN(void) mmp_diag_list_free(mmp_diag_list *l);

/*
 * Configuration.
 *
 * Layers, weakest first: built-in defaults; $XDG_CONFIG_HOME/mmp/
 * config.yaml (else ~/.config/mmp/config.yaml; skipped when no_system
 * is set or $MMP_CONFIG_NOSYSTEM is set); <project>/configs/base.yaml;
 * <project>/configs/<env>.yaml; environment variables (MLFLOW_TRACKING_URI
 * for tracking.uri, then MMP_<KEY> with the key upper-cased and dots
 * turned into underscores, e.g. MMP_SERVE_PORT); then `overrides`
 * ("key=value", applied in order). Every effective value remembers
 * where it came from.
 */

/** The type of a configuration key. */
typedef enum {
	MMP_CONFIG_STRING = 1,
	MMP_CONFIG_INT,
	MMP_CONFIG_FLOAT,
	MMP_CONFIG_BOOL,
	MMP_CONFIG_ENUM,      /**< a string from a fixed set */
	MMP_CONFIG_SIZE,      /**< bytes; accepts 8MiB, 512k, ... */
	MMP_CONFIG_CHAR,      /**< a one-character string */
	MMP_CONFIG_STRLIST,   /**< a list of strings */
	MMP_CONFIG_INTLIST    /**< a list of integers */
} mmp_config_type;

/** One effective configuration value. Borrowed from its mmp_config. */
typedef struct {
	const char *key;      /**< "serve.port" */
	mmp_config_type type;
	const char *value;    /**< canonical text; lists as [a, b]; "" unset */
	const char *origin;   /**< "default", "file:configs/base.yaml:3",
				   "env:MMP_SERVE_PORT",
				   "command line: -c serve.port=9000" */
	const char *doc;      /**< one line of documentation */
	const char *const *items;  /**< list items (list types), else NULL */
	size_t nitems;
	bool is_set;          /**< false when the key has no value at all */
} mmp_config_entry;

#define MMP_CONFIG_OPTIONS_VERSION 1

/** How to load the configuration. NULL options mean all defaults. */
typedef struct {
	unsigned int version;      /**< MMP_CONFIG_OPTIONS_VERSION */
	/**
	 * The directory holding configs/. NULL: the parent of `store_path`
	 * when given, else of $MMP_STORE when set, else of the nearest
	 * `.mmp` directory walking up from the working directory, else
	 * the working directory.
	 */
	const char *project_dir;
	/** The store's path (--store), used only to find project_dir. */
	const char *store_path;
	/**
	 * The environment overlay configs/<env>.yaml; NULL means $MMP_ENV.
	 * When an environment is named, its file must exist.
	 */
	const char *env;
	const char *const *overrides;  /**< "key=value" strings, in order */
	size_t noverrides;
	bool no_system;            /**< skip the user configuration file */
} mmp_config_options;

#define MMP_CONFIG_OPTIONS_INIT { MMP_CONFIG_OPTIONS_VERSION, NULL, NULL, \
	NULL, NULL, 0, false }

/** Fill `o` with defaults; returns 0, or MMP_EINVALID on a bad version. */
MMP_EXTERN(int) mmp_config_options_init(mmp_config_options *o,
	unsigned int version);

/**
 * Load the layered configuration into `*out` (the caller owns it and
 * frees it with mmp_config_free()).
 *
 * When `diags` is not NULL it receives NULL on success, or on
 * MMP_EINVALID the list of every problem found (owned by the caller,
 * free with mmp_diag_list_free()).
 *
 * Returns 0; MMP_EINVALID for malformed YAML, unknown keys, bad values,
 * undefined ${VAR}s, bad overrides or a missing configs/<env>.yaml;
 * MMP_ERROR when a file exists but cannot be read.
 */
MMP_EXTERN(int) mmp_config_load(mmp_config **out, mmp_diag_list **diags,
	const mmp_config_options *o);

/** Free a configuration; accepts NULL. */
MMP_EXTERN(void) mmp_config_free(mmp_config *cfg);

/** The project directory (absolute), borrowed from `cfg`. */
MMP_EXTERN(const char *) mmp_config_project_dir(const mmp_config *cfg);

/** The environment overlay in use, or NULL; borrowed from `cfg`. */
MMP_EXTERN(const char *) mmp_config_env(const mmp_config *cfg);

/**
 * The value of `key` as a string, borrowed from `cfg` (lists in their
 * canonical [a, b] form). A key without any value gives "" .
 * Returns 0, or MMP_ENOTFOUND for a key that is not a configuration key
 * (the message suggests the closest one).
 */
MMP_EXTERN(int) mmp_config_get_string(const char **out,
	const mmp_config *cfg, const char *key);

/**
 * The value of an INT or SIZE key. Returns 0, MMP_ENOTFOUND for an
 * unknown key, MMP_EINVALID when the key is of another type or unset.
 */
MMP_EXTERN(int) mmp_config_get_int(int64_t *out, const mmp_config *cfg,
	const char *key);

/** The value of a FLOAT or INT key; errors as mmp_config_get_int(). */
MMP_EXTERN(int) mmp_config_get_double(double *out, const mmp_config *cfg,
	const char *key);

/** The value of a BOOL key; errors as mmp_config_get_int(). */
MMP_EXTERN(int) mmp_config_get_bool(bool *out, const mmp_config *cfg,
	const char *key);

/**
 * The items of a list key, borrowed from `cfg`. Returns 0,
 * MMP_ENOTFOUND for an unknown key, MMP_EINVALID for a non-list key.
 */
MMP_EXTERN(int) mmp_config_get_list(const char *const **items, size_t *n,
	const mmp_config *cfg, const char *key);

/**
 * The entry of `key` (value, origin, doc), borrowed from `cfg`.
 * Returns 0 or MMP_ENOTFOUND (with a "did you mean" in the message).
 */
MMP_EXTERN(int) mmp_config_lookup(const mmp_config_entry **out,
	const mmp_config *cfg, const char *key);

/** The number of configuration keys; entries are sorted by key. */
MMP_EXTERN(size_t) mmp_config_entry_count(const mmp_config *cfg);

/** Entry `i`, borrowed from `cfg`, or NULL when out of range. */
MMP_EXTERN(const mmp_config_entry *) mmp_config_entry_at(
	const mmp_config *cfg, size_t i);

/** The name of a configuration type ("int", "list of strings", ...). */
MMP_EXTERN(const char *) mmp_config_type_name(mmp_config_type t);

MMP_END_DECL

#endif
