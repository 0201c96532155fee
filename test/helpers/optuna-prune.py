# SPDX-License-Identifier: MIT
# optuna-prune.py: test helper: Optuna's side of tune-prune: run the
# intermediate curves on standard input (one trial a line, "-" for a
# step not reported) through Optuna's pruner, trial after trial, and
# print each trial's fate: "NUMBER COMPLETE|PRUNED LAST_STEP"
#
#   optuna-prune.py PRUNER [KEY=VALUE...] <CURVES   (keys as tune-prune's)
import sys

import optuna

args = dict(a.split("=", 1) for a in sys.argv[2:])
maximize = args.pop("maximize", "0") == "1"
args.pop("max_parallel", None)
kind = sys.argv[1]
i = lambda k, d: int(args.get(k, d))
f = lambda k, d: float(args.get(k, d))
if kind == "median":
    p = optuna.pruners.MedianPruner(i("startup", 5), i("warmup", 0),
                                    i("interval", 1))
elif kind == "percentile":
    p = optuna.pruners.PercentilePruner(f("percentile", 50), i("startup", 5),
                                        i("warmup", 0), i("interval", 1))
elif kind == "successive_halving":
    p = optuna.pruners.SuccessiveHalvingPruner(
        i("min_resource", 1), i("reduction_factor", 4),
        i("min_early_stopping_rate", 0))
else:
    p = optuna.pruners.ThresholdPruner(
        float(args["lower"]) if "lower" in args else None,
        float(args["upper"]) if "upper" in args else None,
        i("warmup", 0), i("interval", 1))
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="maximize" if maximize else "minimize",
                            pruner=p)
for n, line in enumerate(sys.stdin):
    t = study.ask()
    last, pruned = -1, False
    for s, tok in enumerate(line.split()):
        if tok == "-":
            continue
        t.report(float(tok), s)
        last = s
        if t.should_prune():
            pruned = True
            break
    if pruned:
        study.tell(t, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(t, 0.0)
    print(n, "PRUNED" if pruned else "COMPLETE", last)
