#!/bin/sh
# t4000-serve-basic: mmp serve-api routes, predictions equal to the library's

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'build binary, multiclass and regression models' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mkmodel train flowers "$F/flowers.csv" multiclass species \
		--entity id --cat colour &&
	mkmodel train houses "$F/houses.csv" regression price &&
	test -f churn/model.ubj && test -f flowers/mmp-schema.json
'

test_expect_success 'start a server per model; the ready line names it' '
	serve_start churn --model-dir churn --log-file churn.log &&
	grep "^serving model churn on http://127.0.0.1:[0-9][0-9]*$" \
		churn.err &&
	serve_start flowers --model-dir flowers/ --log-file flowers.log &&
	serve_start houses --model-dir "$PWD/houses" --log-file houses.log
'

test_expect_success JQ 'GET /health: ready, model name, run id, uptime' '
	test "$(req churn GET /health)" = 200 &&
	test "$(json_get out .status)" = ready &&
	test "$(json_get out .model.name)" = churn &&
	test "$(json_get out .model.run_id)" = \
		0123456789abcdef0123456789abcdef &&
	test "$(json_get out .model.version)" = null &&
	test "$(json_get out .model.task)" = binary &&
	json_get out .uptime_seconds | grep -E "^[0-9]+(\.[0-9]+)?$" &&
	test_grep "^Content-Type: application/json" hdr
'

test_expect_success 'GET /ping answers a newline, as MLflow' '
	test "$(req churn GET /ping)" = 200 &&
	printf "\n" >expect &&
	test_cmp expect out
'

test_expect_success JQ 'GET /version names mmp and the model' '
	test "$(req churn GET /version)" = 200 &&
	mmp --version | sed -n "1s/^mmp version //p" >expect &&
	json_get out .version >actual &&
	test_cmp expect actual &&
	test "$(json_get out .model.name)" = churn
'

test_expect_success 'HEAD is answered like GET' '
	test "$(req churn HEAD /health -I)" = 200 &&
	test_grep "^Content-Type: application/json" hdr
'

test_expect_success JQ 'POST /predict one object: label, probabilities, entity echoed' '
	test "$(post churn /predict "{\"region\": \"east\", \"plan\": \"basic\",
		\"charges\": 99.5, \"tenure\": 3, \"customer_id\": \"C1\"}")" \
		= 200 &&
	test "$(json_get out ".predictions | length")" = 1 &&
	test "$(json_get out ".predictions[0].customer_id")" = C1 &&
	test "$(json_get out ".predictions[0].prediction")" = yes &&
	json_get out ".predictions[0].probabilities | keys | join(\",\")" \
		>keys &&
	echo no,yes >expect && test_cmp expect keys &&
	test "$(json_get out ".predictions[0].probabilities.yes +
		.predictions[0].probabilities.no | . * 1000 | round")" = 1000 &&
	test "$(json_get out .model_version)" = \
		0123456789abcdef0123456789abcdef
'

test_expect_success JQ 'field order in the request does not matter' '
	post churn /predict "{\"tenure\": 3, \"charges\": 99.5,
		\"plan\": \"basic\", \"region\": \"east\"}" &&
	json_get out ".predictions[0].probabilities" >a &&
	post churn /predict "{\"region\": \"east\", \"plan\": \"basic\",
		\"tenure\": 3, \"charges\": 99.5}" &&
	json_get out ".predictions[0].probabilities" >b &&
	test_cmp a b
'

test_expect_success JQ 'categories matter: another plan gives another answer' '
	post churn /predict "{\"tenure\": 3, \"charges\": 99.5,
		\"plan\": \"pro\", \"region\": \"east\"}" &&
	json_get out ".predictions[0].probabilities" >c &&
	! test_cmp a c >/dev/null
'

test_expect_success 'POST /predict on every fixture row is bit-equal to the library (binary)' '
	mkmodel records "$F/churn.csv" --drop churned >rows.json &&
	test "$(post churn /predict @rows.json)" = 200 &&
	cp out churn-response.json &&
	mkmodel compare churn "$F/churn.csv" churn-response.json >cmp &&
	test_grep "^300 rows, 0 mismatches$" cmp
'

test_expect_success JQ 'entity values come back row by row, in order' '
	json_get churn-response.json ".predictions[].customer_id" >ids &&
	cut -d, -f1 "$F/churn.csv" | sed 1d >expect &&
	test_cmp expect ids
'

test_expect_success 'multiclass: {"records": [...]} bit-equal, labels not codes' '
	mkmodel records "$F/flowers.csv" --drop species >rows.json &&
	test "$(post flowers /predict "{\"records\": $(cat rows.json)}")" \
		= 200 &&
	cp out flowers-response.json &&
	mkmodel compare flowers "$F/flowers.csv" flowers-response.json >cmp &&
	test_grep "^240 rows, 0 mismatches$" cmp
