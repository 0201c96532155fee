# SPDX-License-Identifier: MIT
# pyfunc_load.py: MLflow's pyfunc loader contract without MLflow, for the
# tests' cross-checks: read the python_function flavor from a model
# directory's MLmodel, put its code directory on sys.path, import its
# loader_module and call _load_pyfunc(<model dir>/<data>).
import importlib, os, sys


def flavor(d):
    conf, inside = {}, False
    for line in open(os.path.join(d, "MLmodel")):
        if line.startswith("  python_function:"):
            inside = True
        elif inside and not line.startswith("    "):
            break
        elif inside and not line.startswith("     "):
            k, _, v = line.strip().partition(":")
            conf[k] = v.strip()
    return conf


def load(d):
    conf = flavor(d)
    sys.path.insert(0, os.path.join(d, conf["code"]))
    mod = importlib.import_module(conf["loader_module"])
    return mod._load_pyfunc(os.path.join(d, conf["data"]))
