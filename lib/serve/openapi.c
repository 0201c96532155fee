/* SPDX-License-Identifier: MIT */
/* openapi.c: the OpenAPI 3.0 document of the model's data interface */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve-internal.h"

static cJSON *ref(const char *name)
{
	cJSON *o = cJSON_CreateObject();
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_printf(&b, "#/components/schemas/%s", name);
	cJSON_AddStringToObject(o, "$ref", b.ptr);
	mmp_buf_dispose(&b);
	return o;
}

static cJSON *json_content(cJSON *schema, cJSON *example)
{
	cJSON *c = cJSON_CreateObject(), *mt;

	mt = cJSON_AddObjectToObject(c, "application/json");
	cJSON_AddItemToObject(mt, "schema", schema);
	if (example)
		cJSON_AddItemToObject(mt, "example", example);
	return c;
}

static void add_response(cJSON *responses, const char *code,
	const char *desc, const char *schema)
{
	cJSON *r = cJSON_AddObjectToObject(responses, code);

	cJSON_AddStringToObject(r, "description", desc);
	if (schema)
		cJSON_AddItemToObject(r, "content",
			json_content(ref(schema), NULL));
}

static cJSON *record_schema(const struct serve_model *sm, cJSON **example)
{
	const mmp_model_schema *sc = sm->schema;
	cJSON *o = cJSON_CreateObject(), *props, *req, *p, *en;
	size_t i, j;

	*example = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddStringToObject(o, "description", "One row: every feature "
		"is required (null for a missing value); entity columns are "
		"optional and echoed back; the target column and unknown "
		"fields are rejected.");
	props = cJSON_AddObjectToObject(o, "properties");
	req = cJSON_AddArrayToObject(o, "required");
	for (i = 0; i < sc->nentities; i++) {
		p = cJSON_AddObjectToObject(props, sc->entities[i]);
		cJSON_AddStringToObject(p, "description", "entity column, "
			"echoed back with the prediction");
		cJSON_AddStringToObject(*example, sc->entities[i], "id-1");
	}
	for (i = 0; i < sc->nfeatures; i++) {
		const mmp_model_feature *f = &sc->features[i];

		p = cJSON_AddObjectToObject(props, f->name);
		cJSON_AddItemToArray(req, cJSON_CreateString(f->name));
		cJSON_AddBoolToObject(p, "nullable", 1);
		if (f->kind == MMP_FEATURE_CATEGORICAL) {
			cJSON_AddStringToObject(p, "type", "string");
			en = cJSON_AddArrayToObject(p, "enum");
			for (j = 0; j < f->ncategories; j++)
				cJSON_AddItemToArray(en, cJSON_CreateString(
					f->categories[j]));
			if (f->ncategories) {
				cJSON_AddStringToObject(p, "example",
					f->categories[0]);
				cJSON_AddStringToObject(*example, f->name,
					f->categories[0]);
			} else {
				cJSON_AddNullToObject(*example, f->name);
			}
			continue;
		}
		cJSON_AddStringToObject(p, "type", f->type == MMP_COLUMN_LONG ?
			"integer" : "number");
		cJSON_AddNumberToObject(p, "example", 0);
		cJSON_AddNumberToObject(*example, f->name, 0);
	}
	cJSON_AddBoolToObject(o, "additionalProperties", 0);
	return o;
}

static cJSON *prediction_schema(const struct serve_model *sm)
{
	const mmp_model_schema *sc = sm->schema;
	cJSON *o = cJSON_CreateObject(), *props, *p, *en, *pp;
	size_t i;

	cJSON_AddStringToObject(o, "type", "object");
	props = cJSON_AddObjectToObject(o, "properties");
	for (i = 0; i < sc->nentities; i++)
		cJSON_AddObjectToObject(props, sc->entities[i]);
	p = cJSON_AddObjectToObject(props, "prediction");
	if (sm->task == MMP_TASK_REGRESSION) {
		cJSON_AddStringToObject(p, "type", "number");
		cJSON_AddStringToObject(p, "description", sc->target);
		cJSON_AddArrayToObject(o, "required");
		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "required"),
			cJSON_CreateString("prediction"));
		return o;
	}
	cJSON_AddStringToObject(p, "type", "string");
	cJSON_AddStringToObject(p, "description", "the most probable class");
	en = cJSON_AddArrayToObject(p, "enum");
	p = cJSON_AddObjectToObject(props, "probabilities");
	cJSON_AddStringToObject(p, "type", "object");
	pp = cJSON_AddObjectToObject(p, "properties");
	for (i = 0; i < sm->nlabels; i++) {
		cJSON *lit = cJSON_Parse(sm->labels_json[i]);

		cJSON_AddItemToArray(en, cJSON_CreateString(lit->valuestring));
		p = cJSON_AddObjectToObject(pp, lit->valuestring);
		cJSON_AddStringToObject(p, "type", "number");
		cJSON_Delete(lit);
	}
	return o;
}

