/* SPDX-License-Identifier: MIT */
/* pg-load.h: libpq, opened on first use (see util/lazy.h) */
#ifndef LIB_data_pg_load_h__
#define LIB_data_pg_load_h__

#include <libpq-fe.h>

#include "util/lazy.h"

/*
 * Every function of libpq that lib/data calls. To call another one,
 * add it to the list and give it its redirect below, in the same order
 * (a call missing here fails to link):
 *	X(PQport) \
 *	#define PQport MMP_PQ(PQport)
 */
#define MMP_PQ_FUNCS(X) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQconninfoFree) \
	X(PQconninfoParse) \
	X(PQdescribePrepared) \
	X(PQerrorMessage) \
	X(PQescapeIdentifier) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQfinish) \
	X(PQfname) \
	X(PQfreemem) \
	X(PQftype) \
	X(PQgetisnull) \
	X(PQgetResult) \
	X(PQgetlength) \
	X(PQgetvalue) \
	X(PQlibVersion) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQparameterStatus) \
	X(PQpass) \
	X(PQpingParams) \
	X(PQprepare) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQserverVersion) \
	X(PQstatus)

struct mmp_pq_api {
	struct mmp_lazy lazy;
#define MMP_PQ_MEMBER(f) __typeof__(f) *f;
	MMP_PQ_FUNCS(MMP_PQ_MEMBER)
#undef MMP_PQ_MEMBER
};
extern struct mmp_pq_api mmp_pq__api;

/* open libpq, once; 0, or -1 with the error "cannot load libpq.so.5:
 * ...; install ..." */
int mmp_data__pq_load(void);
/* libpq's version ("15.10"), opening it; -1 when it cannot be */
int mmp_data__pq_version(char *out, size_t outlen);

#ifndef MMP_LAZY_LOADER
#define MMP_PQ(f) MMP_LAZY_FN(mmp_pq__api, f)
#define PQclear MMP_PQ(PQclear)
#define PQconnectdbParams MMP_PQ(PQconnectdbParams)
#define PQconninfoFree MMP_PQ(PQconninfoFree)
#define PQconninfoParse MMP_PQ(PQconninfoParse)
#define PQdescribePrepared MMP_PQ(PQdescribePrepared)
#define PQerrorMessage MMP_PQ(PQerrorMessage)
#define PQescapeIdentifier MMP_PQ(PQescapeIdentifier)
#define PQexec MMP_PQ(PQexec)
#define PQexecParams MMP_PQ(PQexecParams)
#define PQfinish MMP_PQ(PQfinish)
#define PQfname MMP_PQ(PQfname)
#define PQfreemem MMP_PQ(PQfreemem)
#define PQftype MMP_PQ(PQftype)
#define PQgetisnull MMP_PQ(PQgetisnull)
#define PQgetResult MMP_PQ(PQgetResult)
#define PQgetlength MMP_PQ(PQgetlength)
#define PQgetvalue MMP_PQ(PQgetvalue)
#define PQlibVersion MMP_PQ(PQlibVersion)
#define PQnfields MMP_PQ(PQnfields)
#define PQntuples MMP_PQ(PQntuples)
#define PQparameterStatus MMP_PQ(PQparameterStatus)
#define PQpass MMP_PQ(PQpass)
#define PQpingParams MMP_PQ(PQpingParams)
#define PQprepare MMP_PQ(PQprepare)
#define PQputCopyData MMP_PQ(PQputCopyData)
#define PQputCopyEnd MMP_PQ(PQputCopyEnd)
#define PQresultErrorMessage MMP_PQ(PQresultErrorMessage)
#define PQresultStatus MMP_PQ(PQresultStatus)
#define PQserverVersion MMP_PQ(PQserverVersion)
#define PQstatus MMP_PQ(PQstatus)
#endif

#endif
