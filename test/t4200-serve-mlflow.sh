#!/bin/sh
# t4200-serve-mlflow: POST /invocations speaks MLflow's scoring protocol

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'set up binary and multiclass servers' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mkmodel train flowers "$F/flowers.csv" multiclass species \
		--entity id --cat colour &&
	serve_start c --model-dir churn &&
	serve_start f --model-dir flowers
'

test_expect_success JQ 'dataframe_split over every row is bit-equal to the library' '
	mkmodel records "$F/churn.csv" --drop churned >rows.json &&
	jq -c "{dataframe_split: {columns: (.[0] | keys_unsorted),
		data: [.[] | [.[]]]}}" rows.json >split.json &&
	test "$(post c /invocations @split.json)" = 200 &&
	cp out split-response.json &&
	mkmodel compare churn "$F/churn.csv" split-response.json --mlflow \
		>cmp &&
	test_grep "^300 rows, 0 mismatches$" cmp
'

test_expect_success JQ 'the MLflow formats give the same answers as /predict' '
	post c /predict @rows.json &&
	jq -c "[.predictions[].prediction]" out >labels &&
	jq -c "[.predictions[].prediction]" split-response.json >got &&
	test_cmp labels got &&
	jq -c ".predictions" split-response.json >want &&
	post c /invocations "{\"dataframe_records\": $(cat rows.json)}" &&
	jq -c .predictions out >got && test_cmp want got &&
	post c /invocations "{\"instances\": $(cat rows.json)}" &&
	jq -c .predictions out >got && test_cmp want got &&
	post c /invocations "{\"inputs\": $(cat rows.json)}" &&
	jq -c .predictions out >got && test_cmp want got &&
	jq -c "{inputs: (. as \$r | \$r[0] | keys_unsorted |
		map({key: ., value: [\$r[][.]]}) | from_entries)}" rows.json \
		>columns.json &&
	test "$(post c /invocations @columns.json)" = 200 &&
	jq -c .predictions out >got && test_cmp want got &&
	jq -c "{instances: .inputs}" columns.json >inst-columns.json &&
	post c /invocations @inst-columns.json &&
	jq -c .predictions out >got && test_cmp want got
'

test_expect_success JQ 'text/csv gives the same answers' '
	cut -d, -f1-5 "$F/churn.csv" >rows.csv &&
	test "$(req c POST /invocations -H "Content-Type: text/csv" \
		--data-binary @rows.csv)" = 200 &&
	jq -c .predictions out >got && test_cmp want got
'

test_expect_success JQ 'CSV with quotes and CRLF line ends' '
	printf "\"plan\",tenure,charges,region\r\n\"pro\",3,\"99.5\",east\r\n" \
		>q.csv &&
	test "$(req c POST /invocations -H "Content-Type: text/csv" \
		--data-binary @q.csv)" = 200 &&
	test "$(json_get out ".predictions | length")" = 1
'

