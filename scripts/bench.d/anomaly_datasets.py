#!/usr/bin/env python3
"""Issue 17 figures: `mcobs backtest anomaly` on every labelled set of ../shared/data (nab,
kpi2018, asd per metric and, when the backtest writes it, asd_entity per server), scored with
the NAB scorer at the threshold optimised on the set and at the fixed critical cut-off 0.5 (what
an alert fires at), beside the rolling z-score of ../shared/eval/nab/baseline_detector.py; and
the alerts per series per day on the files without any labelled window (every alert there is a
false one). These are development figures: the detector's constants were chosen on these files.

    anomaly_datasets.py [--mcobs BIN] [--data-root D] [--eval-dir E] [--out DIR] [--cache DIR]
                        [--datasets nab,kpi2018,asd] [--base DIR]

The z-score baseline takes minutes on kpi2018's 2.9 million points, so its results are cached
under --cache, keyed by a hash of baseline_detector.py and the data's labels. --out keeps the
detector's results (default a temporary folder); --base DIR scores the results of an earlier
--out beside them (a before/after table without re-running the old binary). Everything runs
under nice.
"""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

CUT_OFF = 0.5  # detect.DefaultConfig().CriticalAt
# The sets and the categories scored in each; asd's per-server category only when present.
SETS = {"nab": [None], "kpi2018": [None], "asd": ["asd", "asd_entity"]}


def nice(cmd, **kw):
    return subprocess.run(["nice", "-n", "10"] + cmd, check=True, **kw)


def score(a, dataset, results, category, threshold=None):
    """The scorer's standard-profile result (dict) for one run, or None without result files."""
    if category and not os.path.isdir(os.path.join(results, category)):
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = ["python3", os.path.join(a.eval_dir, "score.py"), results,
               "--nab-dir", os.path.join(a.data_root, dataset), "--json", out.name]
        if category:
            cmd += ["--category", category]
        if threshold is not None:
            cmd += ["--threshold", str(threshold)]
        nice(cmd, stdout=subprocess.DEVNULL)
        j = json.load(open(out.name))
    return next(iter(j["detectors"].values()))["standard"]


def zscore(a, dataset):
    """The z-score baseline's results folder for dataset, computed once per cache key."""
    h = hashlib.sha256()
    for p in [os.path.join(a.eval_dir, "baseline_detector.py"),
              os.path.join(a.data_root, dataset, "labels", "combined_windows.json")]:
        h.update(open(p, "rb").read())
    dst = os.path.join(a.cache, "zscore", dataset + "-" + h.hexdigest()[:12])
    if not os.path.isdir(dst):
        tmp = dst + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        env = dict(os.environ, NAB_DIR=os.path.join(a.data_root, dataset))
        nice(["python3", os.path.join(a.eval_dir, "baseline_detector.py"), tmp],
             env=env, stdout=subprocess.DEVNULL)
        os.rename(tmp, dst)
    return os.path.join(dst, "zscore1d")


def alerts_per_day(a, dataset, results, category):
    """Alerts (rows at or above the cut-off: the detector damps the rest of an open incident
    below it) per series per day over the files of category with no labelled window."""
    windows = json.load(open(os.path.join(a.data_root, dataset, "labels", "combined_windows.json")))
    det = os.path.basename(results.rstrip("/"))
    alerts, days, files = 0, 0.0, 0
    for rel, wins in sorted(windows.items()):
        cat, name = rel.split("/")
        if wins or (category and cat != category):
            continue
        path = os.path.join(results, cat, det + "_" + name)
        if not os.path.exists(path):
            continue
        first = last = None
        with open(path) as f:
            next(f)
            for line in f:
                ts, _, s = line.rstrip("\n").split(",")
                first = first or ts
                last = ts
                alerts += float(s) >= CUT_OFF
        days += (parse(last) - parse(first)) / 86400.0
        files += 1
    return (alerts / days if days else float("nan")), files


