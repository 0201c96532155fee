/* SPDX-License-Identifier: MIT */
/* fuzz-serve.c: libFuzzer harness for serve-api's request decoding */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/model.h"
#include "serve/serve-internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mmp_server *server;

/* a numeric feature, a categorical one, and an entity column */
static mmp_model *train(void)
{
	static const char *const colours[] = { "red", "green", "blue" };
	static const char *const names[] = { "x", "colour" };
	static const mmp_feature_kind kinds[] = { MMP_FEATURE_NUMERIC,
		MMP_FEATURE_CATEGORICAL };
	mmp_model_param p[] = { { "max_depth", "2" } };
	mmp_model_schema *s = NULL;
	mmp_model_train_options o;
	mmp_model *m = NULL;
	float x[60 * 2], y[60];
	int i;

	mmp_model_schema_new(&s, MMP_TASK_BINARY, "y");
	mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0);
	mmp_model_schema_add_feature(s, "colour", MMP_FEATURE_CATEGORICAL,
		MMP_COLUMN_STRING, colours, 3);
	mmp_model_schema_add_class(s, "neg");
	mmp_model_schema_add_class(s, "pos");
	mmp_model_schema_add_entity(s, "id");
	for (i = 0; i < 60; i++) {
		x[i * 2] = (float)(i % 20 - 10);
		x[i * 2 + 1] = (float)(i % 3);
		y[i] = x[i * 2] > 0 || i % 3 == 2;
	}
	mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o.task = MMP_TASK_BINARY;
	o.train_x = x;
	o.train_y = y;
	o.train_rows = 60;
	o.ncols = 2;
	o.feature_names = names;
	o.feature_kinds = kinds;
	o.params = p;
	o.nparams = 1;
	o.num_boost_round = 3;
	o.nthread = 1;
	o.schema = s;
	mmp_model_train(&m, &o, NULL);
	mmp_model_schema_free(s);
	return m;
}

/* a server on a loopback port holding the model; requests are handed
 * to its router directly, without HTTP */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mmp_serve_options o;
	mmp_model *m;

	(void)argc;
	(void)argv;
	mmp_global_init();
	m = train();
	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	o.port = 0;
	o.threads = 1;
	if (!m || mmp_server_start(&server, &o) < 0 ||
	    mmp_server_set_model(server, m, NULL) < 0)
		abort();
	return 0;
}

/* the first byte picks the route and content type, the rest is the body */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { const char *path, *ctype; } kinds[] = {
		{ "/predict", "application/json" },
		{ "/invocations", "application/json" },
		{ "/invocations", "text/csv" },
		{ "/predict", "text/plain" },
	};
	struct serve_request req;
	struct serve_response resp = SERVE_RESPONSE_INIT;
	char *body;
	unsigned k;

	if (size < 1)
		return 0;
	k = data[0] % 4;
	body = malloc(size);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	req.method = "POST";
	req.path = kinds[k].path;
	req.content_type = kinds[k].ctype;
	req.authorization = NULL;
	req.body = body;
	req.len = size - 1;
	mmp_serve__handle(server, &req, mmp_serve__route(req.path), &resp);
	mmp_buf_dispose(&resp.body);
	free(body);
	return 0;
}
