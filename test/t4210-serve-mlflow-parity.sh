#!/bin/sh
# t4210-serve-mlflow-parity: POST /invocations answers as MLflow's
# scoring server does for the same model: numeric strings and booleans in
# numeric columns, nulls, empty inputs, the dataframe, instances and
# inputs shapes, CSV, missing and extra columns (mmp-serve-api(1),
# DIFFERENCES FROM MLFLOW)

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

# the same customer as a record, with some field replaced: rec K V
rec() {
	printf '{"tenure": 32, "charges": 99.52, "plan": "pro", "region": "east"}' |
	jq -c ".$1 = $2"
}

# inv BODY: POST /invocations, the status
inv() {
	post c /invocations "$1"
}

# pred: the first prediction of the last answer
pred() {
	json_get out ".predictions[0]"
}

test_expect_success JQ 'set up; the prediction for one customer' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	serve_start c --model-dir churn &&
	test "$(inv "{\"dataframe_records\": [$(rec tenure 32)]}")" = 200 &&
	pred >base && test -s base &&
	test "$(inv "{\"dataframe_records\": [$(rec charges 1)]}")" = 200 &&
	pred >one &&
	test "$(inv "{\"dataframe_records\": [$(rec charges null)]}")" = 200 &&
	pred >nan &&
	test "$(inv "{\"dataframe_records\": [$(rec plan null)]}")" = 200 &&
	pred >noplan &&
	! test_cmp base one >/dev/null && ! test_cmp base nan >/dev/null
'

test_expect_success JQ 'numeric strings are numbers, in every JSON shape' '
	for body in \
		"{\"dataframe_records\": [$(rec tenure "\"32\"")]}" \
		"{\"dataframe_records\": [$(rec charges "\" 99.52 \"")]}" \
		"{\"dataframe_split\": {\"columns\": [\"tenure\", \"charges\", \"plan\", \"region\"], \"data\": [[\"32\", \"99.52\", \"pro\", \"east\"]]}}" \
		"{\"instances\": [$(rec tenure "\"+32\"")]}" \
		"{\"inputs\": [$(rec charges "\"99.52\"")]}" \
		"{\"inputs\": {\"tenure\": \"32\", \"charges\": \"99.52\", \"plan\": \"pro\", \"region\": \"east\"}}"
	do
		test "$(inv "$body")" = 200 && pred >got &&
		test_cmp base got || return 1
	done
'

test_expect_success JQ 'booleans are 1 and 0; an integer column truncates' '
	test "$(inv "{\"dataframe_records\": [$(rec charges true)]}")" = 200 &&
	pred >got && test_cmp one got &&
	test "$(inv "{\"instances\": [$(rec charges true)]}")" = 200 &&
	pred >got && test_cmp one got &&
	test "$(inv "{\"dataframe_records\": [$(rec tenure 32.9)]}")" = 200 &&
	pred >got && test_cmp base got &&
	test "$(inv "{\"inputs\": [$(rec tenure 32.9)]}")" = 200 &&
	pred >got && test_cmp base got
'

test_expect_success JQ 'null: missing in a float column, refused in an integer one' '
	test "$(inv "{\"dataframe_records\": [$(rec charges "\"NaN\"")]}")" = 200 &&
	pred >got && test_cmp nan got &&
	test "$(inv "{\"dataframe_records\": [$(rec tenure null)]}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. Data is not compatible with model signature. Failed to convert column tenure to type '"'"'int64'"'"'. Error: '"'"'IntCastingNaNError('"'"'Cannot convert non-finite values (NA or inf) to integer'"'"')'"'"'" &&
	test "$(inv "{\"instances\": [$(rec tenure null)]}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. int() argument must be a string, a bytes-like object or a real number, not '"'"'NoneType'"'"'"
'

test_expect_success JQ 'strings that are no number: BAD_REQUEST, Python'"'"'s words' '
	test "$(inv "{\"dataframe_records\": [$(rec tenure "\"3.0\"")]}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. Data is not compatible with model signature. Failed to convert column tenure to type '"'"'int64'"'"'. Error: '"'"'ValueError(\"invalid literal for int() with base 10: '"'"'3.0'"'"'\")'"'"'" &&
	test "$(inv "{\"inputs\": [$(rec charges "\"\"")]}")" = 400 &&
	test "$(json_get out .message)" = "Invalid input. could not convert string to float: '"'"''"'"'" &&
	test "$(inv "{\"dataframe_records\": [$(rec charges "{\"a\": 1}")]}")" = 400 &&
	json_get out .message | test_grep "TypeError\\(\"float\\(\\) argument must be a string or a real number, not .dict.\"\\)" -
