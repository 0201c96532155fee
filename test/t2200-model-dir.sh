#!/bin/sh
# t2200-model-dir: the model directory as MLflow reads it: the signature's
# column types and the python_function loader shipped in code/

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import xgboost, numpy, pandas' 2>/dev/null; then
	test_set_prereq PYPD
fi

# mlmodel_json DIR inputs|outputs: the signature's column list as JSON
mlmodel_json() {
	sed -n "s/^  $2: '\(.*\)'\$/\1/p" "$1/MLmodel" | sed "s/''/'/g"
}

test_expect_success JQ 'train the bundled recipes' '
	mmp init -q proj &&
	cp "$RECIPES/diabetes.yaml" "$RECIPES/penguins.yaml" proj/recipes/ &&
	cp "$RECIPES/data/diabetes.csv" "$RECIPES/data/penguins.csv" \
		proj/recipes/data/ &&
	for r in breast-cancer diabetes penguins
	do
		(cd proj && mmp train --recipe recipes/$r.yaml --json) \
			>$r.json || return 1
		test "$(json_get $r.json .status)" = FINISHED || return 1
		json_get $r.json .model_dir >$r.dir || return 1
	done
'

test_expect_success JQ 'penguins: gaps make a column double, strings make it string' '
	mlmodel_json "$(cat penguins.dir)" inputs >in.json &&
	jq -r ".[] | \"\(.name) \(.type) \(.required)\"" in.json >actual &&
	cat >expect <<-\EOF &&
	island string true
	bill_length_mm double true
	bill_depth_mm double true
	flipper_length_mm double true
	body_mass_g double true
	sex string true
	year long true
	EOF
	test_cmp expect actual &&
	jq -r ".features[] | \"\(.name) \(.type)\"" \
		"$(cat penguins.dir)/mmp-schema.json" >actual &&
	cut -d" " -f1,2 expect >expect2 &&
	test_cmp expect2 actual
'

test_expect_success JQ 'the outputs name what the pyfunc loader returns' '
	mlmodel_json "$(cat penguins.dir)" outputs |
		jq -r ".[] | \"\(.name) \(.type)\"" >actual &&
	printf "%s\n" "prediction string" "Adelie float" "Chinstrap float" \
		"Gentoo float" >expect &&
	test_cmp expect actual &&
	mlmodel_json "$(cat breast-cancer.dir)" outputs |
		jq -r ".[] | \"\(.name) \(.type)\"" >actual &&
	printf "%s\n" "prediction string" "0 float" "1 float" >expect &&
	test_cmp expect actual &&
	mlmodel_json "$(cat diabetes.dir)" outputs |
		jq -r ".[] | \"\(.name) \(.type)\"" >actual &&
	echo "prediction float" >expect &&
	test_cmp expect actual
'

test_expect_success 'the python_function flavor names the shipped loader' '
	cat >expect <<-\EOF &&
	  python_function:
	    code: code
	    data: model.ubj
	    env:
	      conda: conda.yaml
	      virtualenv: python_env.yaml
	    loader_module: mmp_pyfunc
	    python_version: 3.11.2
	  xgboost:
	EOF
	for r in breast-cancer diabetes penguins
	do
		d=$(cat $r.dir) &&
		sed -n "/^  python_function:/,/^  xgboost:/p" "$d/MLmodel" \
			>flavor &&
		test_cmp expect flavor &&
		cmp "$SRC_DIR/lib/model/mmp_pyfunc.py" "$d/code/mmp_pyfunc.py" ||
		return 1
	done
'

# load.py: MLflow's pyfunc contract without MLflow
cp "$TEST_DIRECTORY/helpers/pyfunc_load.py" load.py

test_expect_success PYPD 'every signature type takes what pandas reads from the data' '
	cat >sigtypes.py <<-\EOF &&
	import json, sys
	import pandas as pd
	d, csv = sys.argv[1:3]
	line = [l for l in open(d + "/MLmodel").read().splitlines()
	        if l.startswith("  inputs: ")][0]
	cols = json.loads(line[len("  inputs: "):].strip("\x27")
	                  .replace("\x27\x27", "\x27"))
	df = pd.read_csv(csv)
	# what MLflow 2 takes for each type without a lossy conversion
	ok = {"long": "iu", "double": "f", "string": "O"}
	bad = [(c["name"], c["type"], str(df[c["name"]].dtype)) for c in cols
	       if df[c["name"]].dtype.kind not in ok[c["type"]]]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 sigtypes.py "$(cat penguins.dir)" \
		proj/recipes/data/penguins.csv &&
	/usr/bin/python3 sigtypes.py "$(cat diabetes.dir)" \
		proj/recipes/data/diabetes.csv &&
	/usr/bin/python3 sigtypes.py "$(cat breast-cancer.dir)" \
		proj/recipes/data/breast_cancer.csv
