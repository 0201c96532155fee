# SPDX-License-Identifier: MIT
# tune-lib.sh: the recipe the tuning tests search from.

# bc_tune_recipe NAME [EXPERIMENT]: print a recipe NAME (in EXPERIMENT)
# training a binary classifier on the breast cancer example, 80/20 split
# with seed 42, logloss, hist; the rest of its model section (more
# params, the rounds) and its tune section, which each test chooses,
# come from standard input
bc_tune_recipe() {
	printf 'name: %s\ntask: binary_classification\n' "$1"
	test -z "$2" || printf 'experiment: %s\n' "$2"
	cat <<-\EOF
	data:
	  source: data/breast_cancer.csv
	  interface:
	    target_column: target
	  split: {test_size: 0.2, seed: 42}
	model:
	  params:
	    objective: "binary:logistic"
	    eval_metric: logloss
	    tree_method: hist
	EOF
	cat
}
