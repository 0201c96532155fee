# SPDX-License-Identifier: MIT
# drift-lib.sh: synthetic rows with known drift for the monitoring tests.

# drift_rows N SEED X2_SHIFT NEW_CATEGORY_SHARE FIRST_ID: a CSV of id, x1,
# x2, x3 (standard normal, x2 shifted), c (a .5, b .3, c .2; "d" with the
# given share) and y, which depends on x1 and c only
drift_rows() {
	awk -v n="$1" -v seed="$2" -v shift="$3" -v newc="$4" -v first="$5" '
	function gauss() {
		return sqrt(-2 * log(1 - rand())) * \
			cos(6.283185307179586 * rand())
	}
	BEGIN {
		srand(seed)
		print "id,x1,x2,x3,c,y"
		for (i = 0; i < n; i++) {
			x1 = gauss(); x2 = gauss() + shift; x3 = gauss()
			u = rand(); c = u < 0.5 ? "a" : (u < 0.8 ? "b" : "c")
			if (rand() < newc)
				c = "d"
			z = x1 + (c == "a" ? 0.5 : -0.5) + 0.5 * gauss()
			printf "id%d,%.4f,%.4f,%.4f,%s,%d\n", first + i, x1, x2,
				x3, c, (z > 0 ? 1 : 0)
		}
	}'
}

# drift_records FILE [FIRST LAST]: the rows of a drift_rows CSV (data
# lines FIRST to LAST, 1-based; all by default) as a JSON list of
# records without the outcome, as a client sends them to /predict
drift_records() {
	awk -F, -v lo="${2:-1}" -v hi="${3:-999999999}" '
	NR == 1 || NR - 1 < lo || NR - 1 > hi { next }
	{
		printf "%s{\"id\":\"%s\",\"x1\":%s,\"x2\":%s,\"x3\":%s," \
			"\"c\":\"%s\"}", n++ ? "," : "[", $1, $2, $3, $4, $5
	}
	END { print n ? "]" : "[]" }' "$1"
}

# drift_labels FILE [flip]: the id and outcome of every row of a
# drift_rows CSV, the outcome flipped with "flip"
drift_labels() {
	awk -F, -v flip="${2:-}" '
	NR == 1 { print "id,y"; next }
	{ print $1 "," (flip == "flip" ? 1 - $6 : $6) }' "$1"
}

# drift_recipe: print the head of the recipe drift, training on
# data/drift.csv (drift_rows) by id: the binary target y from x1, x2, x3
# and c, 75/25 split with seed 7; its model and evaluation sections,
# which each test chooses, come from standard input
drift_recipe() {
	cat <<-\EOF
	name: drift
	task: binary_classification
	data:
	  source: data/drift.csv
	  interface:
	    target_column: y
	    entity_columns: [id]
	    feature_columns: [x1, x2, x3, c]
	  split:
	    test_size: 0.25
	    seed: 7
	EOF
	cat
}