'

test_expect_success PYPD 'the loader predicts a categorical model from a raw CSV frame' '
	cat >cat.py <<-\EOF &&
	import sys
	import numpy as np, pandas as pd
	sys.path.insert(0, ".")
	from load import load
	m = load(sys.argv[1])
	df = pd.read_csv(sys.argv[2])
	assert df["sex"].isna().sum() > 0 and df["body_mass_g"].isna().sum() > 0
	out = m.predict(df)
	assert list(out.columns) == ["prediction", "Adelie", "Chinstrap",
	                             "Gentoo"], out.columns
	assert len(out) == len(df) == 344
	p = out[["Adelie", "Chinstrap", "Gentoo"]].to_numpy()
	assert p.dtype == np.float32, p.dtype
	assert np.all(np.abs(p.sum(axis=1) - 1) < 1e-5)
	want = np.array(["Adelie", "Chinstrap", "Gentoo"])[np.argmax(p, axis=1)]
	assert (out["prediction"].to_numpy() == want).all()
	acc = (out["prediction"] == df["species"]).mean()
	assert acc > 0.95, acc
	print("ok", acc)
	EOF
	/usr/bin/python3 cat.py "$(cat penguins.dir)" proj/recipes/data/penguins.csv
'

test_expect_success PYPD 'the loader reads missing values, text and records as mmp does' '
	cat >na.py <<-\EOF &&
	import sys, warnings
	import numpy as np, pandas as pd
	sys.path.insert(0, ".")
	from load import load
	m = load(sys.argv[1])
	df = pd.read_csv(sys.argv[2]).drop(columns=["species"])
	base = m.predict(df)
	# the same rows as text, missing values in every spelling mmp reads
	spell = ["NA", "N/A", "NaN", "nan", "null", "NULL", "", "  ", None]
	txt = pd.DataFrame({c: [spell[(i + j) % len(spell)] if pd.isna(v)
	                        else str(v) for i, v in enumerate(df[c])]
	                    for j, c in enumerate(df.columns)})
	pd.testing.assert_frame_equal(base, m.predict(txt))
	# one record as a dict: numbers as text, an integral float category
	rec = {"island": "Biscoe", "bill_length_mm": "45.2",
	       "bill_depth_mm": 14.8, "flipper_length_mm": 212,
	       "body_mass_g": None, "sex": "female", "year": 2009.0}
	one = m.predict(rec)
	two = m.predict(pd.DataFrame([dict(rec, bill_length_mm=45.2,
	                                   body_mass_g=np.nan, year="2009")]))
	pd.testing.assert_frame_equal(one, two)
	assert one["prediction"][0] == "Gentoo", one
	# an unseen category is a missing value, with a warning
	with warnings.catch_warnings(record=True) as w:
	    warnings.simplefilter("always")
	    unseen = m.predict(dict(rec, island="Atlantis"))
	msgs = [str(x.message) for x in w]
	assert any("\x27island\x27: 1 value not among" in s for s in msgs), msgs
	pd.testing.assert_frame_equal(unseen, m.predict(dict(rec, island=None)))
	# errors name the column and the row
	for bad, want in (
	        (df.drop(columns=["island"]), "input has no column \x27island\x27"),
	        (dict(rec, bill_depth_mm="deep"), "column \x27bill_depth_mm\x27, "
	         "row 0: expected a number, got \x27deep\x27")):
	    try:
	        m.predict(bad)
	    except ValueError as e:
	        assert want in str(e), str(e)
	    else:
	        sys.exit("no error: " + want)
	print("ok")
	EOF
	/usr/bin/python3 na.py "$(cat penguins.dir)" proj/recipes/data/penguins.csv
'

test_expect_success PYPD 'the loader gives binary labels, both probabilities and entities' '
	cat >bin.py <<-\EOF &&
	import sys
	import numpy as np, pandas as pd
	sys.path.insert(0, ".")
	from load import load
	m = load(sys.argv[1])
	df = pd.read_csv(sys.argv[2])
	out = m.predict(df)
	assert list(out.columns) == ["prediction", "0", "1"], out.columns
	p = out["1"].to_numpy()
	assert (out["0"].to_numpy() == np.float32(1) - p).all()
	assert (out["prediction"].to_numpy() ==
	        np.where(p > np.float32(0.5), "1", "0")).all()
	m.entities = ["id"]
	out = m.predict(df.assign(id=["r%d" % i for i in range(len(df))]))
	assert list(out.columns) == ["id", "prediction", "0", "1"], out.columns
	assert out["id"][3] == "r3"
	print("ok")
	EOF
	/usr/bin/python3 bin.py "$(cat breast-cancer.dir)" \
		proj/recipes/data/breast_cancer.csv
'

test_done
