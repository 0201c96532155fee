/* SPDX-License-Identifier: MIT */
/* mhd-load.h: libmicrohttpd, opened on first use (see util/lazy.h) */
#ifndef LIB_serve_mhd_load_h__
#define LIB_serve_mhd_load_h__

#include <microhttpd.h>

#include "util/lazy.h"

/*
 * Every function of the library this part calls. To call another
 * one, add it to the list and give it its redirect below, in the
 * same order (a call missing here fails to link):
 *	X(MHD_get_daemon_info) \
 *	#define MHD_get_daemon_info MMP_MHD(MHD_get_daemon_info)
 */
#define MMP_MHD_FUNCS(X) \
	X(MHD_add_response_header) \
	X(MHD_create_response_from_buffer) \
	X(MHD_create_response_from_fd64) \
	X(MHD_destroy_response) \
	X(MHD_get_connection_info) \
	X(MHD_get_connection_values) \
	X(MHD_get_version) \
	X(MHD_lookup_connection_value) \
	X(MHD_lookup_connection_value_n) \
	X(MHD_queue_response) \
	X(MHD_quiesce_daemon) \
	X(MHD_start_daemon) \
	X(MHD_stop_daemon)

struct mmp_mhd_api {
	struct mmp_lazy lazy;
#define MMP_MHD_MEMBER(f) __typeof__(f) *f;
	MMP_MHD_FUNCS(MMP_MHD_MEMBER)
#undef MMP_MHD_MEMBER
};
extern struct mmp_mhd_api mmp_mhd__api;

/* open libmicrohttpd, once; 0, or -1 with the error
 * "cannot load libmicrohttpd.so.12: ...; install ..." */
int mmp_serve__mhd_load(void);

#ifndef MMP_LAZY_LOADER
#define MMP_MHD(f) MMP_LAZY_FN(mmp_mhd__api, f)
#define MHD_add_response_header MMP_MHD(MHD_add_response_header)
#define MHD_create_response_from_buffer MMP_MHD(MHD_create_response_from_buffer)
#define MHD_create_response_from_fd64 MMP_MHD(MHD_create_response_from_fd64)
#define MHD_destroy_response MMP_MHD(MHD_destroy_response)
#define MHD_get_connection_info MMP_MHD(MHD_get_connection_info)
#define MHD_get_connection_values MMP_MHD(MHD_get_connection_values)
#define MHD_get_version MMP_MHD(MHD_get_version)
#define MHD_lookup_connection_value MMP_MHD(MHD_lookup_connection_value)
#define MHD_lookup_connection_value_n MMP_MHD(MHD_lookup_connection_value_n)
#define MHD_queue_response MMP_MHD(MHD_queue_response)
#define MHD_quiesce_daemon MMP_MHD(MHD_quiesce_daemon)
#define MHD_start_daemon MMP_MHD(MHD_start_daemon)
#define MHD_stop_daemon MMP_MHD(MHD_stop_daemon)
#endif

#endif