'

test_expect_success JQ 'a category the model has not seen is missing' '
	test "$(inv "{\"dataframe_records\": [$(rec plan "\"gold\"")]}")" = 200 &&
	pred >got && test_cmp noplan got &&
	test "$(inv "{\"instances\": [$(rec plan 7)]}")" = 200 &&
	pred >got && test_cmp noplan got
'

test_expect_success JQ 'no rows: dataframe_split answers none, a list misses every input' '
	test "$(inv "{\"dataframe_split\": {\"columns\": [\"tenure\", \"charges\", \"plan\", \"region\"], \"data\": []}}")" = 200 &&
	test "$(jq -c . out)" = "{\"predictions\":[]}" &&
	for body in "{\"dataframe_records\": []}" "{\"instances\": []}" \
		"{\"inputs\": []}" "{\"dataframe_split\": {\"data\": []}}"
	do
		test "$(inv "$body")" = 400 &&
		test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
		test "$(json_get out .message)" = "Failed to predict data: Model is missing inputs ['"'"'tenure'"'"', '"'"'charges'"'"', '"'"'plan'"'"', '"'"'region'"'"']." ||
		return 1
	done
'

test_expect_success JQ 'missing and extra columns: the extras are named too' '
	test "$(inv "{\"dataframe_records\": [{\"tenure\": 1, \"charges\": 2,
		\"plan\": \"pro\", \"foo\": 1}, {\"tenure\": 2, \"bar\": 2, \"foo\": 3}]}")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = "Failed to predict data: Model is missing inputs ['"'"'region'"'"']. Note that there were extra inputs: ['"'"'foo'"'"', '"'"'bar'"'"']" &&
	test "$(inv "{\"dataframe_records\": [$(rec foo 1)]}")" = 200 &&
	pred >got && test_cmp base got
'