def top_hits(a, dataset, results, category, threshold):
    """Of the entity windows detected at threshold (the first row at or above it, after NAB's
    probation), how many have as top_metric at that row a metric the operators named for the
    window (a run of that metric in labels.csv overlapping it): (hits, detected)."""
    root = os.path.join(a.data_root, dataset)
    windows = json.load(open(os.path.join(root, "labels", "combined_windows.json")))
    named = {}
    with open(os.path.join(root, "labels.csv")) as f:
        next(f)
        for line in f:
            series, start, end = line.strip().split(",")
            named.setdefault(series, []).append((float(start), float(end)))
    det = os.path.basename(results.rstrip("/"))
    hits = detected = 0
    for rel, wins in sorted(windows.items()):
        cat, name = rel.split("/")
        path = os.path.join(results, cat, det + "_" + name)
        if cat != category or not wins or not os.path.exists(path):
            continue
        with open(path) as f:
            rows = [line.rstrip("\n").split(",") for line in f][1:]
        probation = min(int(0.15 * len(rows)), 750)
        times = [parse(r[0]) for r in rows]
        for w in wins:
            lo, hi = parse(w[0]), parse(w[1])
            at = next((i for i in range(probation, len(rows))
                       if lo <= times[i] <= hi and float(rows[i][2]) >= threshold), None)
            if at is None:
                continue
            detected += 1
            top = rows[at][3] if len(rows[at]) > 3 else ""
            hits += any(s <= hi and e >= lo for s, e in named.get(top, []))
    return hits, detected


def parse(ts):
    """NAB timestamp to Unix seconds (UTC)."""
    return datetime.datetime.fromisoformat(ts.strip()).replace(tzinfo=datetime.timezone.utc).timestamp()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mcobs", default=os.environ.get("MCOBS", "mcobs"))
    ap.add_argument("--data-root", default="../shared/data")
    ap.add_argument("--eval-dir", default="../shared/eval/nab")
    ap.add_argument("--out", help="keep the detector's results here")
    ap.add_argument("--base", help="an earlier --out folder to score beside this run")
    ap.add_argument("--cache", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "mcobs-bench"))
    ap.add_argument("--datasets", default="nab,kpi2018,asd")
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp()
    try:
        rows = run(a, out)
    finally:
        if not a.out:
            shutil.rmtree(out, ignore_errors=True)
    table(a, rows)


def run(a, out):
    """Runs the backtest on every set and scores it: a list of (name, figures or None)."""
    rows = []
    for ds in a.datasets.split(","):
        data = os.path.join(a.data_root, ds, "data")
        if not os.path.isdir(data):
            rows.append((ds, None))
            continue
        shutil.rmtree(os.path.join(out, ds), ignore_errors=True)
        nice([a.mcobs, "backtest", "anomaly", "--out", os.path.join(out, ds), data], stderr=subprocess.DEVNULL)
        for cat in SETS.get(ds, [None]):
            name = ds if cat in (None, ds) else cat
            res = os.path.join(out, ds, "mcobs")
            r = {"opt": score(a, ds, res, cat), "cut": score(a, ds, res, cat, CUT_OFF),
                 "fp/day": alerts_per_day(a, ds, res, cat)}
            if r["opt"] is None:
                rows.append((name, None))
                continue
            if a.base:
                b = os.path.join(a.base, ds, "mcobs")
                r["base_opt"], r["base_cut"] = score(a, ds, b, cat), score(a, ds, b, cat, CUT_OFF)
                r["base_fp/day"] = alerts_per_day(a, ds, b, cat) if r["base_opt"] else None
            if cat == "asd_entity":
                r["top"] = [top_hits(a, ds, res, cat, r[k]["threshold"]) for k in ("opt", "cut")]
            else:
                r["z"] = score(a, ds, zscore(a, ds), cat)
            rows.append((name, r))
    return rows


def table(a, rows):
    print("development figures (constants chosen on these files), NAB standard profile")
    print("%-11s %14s %14s %9s %16s %s" % ("dataset", "optimised thr", "cut-off 0.5", "z-score", "alerts/series/day", "(files without windows)"))
    fmt = lambda s: "%6.2f" % s["score"] if s else "   n/a"
    rate = lambda x: "n/a" if x != x else "%.2f" % x  # NaN: no file without windows
    for name, r in rows:
        if r is None:
            print("%-11s n/a (no data or no result files)" % name)
            continue
        fpd, n = r["fp/day"]
        print("%-11s %6s (%.3f) %14s %9s %17s (%d files)" % (
            name, fmt(r["opt"]), r["opt"]["threshold"], fmt(r["cut"]), fmt(r.get("z")), rate(fpd), n))
        for label, (hits, n) in zip(("optimised thr", "cut-off 0.5"), r.get("top", [])):
            print("%-11s top metric named by the operators in %d of %d detected windows (%.0f%%), %s"
                  % ("", hits, n, 100.0 * hits / max(n, 1), label))
        if r.get("base_opt"):
            print("%-11s %6s (%.3f) %14s %9s %17s" % (
                "  before", fmt(r["base_opt"]), r["base_opt"]["threshold"], fmt(r["base_cut"]), "", rate(r["base_fp/day"][0])))
        elif a.base:
            print("%-11s n/a" % "  before")


if __name__ == "__main__":
    sys.exit(main())
