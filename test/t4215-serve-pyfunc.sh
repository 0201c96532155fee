#!/bin/sh
# t4215-serve-pyfunc: for a model directory mmp wrote, POST /invocations
# answers byte for byte what `mlflow models serve` answers for it: the
# records the directory's own loader (code/mmp_pyfunc.py) returns, as
# MLflow's scoring server writes them. Checked for every bundled recipe
# and a model with categories and entity columns, in every body shape,
# against the loader itself run in Python on the frame the scoring server
# builds (mmp-serve-api(1), DIFFERENCES FROM MLFLOW).

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import xgboost, numpy, pandas' 2>/dev/null; then
	test_set_prereq PYPD
fi

# bodies.py CSV MODEL_DIR: the CSV's rows in every body shape the scoring
# server reads, numbers written as the file has them, every column of the
# file (the target and entity columns too) and an unknown one; every
# fifth row of a model with categories gets one it has not seen
cat >bodies.py <<\EOF
import csv, json, sys
path, model_dir = sys.argv[1:3]
schema = json.load(open(model_dir + "/mmp-schema.json"))
kinds = {f["name"]: f["kind"] for f in schema["features"]}
cats = [f["name"] for f in schema["features"] if f["kind"] == "categorical"]
NA = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"}
rows = list(csv.DictReader(open(path, newline="")))
for i, r in enumerate(rows):
    r["unknown column"] = "x%d" % i
    if cats and i % 5 == 4:
        r[cats[i % len(cats)]] = "never seen"
names = list(rows[0].keys())
def cell(n, v):
    if v.strip() in NA:
        return "null"
    if kinds.get(n) == "numeric":
        return v
    return json.dumps(v)
recs = ["{" + ", ".join("%s: %s" % (json.dumps(n), cell(n, r[n]))
                        for n in names) + "}" for r in rows]
records = "[" + ",\n".join(recs) + "]"
def write(name, text):
    open(name, "w").write(text)
write("records.json", '{"dataframe_records": %s}' % records)
write("instances.json", '{"instances": %s}' % records)
write("inputs.json", '{"inputs": %s}' % records)
write("split.json", '{"dataframe_split": {"columns": %s, "data": [%s]}}' % (
    json.dumps(names), ",\n".join("[" + ", ".join(cell(n, r[n])
                                                  for n in names) + "]"
                                  for r in rows)))
cols = "{" + ", ".join("%s: [%s]" % (json.dumps(n), ", ".join(
    cell(n, r[n]) for r in rows)) for n in names) + "}"