char *mmp_serve__openapi(const struct serve_model *sm, size_t *len)
{
	cJSON *doc = cJSON_CreateObject(), *info, *paths, *comp, *schemas;
	cJSON *op, *p, *body, *example, *o, *c, *arr, *mt;
	mmp_buf title = MMP_BUF_INIT;
	char *text;
	static const char *const gets[][2] = {
		{ "/health", "model name, version, run id and uptime; 503 "
			"while the model loads" },
		{ "/ping", "200 when the model is loaded" },
		{ "/version", "the mmp version and the model" },
		{ "/metrics", "Prometheus text format" },
		{ "/openapi.json", "this document" },
		{ "/docs", "an HTML page describing this API" },
	};
	size_t i;

	cJSON_AddStringToObject(doc, "openapi", "3.0.3");
	info = cJSON_AddObjectToObject(doc, "info");
	mmp_buf_printf(&title, "mmp prediction API: %s", sm->name);
	cJSON_AddStringToObject(info, "title", title.ptr);
	cJSON_AddStringToObject(info, "version", sm->version ? sm->version :
		sm->run_id);
	cJSON_AddStringToObject(info, "description", "Predictions from an "
		"XGBoost model trained by mmp. /predict takes the fields of "
		"the data interface by name; /invocations speaks MLflow's "
		"scoring protocol.");
	comp = cJSON_AddObjectToObject(doc, "components");
	schemas = cJSON_AddObjectToObject(comp, "schemas");
	cJSON_AddItemToObject(schemas, "Record", record_schema(sm, &example));
	o = cJSON_AddObjectToObject(schemas, "PredictRequest");
	arr = cJSON_AddArrayToObject(o, "oneOf");
	cJSON_AddItemToArray(arr, ref("Record"));
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "array");
	cJSON_AddItemToObject(p, "items", ref("Record"));
	cJSON_AddItemToArray(arr, p);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "object");
	c = cJSON_AddObjectToObject(p, "properties");
	c = cJSON_AddObjectToObject(c, "records");
	cJSON_AddStringToObject(c, "type", "array");
	cJSON_AddItemToObject(c, "items", ref("Record"));
	cJSON_AddItemToObject(p, "required",
		cJSON_CreateStringArray((const char *[]){ "records" }, 1));
	cJSON_AddItemToArray(arr, p);
	cJSON_AddItemToObject(schemas, "Prediction", prediction_schema(sm));
	o = cJSON_AddObjectToObject(schemas, "PredictResponse");
	cJSON_AddStringToObject(o, "type", "object");
	c = cJSON_AddObjectToObject(o, "properties");
	p = cJSON_AddObjectToObject(c, "predictions");
	cJSON_AddStringToObject(p, "type", "array");
	cJSON_AddItemToObject(p, "items", ref("Prediction"));
	p = cJSON_AddObjectToObject(c, "model_version");
	cJSON_AddStringToObject(p, "type", "string");
	o = cJSON_AddObjectToObject(schemas, "Error");
	cJSON_AddStringToObject(o, "type", "object");
	c = cJSON_AddObjectToObject(o, "properties");
	c = cJSON_AddObjectToObject(c, "error");
	cJSON_AddStringToObject(c, "type", "object");
	c = cJSON_AddObjectToObject(c, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "code"), "type",
		"integer");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "message"), "type",
		"string");
	p = cJSON_AddObjectToObject(c, "fields");
	cJSON_AddStringToObject(p, "type", "array");
	p = cJSON_AddObjectToObject(p, "items");
	cJSON_AddStringToObject(p, "type", "object");
	p = cJSON_AddObjectToObject(p, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "row"), "type",
		"integer");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "field"), "type",
		"string");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "problem"),
		"type", "string");
	o = cJSON_AddObjectToObject(schemas, "MLflowRequest");
	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddStringToObject(o, "description", "exactly one of "
		"dataframe_split, dataframe_records, instances, inputs; "
		"params is accepted and ignored");
	c = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "dataframe_split"),
		"type", "object");
	p = cJSON_AddObjectToObject(c, "dataframe_records");
	cJSON_AddStringToObject(p, "type", "array");
	cJSON_AddItemToObject(p, "items", ref("Record"));
	cJSON_AddObjectToObject(c, "instances");
	cJSON_AddObjectToObject(c, "inputs");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "params"), "type",
		"object");

	paths = cJSON_AddObjectToObject(doc, "paths");
	op = cJSON_AddObjectToObject(cJSON_AddObjectToObject(paths,
		"/predict"), "post");
	cJSON_AddStringToObject(op, "summary", "predict one record or many");
	body = cJSON_AddObjectToObject(op, "requestBody");
	cJSON_AddBoolToObject(body, "required", 1);
	cJSON_AddItemToObject(body, "content",
		json_content(ref("PredictRequest"), example));
	c = cJSON_AddObjectToObject(op, "responses");
	add_response(c, "200", "predictions", "PredictResponse");
	add_response(c, "400", "malformed JSON", "Error");
	add_response(c, "401", "missing or bad bearer token", "Error");
	add_response(c, "413", "body too large", "Error");
	add_response(c, "415", "not application/json", "Error");
	add_response(c, "422", "invalid fields, all of them listed", "Error");
	add_response(c, "503", "the model is loading", "Error");

	op = cJSON_AddObjectToObject(cJSON_AddObjectToObject(paths,
		"/invocations"), "post");
	cJSON_AddStringToObject(op, "summary", "MLflow scoring protocol");
	body = cJSON_AddObjectToObject(op, "requestBody");
	cJSON_AddBoolToObject(body, "required", 1);
	c = json_content(ref("MLflowRequest"), NULL);
	mt = cJSON_AddObjectToObject(c, "text/csv");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(mt, "schema"), "type",
		"string");
	cJSON_AddItemToObject(body, "content", c);
	c = cJSON_AddObjectToObject(op, "responses");
	add_response(c, "200", "{\"predictions\": [...]}", NULL);
	add_response(c, "400", "{\"error_code\": ..., \"message\": ...}",
		NULL);
	add_response(c, "415", "not application/json or text/csv", NULL);

	for (i = 0; i < ARRAY_SIZE(gets); i++) {
		op = cJSON_AddObjectToObject(cJSON_AddObjectToObject(paths,
			gets[i][0]), "get");
		cJSON_AddStringToObject(op, "summary", gets[i][1]);
		c = cJSON_AddObjectToObject(op, "responses");
		add_response(c, "200", "OK", NULL);
	}
	p = cJSON_AddObjectToObject(cJSON_AddObjectToObject(comp,
		"securitySchemes"), "bearer");
	cJSON_AddStringToObject(p, "type", "http");
	cJSON_AddStringToObject(p, "scheme", "bearer");
	cJSON_AddStringToObject(p, "description", "needed when the server "
		"runs with --token-file (all routes but /health and /ping)");
	text = mmp_json_print(doc, 1);
	cJSON_Delete(doc);
	mmp_buf_dispose(&title);
	{
		char *copy = mmp__strdup(text);

		free(text);
		*len = strlen(copy);
		return copy;
	}
}

