# SPDX-License-Identifier: MIT
"""MLflow's python_function flavor for an mmp model directory.

mmp writes this file into every model directory as code/mmp_pyfunc.py
and names it in MLmodel (loader_module: mmp_pyfunc, code: code, data:
model.ubj), so that mlflow.pyfunc.load_model() puts code/ on sys.path,
imports this module and calls _load_pyfunc() with the path of model.ubj.
It needs only numpy, pandas and xgboost; MLflow is not imported.

predict() takes what mmp's batch-inference reads, as a pandas DataFrame
(a dict or a list of dicts is turned into one): a column per feature of
mmp-schema.json, in any order; other columns are ignored, except the
schema's entity columns, which are passed through. A value is missing
when it is None, NaN, or a string that is blank or one of mmp's missing
spellings ("NA", "N/A", "NaN", "nan", "null", "NULL"). A categorical
value is matched as text against the schema's categories (an integral
number such as 2007.0 as "2007"); a value not among them is treated as
missing, as batch-inference does, with a warning. Numeric strings are
parsed; any other string is an error naming the column and row.

It returns a DataFrame with one row per input row, the same numbers as
mmp's batch-inference --proba and serve-api's /predict:
  - the entity columns of the schema present in the input, first;
  - "prediction": the value (float32) for regression; for
    classification the class label (a string from the schema): for a
    binary model the second class when its probability is above 0.5,
    else the first; for a multiclass model the first class of highest
    probability;
  - for classification, one float32 column per class label, in the
    schema's class order, with that class's probability (a binary
    model's first class gets 1 - p, computed in float32).
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
import xgboost as xgb

SCHEMA_FILE = "mmp-schema.json"
SCHEMA_FORMAT = 1
NA_STRINGS = frozenset(("NA", "N/A", "NaN", "nan", "null", "NULL"))


def _is_missing(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(np.isnan(v))
    if isinstance(v, str):
        return not v.strip() or v in NA_STRINGS
    return False


def _category_text(v):
    """The text a category value stands for, as mmp matches it."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer() and abs(f) < 2 ** 63:
            return str(int(f))
        return repr(f)
    return str(v)


def _number(v, name, row):
    if isinstance(v, (bool, np.bool_)):
        raise ValueError("column %r, row %d: expected a number, got %r"
                         % (name, row, v))
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if "_" not in s:
            try:
                return float(s)
            except ValueError:
                pass
    raise ValueError("column %r, row %d: expected a number, got %r"
                     % (name, row, v))


class MmpModel:
    """An mmp model loaded for prediction; see the module text."""

    def __init__(self, booster, schema):
        if schema.get("format_version", 0) > SCHEMA_FORMAT:
            raise ValueError("schema format %r is newer than this loader"
                             % schema.get("format_version"))
        self.booster = booster
        self.schema = schema
        self.task = schema["task"]
        self.features = schema["features"]
        self.classes = list(schema.get("classes") or [])
        self.entities = list(schema.get("entity_columns") or [])
        self.codes = [
            {c: i for i, c in enumerate(f.get("categories") or [])}
            if f["kind"] == "categorical" else None
            for f in self.features]
        best = booster.attr("best_iteration")
        # a model saved by mmp holds exactly the rounds it predicts
        # with; the range only matters for older directories
        self.rounds = int(best) + 1 if best is not None else 0

    def _matrix(self, frame):
        n = len(frame)
        x = np.full((n, len(self.features)), np.nan, dtype=np.float32)
        for j, f in enumerate(self.features):
            name = f["name"]
            if name not in frame.columns:
                raise ValueError("input has no column %r (the model "
                                 "needs %s)" % (name, ", ".join(
                                     repr(g["name"])
                                     for g in self.features)))
            series = frame[name]
            codes = self.codes[j]
            if codes is None and series.dtype.kind in "iuf":
                x[:, j] = series.to_numpy(dtype=np.float64)
                continue
            col = series.tolist()
            unseen = 0
            for i, v in enumerate(col):
                if _is_missing(v):
                    continue
                if codes is not None:
                    c = codes.get(_category_text(v))
                    if c is None:
                        unseen += 1
                    else:
                        x[i, j] = c
                else:
                    x[i, j] = np.float32(_number(v, name, i))
            if unseen:
                warnings.warn("column %r: %d value%s not among the "
                              "model's categories, treated as missing"
                              % (name, unseen, "" if unseen == 1 else "s"))
        return x

    def predict_raw(self, model_input):
        """XGBoost's output for the rows, as float32 (rows x outputs
        for a multi:softprob model)."""
        frame = _frame(model_input)
        x = self._matrix(frame)
        types = ["c" if f["kind"] == "categorical" else "q"
                 for f in self.features]
        dm = xgb.DMatrix(x, missing=np.nan,
                         feature_names=[f["name"] for f in self.features],
                         feature_types=types, enable_categorical=True)
        y = self.booster.predict(dm, iteration_range=(0, self.rounds))
        return np.asarray(y, dtype=np.float32), frame

    def predict(self, model_input, params=None):
        y, frame = self.predict_raw(model_input)
        out = pd.DataFrame(index=frame.index)
        for e in self.entities:
            if e in frame.columns:
                out[e] = frame[e]
        if self.task == "regression":
            out["prediction"] = y.reshape(-1)
            return out
        labels = np.array(self.classes, dtype=object)
        if self.task == "binary":
            p = y.reshape(-1)
            out["prediction"] = labels[(p > np.float32(0.5)).astype(int)]
            out[self.classes[0]] = np.float32(1) - p
            out[self.classes[1]] = p
            return out
        if y.ndim == 1:
            # multi:softmax predicts the class code itself
            out["prediction"] = labels[y.astype(int)]
            return out
        out["prediction"] = labels[np.argmax(y, axis=1)]
        for k, c in enumerate(self.classes):
            out[c] = y[:, k]
        return out


def _frame(model_input):
    if isinstance(model_input, pd.DataFrame):
        return model_input
    if isinstance(model_input, dict):
        if all(np.ndim(v) == 0 for v in model_input.values()):
            return pd.DataFrame([model_input])
        return pd.DataFrame(model_input)
    if isinstance(model_input, list):
        return pd.DataFrame(model_input)
    raise TypeError("expected a pandas DataFrame, a dict or a list of "
                    "dicts, got %s" % type(model_input).__name__)


def load(model_dir):
    """Load the model directory `model_dir` (holding model.ubj and
    mmp-schema.json)."""
    return _load_pyfunc(os.path.join(model_dir, "model.ubj"))


def _load_pyfunc(data_path):
    """MLflow's entry point: `data_path` is the model file named by the
    flavor's data key; the schema sits beside it."""
    if os.path.isdir(data_path):
        data_path = os.path.join(data_path, "model.ubj")
    with open(os.path.join(os.path.dirname(data_path), SCHEMA_FILE),
              encoding="utf-8") as f:
        schema = json.load(f)
    booster = xgb.Booster()
    booster.load_model(data_path)
    return MmpModel(booster, schema)