write("inputs-columns.json", '{"inputs": %s}' % cols)
write("instances-columns.json", '{"instances": %s}' % cols)
with open("body.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(names)
    for r in rows:
        w.writerow([r[n] for n in names])
EOF

# expect.py MODEL_DIR BODY: what `mlflow models serve` answers for BODY
# (a .json body, or .csv), written the way its scoring server writes it.
# The request is read as MLflow 2's scoring server reads it
# (dataframe_from_parsed_json, cast_df_types_according_to_schema,
# parse_instances_data, _cast_schema_type and convert_data_type in
# mlflow/utils/proto_json_utils.py, parse_csv_input in
# mlflow/pyfunc/scoring_server), the frame is made to the signature as
# _enforce_schema and _enforce_mlflow_datatype in mlflow/models/utils.py
# make it, and the directory's loader predicts, as
# mlflow.pyfunc.load_model() loads it. The errors it re-creates are
# printed as the server's 400 body, with exit status 3; mmp leaves out
# the repr() of the data and of the schema that MLflow's "Failed to
# predict data" and "Failed to enforce schema of data" quote. Any other
# error is an exception (exit status 1).
cat >expect.py <<\EOF
import importlib, io, json, os, sys
import numpy as np, pandas as pd
d, body = sys.argv[1:3]
ml = open(d + "/MLmodel").read()
line = [l for l in ml.splitlines() if l.startswith("  inputs: ")][0]
sig = json.loads(line[len("  inputs: "):].strip("'").replace("''", "'"))
types = {c["name"]: c["type"] for c in sig}
NUMPY = {"double": np.dtype("float64"), "long": np.dtype("int64"),
         "string": np.dtype("str")}
PANDAS = {"double": np.dtype("float64"), "long": np.dtype("int64"),
          "string": np.dtype("O")}

class Answer(Exception):
    def __init__(self, code, message):
        self.code, self.message = code, message

def invalid_input(message):            # MlflowInvalidInputException
    return Answer("BAD_REQUEST", "Invalid input. " + message)

def not_enforced(message):             # _validate_prediction_input
    return Answer("INVALID_PARAMETER_VALUE", "Failed to predict data: "
                  "Failed to enforce schema of data: " + message)

def cast_frame(pdf):
    for n, t in types.items():
        if n in pdf.columns:
            try:
                pdf[n] = pdf[n].astype(PANDAS[t], copy=False)
            except Exception as ex:
                raise invalid_input("Data is not compatible with model "
                                    "signature. Failed to convert column "
                                    "%s to type '%s'. Error: '%r'"
                                    % (n, PANDAS[t], ex))
    return pdf

# mmp names the column a ragged list is in, which numpy does not
def ragged(ex, n):
    return "Column '%s': " % n if isinstance(ex, ValueError) and \
        "inhomogeneous" in str(ex) else ""

def convert(v, n):
    try:
        if n not in types:
            return np.array(v)
        t = NUMPY[types[n]]
        return np.array(v, t) if isinstance(v, list) else np.array([v], t)[0]
    except Exception as ex:
        raise invalid_input(ragged(ex, n) + "%s" % ex)

def tensor(items, instances):
    assert isinstance(items, dict) or (instances and items and
                                       isinstance(items[0], dict)) or \
        all(isinstance(x, dict) for x in items)
    try:
        if instances and isinstance(items, list) and items and \
           isinstance(items[0], dict):
            cols = {}
            for item in items:
                for k, v in item.items():
                    cols.setdefault(k, []).append(convert(v, k))
            for k, v in cols.items():
                try:
                    cols[k] = np.array(v)
                except Exception as e:
                    raise invalid_input("%sEnsure that the input is a valid "
                                        "JSON-formatted string.\nError: %r"
                                        % (ragged(e, k), e))
        elif isinstance(items, dict):
            cols = {k: convert(v, k) for k, v in items.items()}
        else:
            return [{k: convert(v, k) for k, v in item.items()}
                    for item in items]
    except Answer:
        raise
    except Exception as e:
        raise invalid_input("Ensure that the input is a valid "
                            "JSON-formatted string.\nError: %r" % e)
    n = set(len(v) for k, v in cols.items()
            if k in types and isinstance(v, np.ndarray))
    if instances and len(n) > 1:
        raise invalid_input("The length of values for each input/column "
                            "name are not the same")
    return cols

def datatype(n, v, t):                 # _enforce_mlflow_datatype
    if v.dtype == object and t != "string":
        v = v.infer_objects()
    if t == "string" and v.dtype == object:
        return v
    if v.dtype == PANDAS[t]:
        return v
    raise not_enforced("Incompatible input types for column %s. Can not "
                       "safely convert %s to %s." % (n, v.dtype, PANDAS[t]))

def enforce(pf):
    if isinstance(pf, dict):
        try:
            if all(np.isscalar(v) or v is None for v in pf.values()):
                pf = pd.DataFrame([pf])
            else:
                pf = pd.DataFrame({k: v.tolist() if isinstance(v, np.ndarray)
                                   and v.ndim > 1 else v
                                   for k, v in pf.items()})
        except Exception as e:
            raise not_enforced("This model contains a column-based "
                               "signature, which suggests a DataFrame input."
                               " There was an error casting the input data "
                               "to a DataFrame: %s" % e)
    elif not isinstance(pf, pd.DataFrame):
        pf = pd.DataFrame(pf)
    missing = [n for n in types if n not in pf.columns]
    assert not missing, missing
    out = pd.DataFrame()
    for n, t in types.items():
        out[n] = datatype(n, pf[n], t)
    return out

try:
    if body.endswith(".csv"):
        frame = pd.read_csv(io.StringIO(open(body).read()),
                            dtype={n: PANDAS[t] for n, t in types.items()})
    else:
        doc = json.load(open(body))
        (fmt, val), = [(k, v) for k, v in doc.items() if k in
                       ("dataframe_records", "dataframe_split", "instances",
                        "inputs")]
        if fmt == "dataframe_records":
            frame = cast_frame(pd.DataFrame(data=val))
        elif fmt == "dataframe_split":
            frame = cast_frame(pd.DataFrame(index=val.get("index"),
                                            columns=val.get("columns"),
                                            data=val["data"]))
        else:
            frame = tensor(val, fmt == "instances")
    frame = enforce(frame)
except Answer as a:
    sys.stdout.write(json.dumps({"error_code": a.code,
                                 "message": a.message}))
    sys.exit(3)

sys.path.insert(0, os.path.join(d, "code"))
model = importlib.import_module("mmp_pyfunc")._load_pyfunc(
    os.path.join(d, "model.ubj"))
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    out = model.predict(frame)
sys.stdout.write(json.dumps({"predictions": out.to_dict(orient="records")}))
EOF

BODIES="records.json split.json instances.json inputs.json
	inputs-columns.json instances-columns.json body.csv"

# check NAME DIR CSV: every body shape answers what the loader answers
check() {
	/usr/bin/python3 bodies.py "$3" "$2" &&
	serve_start $1 --model-dir "$2" &&
	for b in $BODIES
	do
		/usr/bin/python3 expect.py "$2" $b >expect || return 1
		case $b in
		*.csv)	st=$(req $1 POST /invocations \
				-H "Content-Type: text/csv" --data-binary @$b) ;;
		*)	st=$(post $1 /invocations @$b) ;;
		esac
		test "$st" = 200 && test_cmp expect out || return 1
	done &&
	serve_stop $1 &&
	test "$(cat $1.rc)" = 0
}

