#!/usr/bin/env python3
"""Issue 4, held-out NAB score over many splits, and a paired comparison of two detector runs.

The fixed split of anomaly_folds.sh is one draw: a few critical scores within 0.001 of the
optimum threshold decide whether a window is caught, so one split moves by half a point or more
when any constant moves at all. This script deals the files of each NAB category at random
(seeded, so every run sees the same splits) into two halves, N times, scores each half at the
threshold optimised on the other half (standard profile), and reports the mean over the 2N
held-out halves. A detector's scores do not depend on the split, so one `mcobs backtest anomaly`
run of the whole set is all it needs.

    anomaly_splits.py RESULTS [--base BASE_RESULTS] [--splits N] [--nab-dir D] [--eval-dir E]

With --base it also prints the paired difference (RESULTS minus BASE on the same halves) and in
how many halves RESULTS is better, and then a nested check: on each half the run with the better
own-threshold score is chosen and scored on the other half, which is what choosing between the
two on NAB itself is worth on files not seen. A change is worth keeping only if both are
positive (see internal/analytics/detect/README.md).
"""
import argparse
import os
import random

import nabrun


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    nabrun.add_arguments(ap)
    ap.add_argument("--base", help="results dir of the run to compare with")
    ap.add_argument("--splits", type=int, default=100)
    a = ap.parse_args()
    nab, truth = nabrun.load(a)
    weights = nab.load_profiles(os.path.join(a.nab_dir, "config", "profiles.json"))[0]["standard"]
    runs = [Run(nab, truth, d, a.detector, weights) for d in ([a.results] + ([a.base] if a.base else []))]

    by_cat = {}
    for i, ft in enumerate(truth.files):
        by_cat.setdefault(ft.rel.split("/")[0], []).append(i)
    halves = []
    for k in range(a.splits):
        rng = random.Random(k)
        h = ([], [])
        for cat in sorted(by_cat):
            files = by_cat[cat][:]
            rng.shuffle(files)
            first = 0 if len(h[0]) <= len(h[1]) else 1  # keeps the halves' sizes close
            for j, i in enumerate(files):
                h[(first + j) % 2].append(i)
        halves += [(h[0], h[1]), (h[1], h[0])]  # (tuned on, scored on)

    held = [[r.held_out(tune, test) for tune, test in halves] for r in runs]
    mean = lambda xs: sum(xs) / len(xs)
    print("%-44s %.2f (%d splits, each half at the other half's threshold)"
          % ("NAB standard, held out, random splits", mean(held[0]), a.splits))
    if a.base:
        diff = [x - y for x, y in zip(held[0], held[1])]
        print("%-44s %.2f" % ("  base", mean(held[1])))
        print("%-44s %+.2f, better in %d of %d halves"
              % ("  paired difference", mean(diff), sum(d > 0 for d in diff), len(diff)))
        nested = []
        for tune, test in halves:
            own = [r.own(tune) for r in runs]
            pick = max(range(len(runs)), key=lambda i: own[i][0])
            nested.append(runs[pick].at(test, own[pick][1]) - runs[1].at(test, own[1][1]))
        print("%-44s %+.2f" % ("  chosen on one half, gain on the other", mean(nested)))


class Run(object):
    """One detector run: its points above 0.3 per file (the optimum threshold of any useful
    run is far above; keeping all points only makes the sweep slower)."""

    def __init__(self, nab, truth, results, detector, weights):
        self.nab, self.truth, self.w = nab, truth, weights
        scores = nab.load_scores(results, detector, truth)
        self.pts = [[p for p in zip(sc[ft.start:], ft.gid, ft.unit) if p[0] >= 0.3]
                    for ft, sc in zip(truth.files, scores)]
        self.scorable = [len(ft.scorable_gids) for ft in truth.files]
        # NAB's null detector scores every row 0.5, so its optimised threshold either detects
        # every row or none: its raw score on a set of files is the larger of the sum of each
        # file's detect-all score and the all-missed score.
        self.null_all = []
        for ft in truth.files:
            st = nab.sweep([(0.5, g, u) for g, u in zip(ft.gid, ft.unit)], truth.n_windows)[-1]
            self.null_all.append(nab.raw_score(st, len(ft.scorable_gids), weights))
        self._own = {}

    def _norm(self, files, raw):
        n = sum(self.scorable[i] for i in files)
        null = max(sum(self.null_all[i] for i in files), -self.w["fn"] * n)
        return 100.0 * (raw - null) / (self.w["tp"] * n - null)

    def own(self, files):
        """(score, threshold) with the threshold optimised on files."""
        key = tuple(files)
        if key not in self._own:
            self._own[key] = self._optimise(files)
        return self._own[key]

    def _optimise(self, files):
        n = sum(self.scorable[i] for i in files)
        pts = [p for i in files for p in self.pts[i]]
        st, raw = self.nab.best_state(self.nab.sweep(pts, self.truth.n_windows), n, self.w)
        return self._norm(files, raw), st[0]

    def at(self, files, threshold):
        n = sum(self.scorable[i] for i in files)
        if threshold is None:
            raw = -self.w["fn"] * n
        else:
            pts = [p for i in files for p in self.pts[i]]
            raw = self.nab.raw_score(self.nab.state_at(pts, self.truth.n_windows, threshold), n, self.w)
        return self._norm(files, raw)

    def held_out(self, tune, test):
        return self.at(test, self.own(tune)[1])


if __name__ == "__main__":
    main()