test_expect_success JQ 'params are accepted; the response shape is MLflow'"'"'s' '
	test "$(post c /invocations "{\"dataframe_split\": {\"columns\":
		[\"tenure\", \"charges\", \"plan\", \"region\"], \"data\":
		[[3, 99.5, \"basic\", \"east\"]]}, \"params\": {\"x\": 1}}")" = 200 &&
	test "$(json_get out "keys | join(\",\")")" = predictions &&
	test "$(json_get out ".predictions | length")" = 1
'

test_expect_success JQ 'multiclass: the label and every class'"'"'s probability per row' '
	mkmodel records "$F/flowers.csv" --drop species >frows.json &&
	test "$(post f /invocations "{\"dataframe_records\": $(cat frows.json)}")" \
		= 200 &&
	cp out f-response.json &&
	mkmodel compare flowers "$F/flowers.csv" f-response.json --mlflow \
		>cmp &&
	test_grep "^240 rows, 0 mismatches$" cmp &&
	test "$(json_get out ".predictions[0] | keys_unsorted | join(\",\")")" = \
		"prediction,$(json_get flowers/mmp-schema.json ".classes | join(\",\")")"
'

test_expect_success JQ 'a bare list: BAD_REQUEST, MLflow'"'"'s message' '
	test "$(post c /invocations "[{\"tenure\": 1}]")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. The input must be a JSON dictionary with exactly one of the input fields {'"'"'instances'"'"', '"'"'dataframe_records'"'"', '"'"'dataframe_split'"'"', '"'"'inputs'"'"'}. Received a list."
'

test_expect_success JQ 'no input field, or several: BAD_REQUEST listing them' '
	test "$(post c /invocations "{\"bogus\": 1}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	json_get out .message | test_grep "Received dictionary with input fields: \[\]\. IMPORTANT: The MLflow Model scoring protocol has changed" - &&
	test "$(post c /invocations "{\"inputs\": {}, \"instances\": []}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	json_get out .message | test_grep "Received dictionary with input fields: \[.inputs., .instances.\]" -
'

test_expect_success JQ 'other keys beside one input field are dropped' '
	test "$(post c /invocations "{\"dataframe_records\": [{\"tenure\": 3,
		\"charges\": 99.5, \"plan\": \"basic\", \"region\": \"east\"}],
		\"bogus\": 1}")" = 200 &&
	test "$(json_get out ".predictions | length")" = 1
'

test_expect_success JQ 'malformed JSON: BAD_REQUEST' '
	test "$(post c /invocations "{\"inputs\": ")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	json_get out .message | test_grep "^Invalid input. Ensure that input is a valid JSON" -
'

test_expect_success JQ 'a missing column: INVALID_PARAMETER_VALUE naming it' '
	test "$(post c /invocations "{\"dataframe_split\": {\"columns\":
		[\"tenure\", \"charges\"], \"data\": [[1, 2]]}}")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = \
		"Failed to predict data: Model is missing inputs ['"'"'plan'"'"', '"'"'region'"'"']." &&
	post c /invocations "{\"dataframe_records\": [{\"tenure\": 1,
		\"charges\": 2, \"plan\": \"pro\"}]}" &&
	test "$(json_get out .message)" = \
		"Failed to predict data: Model is missing inputs ['"'"'region'"'"']." &&
	printf "tenure,charges\n1,2\n" >short.csv &&
	req c POST /invocations -H "Content-Type: text/csv" \
		--data-binary @short.csv &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE
'

test_expect_success JQ 'a positional matrix: cast to the first type, then missing' '
	test "$(post c /invocations "{\"inputs\": [[1, 2, \"pro\", \"east\"]]}")" \
		= 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. invalid literal for int() with base 10: '"'"'pro'"'"'" &&
	test "$(post c /invocations "{\"instances\": [[1, 2], [3, 4]]}")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = "Failed to predict data: Model is missing inputs ['"'"'tenure'"'"', '"'"'charges'"'"', '"'"'plan'"'"', '"'"'region'"'"']."
'

test_expect_success JQ 'extra columns are ignored, as MLflow does' '
	test "$(post c /invocations "{\"dataframe_records\": [{\"tenure\": 3,
		\"charges\": 99.5, \"plan\": \"basic\", \"region\": \"east\",
		\"churned\": \"no\", \"other\": 1}]}")" = 200
'

test_expect_success JQ 'a value pandas cannot cast: BAD_REQUEST, the first column' '
	test "$(post c /invocations "{\"dataframe_split\": {\"columns\":
		[\"tenure\", \"charges\", \"plan\", \"region\"], \"data\":
		[[3, \"x\", \"gold\", \"east\"]]}}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. Data is not compatible with model signature. Failed to convert column charges to type '"'"'float64'"'"'. Error: '"'"'ValueError(\"could not convert string to float: '"'"'x'"'"'\")'"'"'"
'

test_expect_success JQ 'ragged rows and columns: BAD_REQUEST' '
	test "$(post c /invocations "{\"dataframe_split\": {\"columns\":
		[\"tenure\", \"charges\", \"plan\", \"region\"], \"data\":
		[[3, 1, \"pro\"]]}}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. Provided dataframe_split field is not a valid dataframe representation in '"'"'split'"'"' format. Error: '"'"'4 columns passed, passed data had 3 columns'"'"'" &&
	test "$(post c /invocations "{\"instances\": {\"tenure\": [1, 2],
		\"charges\": [1], \"plan\": [\"pro\", \"pro\"],
		\"region\": [\"east\", \"east\"]}}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. The length of values for each input/column name are not the same" &&
	test "$(post c /invocations "{\"inputs\": {\"tenure\": [1, 2],
		\"charges\": [1], \"plan\": [\"pro\", \"pro\"],
		\"region\": [\"east\", \"east\"]}}")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	json_get out .message | test_grep "All arrays must be of the same length$" - &&
	printf "tenure,charges,plan,region\n1,2,pro\n" >ragged.csv &&
	req c POST /invocations -H "Content-Type: text/csv" \
		--data-binary @ragged.csv &&
	test "$(json_get out .message)" = \
		"Invalid input. CSV line 2 has 3 fields, the header has 4."
'

test_expect_success 'another content type: 415 text, MLflow'"'"'s words' '
	test "$(req c POST /invocations -H "Content-Type: text/plain" \
		--data-binary "x")" = 415 &&
	test_grep "^Content-Type: text/plain" hdr &&
	printf "%s" "This predictor only supports the following content types: Types: ['"'"'text/csv'"'"', '"'"'application/json'"'"']. Got '"'"'text/plain'"'"'." >expect &&
	test_cmp expect out
'

test_expect_success 'stop' '
	serve_stop c && serve_stop f
'

test_done