'

test_expect_success JQ 'multiclass: the prediction is the most probable label' '
	json_get flowers-response.json \
		"[.predictions[] | .prediction == (.probabilities |
		to_entries | max_by(.value) | .key)] | all" >all &&
	echo true >expect && test_cmp expect all &&
	json_get flowers-response.json ".predictions[0].probabilities |
		keys | join(\",\")" >keys &&
	echo setosa,versicolor,virginica >expect && test_cmp expect keys &&
	json_get flowers-response.json ".predictions[0].id" >id &&
	echo 0 >expect && test_cmp expect id
'

test_expect_success JQ 'regression: a bare "prediction", bit-equal' '
	mkmodel records "$F/houses.csv" --drop price >rows.json &&
	test "$(post houses /predict @rows.json)" = 200 &&
	cp out houses-response.json &&
	mkmodel compare houses "$F/houses.csv" houses-response.json >cmp &&
	test_grep "^200 rows, 0 mismatches$" cmp &&
	test "$(json_get out ".predictions[0] | keys | join(\",\")")" = \
		prediction
'

test_expect_success JQ 'null is a missing value; an empty list gives no predictions' '
	test "$(post churn /predict "{\"tenure\": 3, \"charges\": null,
		\"plan\": null, \"region\": \"east\"}")" = 200 &&
	test "$(json_get out ".predictions | length")" = 1 &&
	test "$(post churn /predict "[]")" = 200 &&
	test "$(json_get out ".predictions | length")" = 0
'

test_expect_success JQ 'GET /openapi.json is OpenAPI 3 from the schema' '
	test "$(req churn GET /openapi.json)" = 200 &&
	test "$(json_get out .openapi)" = 3.0.3 &&
	test "$(json_get out ".components.schemas.Record.required |
		join(\",\")")" = tenure,charges,plan,region &&
	test "$(json_get out ".components.schemas.Record.properties.tenure.type")" \
		= integer &&
	test "$(json_get out ".components.schemas.Record.properties.charges.type")" \
		= number &&
	test "$(json_get out ".components.schemas.Record.properties.plan.enum |
		join(\",\")")" = basic,plus,pro &&
	test "$(json_get out ".components.schemas.Record.additionalProperties")" \
		= false &&
	test "$(json_get out ".components.schemas.Prediction.properties.prediction.enum |
		join(\",\")")" = no,yes &&
	json_get out ".paths | keys | join(\",\")" >paths &&
	echo "/docs,/health,/invocations,/metrics,/openapi.json,/ping,/predict,/version" \
		>expect && test_cmp expect paths
'

test_expect_success JQ 'the OpenAPI example request is accepted by /predict' '
	req churn GET /openapi.json &&
	json_get out ".paths[\"/predict\"].post.requestBody.content[\"application/json\"].example" \
		>example.json &&
	test "$(post churn /predict @example.json)" = 200
'

test_expect_success 'GET /docs is a self-contained page reading /openapi.json' '
	test "$(req churn GET /docs)" = 200 &&
	test_grep "^Content-Type: text/html" hdr &&
	test_grep "openapi.json" out &&
	test_grep -v "https?://" out
'

test_expect_success 'GET /metrics: counts by route and status, histogram, model info' '
	test "$(req churn GET /metrics)" = 200 &&
	test_grep "^Content-Type: text/plain; version=0.0.4" hdr &&
	test_grep "^mmp_http_requests_total\{route=\"/predict\",status=\"200\"\} [0-9]+$" out &&
	test_grep "^mmp_http_requests_total\{route=\"/health\",status=\"200\"\} 2$" out &&
	test_grep "^mmp_http_request_duration_seconds_bucket\{route=\"/predict\",le=\"\+Inf\"\} [0-9]+$" out &&
	test_grep "^mmp_http_request_duration_seconds_count\{route=\"/predict\"\} [0-9]+$" out &&
	test_grep "^mmp_predictions_total [0-9]+$" out &&
	test_grep "^mmp_model_info\{name=\"churn\",version=\"\",run_id=\"0123456789abcdef0123456789abcdef\",task=\"binary\",features=\"4\"\} 1$" out
'

test_expect_success 'mmp_predictions_total counts rows' '
	req houses GET /metrics &&
	test_grep "^mmp_predictions_total 200$" out
'

test_expect_success 'the access log has one line per request' '
	test_grep "^[0-9]+:S [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8}\.[0-9]{3} 127\.0\.0\.1 \"POST /predict\" 200 [0-9]+ [0-9.]+ms$" \
		churn.log &&
	test_grep "\"GET /health\" 200 " churn.log &&
	test_grep "\"GET /metrics\" 200 " churn.log
'

test_expect_success 'SIGTERM stops the servers with exit 0' '
	serve_stop churn && serve_stop flowers && serve_stop houses &&
	test_grep "^shutting down" churn.err
'

test_done