const char mmp_serve__docs_html[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<title>mmp prediction API</title>\n"
"<style>body{font:15px/1.45 sans-serif;max-width:60em;margin:2em auto;"
"padding:0 1em;color:#222}code,pre{background:#f4f4f4;padding:1px 4px}"
"table{border-collapse:collapse}td,th{border:1px solid #ccc;"
"padding:3px 8px;text-align:left}h2{margin-top:1.6em}</style>\n"
"</head><body>\n"
"<h1 id=\"title\">mmp prediction API</h1>\n"
"<p id=\"desc\">Loading <a href=\"openapi.json\">openapi.json</a>"
"&hellip;</p>\n"
"<p>Bearer token (only if the server needs one): "
"<input id=\"tok\" type=\"password\"> <button id=\"go\">load</button></p>\n"
"<h2>Endpoints</h2><table id=\"paths\"></table>\n"
"<h2>Request fields (<code>POST /predict</code>)</h2>"
"<table id=\"fields\"></table>\n"
"<h2>Example</h2><pre id=\"example\"></pre>\n"
"<script>\n"
"function el(t,x){var e=document.createElement(t);"
"e.textContent=x;return e}\n"
"function row(tab,cells,th){var tr=document.createElement('tr');"
"cells.forEach(function(c){tr.appendChild(el(th?'th':'td',c))});"
"tab.appendChild(tr)}\n"
"function show(d){document.getElementById('title').textContent="
"d.info.title;document.getElementById('desc').textContent="
"d.info.description+' Model version: '+d.info.version+'.';\n"
"var p=document.getElementById('paths');p.textContent='';"
"row(p,['method','path','summary'],1);\n"
"Object.keys(d.paths).forEach(function(k){Object.keys(d.paths[k])"
".forEach(function(m){row(p,[m.toUpperCase(),k,d.paths[k][m].summary])"
"})});\n"
"var r=d.components.schemas.Record,f=document.getElementById('fields');"
"f.textContent='';row(f,['field','type','required','values'],1);\n"
"Object.keys(r.properties).forEach(function(k){var s=r.properties[k];"
"row(f,[k,s.type||'any',r.required.indexOf(k)>=0?'yes':'no',"
"s.enum?s.enum.join(', '):(s.description||'')])});\n"
"var ex=d.paths['/predict'].post.requestBody.content['application/json']"
".example;document.getElementById('example').textContent="
"'curl -H \\'Content-Type: application/json\\' -d \\''+"
"JSON.stringify(ex)+'\\' '+location.origin+'/predict'}\n"
"function load(){var h={},t=document.getElementById('tok').value;"
"if(t)h.Authorization='Bearer '+t;fetch('openapi.json',{headers:h})"
".then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);"
"return r.json()}).then(show).catch(function(e){"
"document.getElementById('desc').textContent="
"'cannot load openapi.json: '+e.message})}\n"
"document.getElementById('go').onclick=load;load();\n"
"</script>\n"
"</body></html>\n";