test_expect_success 'set up the bundled recipes' '
	mmp init -q proj &&
	cp "$RECIPES"/*.yaml proj/recipes/ &&
	cp "$RECIPES"/data/*.csv proj/recipes/data/
'

for r in breast-cancer diabetes penguins
do
	test_expect_success PYPD,JQ "$r: /invocations answers what the loader returns" '
		(cd proj && mmp train -q --recipe recipes/$r.yaml --json) >$r.json &&
		csv=$(sed -n "s/^  source: //p" "$RECIPES/$r.yaml") &&
		check $r "$(json_get $r.json .model_dir)" proj/recipes/$csv
	'
done

test_expect_success PYPD,JQ 'categories and entity columns: the loader'"'"'s records' '
	mkmodel train churn "$FIXTURES/serve/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	check churn churn "$FIXTURES/serve/churn.csv"
'

# body SHAPE LITERAL: a request of two rows whose first "code" is LITERAL
body() {
	case $1 in
	split)	printf '{"dataframe_split": {"columns": ["code", "x"], "data": [[%s, 0.5], ["1", 0.5]]}}' "$2" ;;
	*-columns)
		printf '{"%s": {"code": [%s, "1"], "x": [0.5, 0.5]}}' "${1%-columns}" "$2" ;;
	*)	printf '{"%s": [{"code": %s, "x": 0.5}, {"code": "1", "x": 0.5}]}' "$1" "$2" ;;
	esac >body.json
}

test_expect_success PYPD,JQ 'a number for a category: the text pandas or numpy makes of it' '
	awk "BEGIN { print \"code,x,y\"
		for (i = 0; i < 400; i++) {
			c = i % 4 == 3 ? 2007 : i % 4 + 1
			printf \"%d,%.2f,%s\\n\", c, (i * 37 % 100) / 100,
				c == 2 || c == 2007 ? \"yes\" : \"no\"
		} }" >codes.csv &&
	mkmodel train codes codes.csv binary y --cat code &&
	serve_start k --model-dir codes &&
	for lit in 3 3.0 "\"3\"" 30e-1 3E0 3.5 true null "\"3.0\"" \
		2.007e3 1e17 -0.0 12345678901234567890 "[3]" \
		"{\"a\": 3}"
	do
		for shape in dataframe_records split instances inputs \
			inputs-columns instances-columns
		do
			body $shape "$lit" &&
			st=$(post k /invocations @body.json) &&
			/usr/bin/python3 expect.py codes body.json >expect \
				2>/dev/null
			case $? in
			0)	test "$st" = 200 && test_cmp expect out ;;
			3)	test "$st" = 400 && test_cmp expect out ;;
			*)	test "$st" = 400 &&
				test "$(json_get out .error_code)" = BAD_REQUEST ;;
			esac || { echo "code $lit in $shape"; return 1; }
		done
	done &&
	body instances 3 && post k /invocations @body.json && mv out three &&
	body instances 3.0 && post k /invocations @body.json &&
	! test_cmp three out >/dev/null &&
	body dataframe_records 3.0 && post k /invocations @body.json &&
	test_cmp three out &&
	serve_stop k
'

# lists CODE1 X1 CODE2 X2: two rows of the codes model, in every shape,
# into SHAPE.json
lists() {
	printf '{"dataframe_records": [{"code": %s, "x": %s}, {"code": %s, "x": %s}]}' \
		"$@" >dataframe_records.json &&
	printf '{"dataframe_split": {"columns": ["code", "x"], "data": [[%s, %s], [%s, %s]]}}' \
		"$@" >split.json &&
	for s in instances inputs
	do
		printf '{"%s": [{"code": %s, "x": %s}, {"code": %s, "x": %s}]}' \
			$s "$@" >$s.json &&
		printf '{"%s": {"code": [%s, %s], "x": [%s, %s]}}' \
			$s "$1" "$3" "$2" "$4" >$s-columns.json || return 1
	done
}

test_expect_success PYPD,JQ 'lists in a column: what MLflow answers, byte for byte' '
	serve_start l --model-dir codes &&
	while read c1 x1 c2 x2
	do
		lists "$c1" "$x1" "$c2" "$x2" &&
		for shape in dataframe_records split instances inputs \
			inputs-columns instances-columns
		do
			st=$(post l /invocations @$shape.json) &&
			/usr/bin/python3 expect.py codes $shape.json >expect
			case $? in
			0)	test "$st" = 200 ;;
			3)	test "$st" = 400 ;;
			*)	false ;;
			esac &&
			test_cmp expect out ||
			{ echo "$shape: $(cat $shape.json)"; return 1; }
		done
	done <<-\EOF &&
	"1"	[0.5,1]	"1"	[0.5,2]
	"1"	[0.5,1]	"1"	0.5
	"1"	0.5	"1"	[0.5,1]
	"1"	[[0.5],1]	"1"	0.5
	"1"	[]	"1"	[]
	"1"	["a",1]	"1"	["b",2]
	"1"	[[1,2],[3,4]]	"1"	[[1,2],[3,4]]
	"1"	[[1,2],[3]]	"1"	0.5
	"1"	[1e39,1]	"1"	[2,3]
	["1","2"]	0.5	["2","3"]	0.5
	["1"]	0.5	"2"	0.5
	["1",["2"]]	0.5	"2"	0.5
	["1"]	0.5	["2","3"]	0.5
	["1","2"]	[0.5,1]	["2","3"]	[0.5,1]
	EOF
	lists "[\"1\", \"2\"]" 0.5 "[\"2\", \"3\"]" 0.5 &&
	test "$(post l /invocations @instances.json)" = 200 &&
	mv out lists.out &&
	lists null 0.5 null 0.5 &&
	test "$(post l /invocations @instances.json)" = 200 &&
	test_cmp out lists.out &&
	lists "\"1\"" "[0.5, 1]" "\"1\"" "[0.5, 2]" &&
	test "$(post l /invocations @inputs.json)" = 400 &&
	test "$(json_get out .error_code)" = INVALID_PARAMETER_VALUE &&
	test "$(json_get out .message)" = "Failed to predict data: Failed to enforce schema of data: Incompatible input types for column x. Can not safely convert object to float64." &&
	serve_stop l
'

test_expect_success PYPD,JQ 'a directory of the xgboost flavor keeps its bare numbers' '
	dir=$(json_get breast-cancer.json .model_dir) &&
	mkdir xgbflavor &&
	cp "$dir/model.ubj" xgbflavor/ &&
	sed -e "s/loader_module: mmp_pyfunc/loader_module: mlflow.xgboost/" \
		-e "/^    code: code$/d" "$dir/MLmodel" >xgbflavor/MLmodel &&
	serve_start x --model-dir xgbflavor &&
	serve_start m --model-dir "$dir" &&
	/usr/bin/python3 bodies.py proj/recipes/data/breast_cancer.csv "$dir" &&
	test "$(post x /invocations @split.json)" = 200 &&
	mv out got &&
	test "$(post m /invocations @split.json)" = 200 &&
	/usr/bin/python3 -c "import json, sys
second = json.load(open(sys.argv[1]))[\"classes\"][1]
recs = json.load(open(\"out\"))[\"predictions\"]
sys.stdout.write(json.dumps({\"predictions\": [r[second] for r in recs]}))
" "$dir/mmp-schema.json" >want &&
	test "$(jq ".predictions | length" want)" = 569 &&
	test_cmp want got &&
	serve_stop x && serve_stop m
'

test_done