test_expect_success JQ 'records missing a field: instances, inputs and dataframe_records differ' '
	two="[$(rec tenure 32), {\"tenure\": 5, \"plan\": \"pro\", \"region\": \"east\"}]" &&
	test "$(inv "{\"instances\": $two}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Invalid input. The length of values for each input/column name are not the same" &&
	test "$(inv "{\"inputs\": $two}")" = 200 &&
	test "$(json_get out ".predictions | length")" = 2 &&
	test "$(inv "{\"dataframe_records\": $two}")" = 200 &&
	json_get out ".predictions[0]" >got && test_cmp base got &&
	two="[$(rec tenure 32), {\"charges\": 5, \"plan\": \"pro\", \"region\": \"east\"}]" &&
	test "$(inv "{\"inputs\": $two}")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = "Failed to predict data: Failed to enforce schema of data: Incompatible input types for column tenure. Can not safely convert float64 to int64."
'

test_expect_success JQ 'a dictionary of columns or of values, in instances and inputs' '
	for key in instances inputs
	do
		test "$(inv "{\"$key\": {\"tenure\": [32, 5], \"charges\": [99.52, 1],
			\"plan\": [\"pro\", \"pro\"], \"region\": [\"east\", \"east\"]}}")" = 200 &&
		pred >got && test_cmp base got &&
		test "$(json_get out ".predictions | length")" = 2 &&
		test "$(inv "{\"$key\": $(rec tenure 32)}")" = 200 &&
		pred >got && test_cmp base got || return 1
	done
'

# csv BODY: POST it as text/csv, the status
csv() {
	printf "$1" >body.csv &&
	req c POST /invocations -H "Content-Type: text/csv" \
		--data-binary @body.csv
}

test_expect_success JQ 'CSV: pandas'"'"' spellings of booleans and missing values' '
	test "$(csv "tenure,charges,plan,region\n32,99.52,pro,east\n")" = 200 &&
	pred >got && test_cmp base got &&
	test "$(csv "tenure,charges,plan,region\n32.0, 99.52 ,pro,east\n\n")" = 200 &&
	pred >got && test_cmp base got &&
	test "$(csv "tenure,charges,plan,region\nTRUE,True,pro,east\n")" = 200 &&
	test "$(csv "tenure,charges,plan,region\n32,1,pro,east\n")" = 200 &&
	pred >want &&
	test "$(csv "tenure,charges,plan,region\n32,true,pro,east\n")" = 200 &&
	pred >got && test_cmp want got &&
	test "$(csv "tenure,charges,plan,region\n32,#N/A,pro,east\n")" = 200 &&
	pred >got && test_cmp nan got &&
	test "$(csv "tenure,charges,plan,region\n32,99.52,NA,east\n")" = 200 &&
	pred >got && test_cmp noplan got &&
	test "$(csv "tenure,charges,plan,region\n")" = 200 &&
	test "$(jq -c . out)" = "{\"predictions\":[]}"
'

test_expect_success JQ 'CSV: what read_csv refuses is BAD_REQUEST, in its words' '
	test "$(csv "tenure,charges,plan,region\n,99.52,pro,east\n")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	test "$(json_get out .message)" = "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '"'"'Integer column has NA values in column 0'"'"'" &&
	test "$(csv "plan,tenure,charges,region\npro,3.5,1,east\n")" = 400 &&
	json_get out .message | test_grep "Error: .cannot safely convert passed user dtype of int64 for float64 dtyped data in column 1.$" - &&
	test "$(csv "tenure,charges,plan,region\n1,x,pro,east\n")" = 400 &&
	json_get out .message | test_grep "Error: .could not convert string to float: .x..$" - &&
	test "$(csv "")" = 400 &&
	json_get out .message | test_grep "Error: .No columns to parse from file.$" - &&
	test "$(csv "tenure,charges,plan,other\n1,2,pro,x\n")" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = "Failed to predict data: Model is missing inputs ['"'"'region'"'"']. Note that there were extra inputs: ['"'"'other'"'"']"
'

test_expect_success JQ 'beyond a 32-bit float: refused, naming the column' '
	test "$(inv "{\"dataframe_records\": [$(rec charges 1e39)]}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	json_get out .message | test_grep "^Invalid input. Column .charges.: 1e\\+39 is out of range \\(a number is at most 3.40282347e\\+38 in magnitude\\)\\.$" - &&
	test "$(inv "{\"dataframe_records\": [$(rec charges "\"inf\"")]}")" = 400 &&
	test "$(json_get out .error_code)" = BAD_REQUEST &&
	json_get out .message | test_grep "^Invalid input. Column .charges.: \"inf\" is out of range" -
'

test_expect_success 'content type parameters: utf-8 only, no others' '
	body="{\"dataframe_records\": [$(rec tenure 32)]}" &&
	test "$(req c POST /invocations -H "Content-Type: application/json; charset=UTF-8" \
		--data-binary "$body")" = 200 &&
	test "$(req c POST /invocations -H "Content-Type: application/json; charset=latin-1" \
		--data-binary "$body")" = 415 &&
	printf "The scoring server only supports UTF-8" >expect &&
	test_cmp expect out &&
	test "$(req c POST /invocations -H "Content-Type: text/csv; format=pandas-split" \
		--data-binary "$body")" = 415 &&
	test_grep "^Unrecognized content type parameters: format\. IMPORTANT" out
'

test_expect_success 'stop' '
	serve_stop c
'

test_done
