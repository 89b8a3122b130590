#!/usr/bin/env python3
"""Issue 4, where a detector run loses NAB points: its critical points by the gap to the
previous one, and the windows it misses.

A critical point (score >= 0.5, the default critical cut-off, which starts a suppression) that
is at or above THRESHOLD is a detection. Each is counted as a false positive, the first detection
of a window or a later one, by how many rows after the previous critical point it comes: right
at the end of its suppression (--suppress + 1 rows), within --near rows, or further. Then every
missed window is listed with its highest score and the last detection before it.

    anomaly_losses.py RESULTS --threshold T [--suppress 133] [--near 400]

THRESHOLD is normally the standard profile's optimum from score.py. Only scored rows (after
NAB's probation) are counted, as the scorer does.
"""
import argparse

import nabrun


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    nabrun.add_arguments(ap)
    ap.add_argument("--threshold", type=float, required=True)
    ap.add_argument("--suppress", type=int, default=133, help="the detector's Suppress")
    ap.add_argument("--near", type=int, default=400)
    a = ap.parse_args()
    nab, truth = nabrun.load(a)
    scores = nab.load_scores(a.results, a.detector, truth)
    gaps = ("at the end of a suppression", "within %d rows" % a.near, "further")
    kinds = ("false positive", "first in a window", "later in a window")
    counts = {(g, k): 0 for g in gaps for k in kinds}
    missed = []
    for ft, sc in zip(truth.files, scores):
        window = [None] * ft.n
        for w, (lo, hi) in enumerate(ft.windows):
            for i in range(lo, hi + 1):
                window[i] = w
        found, prev, last = set(), None, None
        for i in range(ft.n):
            if sc[i] < 0.5:
                continue
            gap = None if prev is None else i - prev
            prev = i
            if i < ft.start or sc[i] < a.threshold:
                continue
            last = i
            g = gaps[0] if gap == a.suppress + 1 else gaps[1] if gap is not None and gap <= a.near else gaps[2]
            w = window[i]
            k = kinds[0] if w is None else kinds[2] if w in found else kinds[1]
            found.add(w)
            counts[(g, k)] += 1
        for w, (lo, hi) in enumerate(ft.windows):
            if w not in found:
                top = max(range(lo, hi + 1), key=lambda i: sc[i])
                before = [i for i in range(ft.start, lo) if sc[i] >= a.threshold]
                missed.append((ft.rel, lo, hi, sc[top], top, before[-1] if before else None))

    print("%-32s %16s %18s %18s" % (("critical points >= %.4f" % a.threshold,) + kinds))
    for g in gaps:
        print("%-32s %16d %18d %18d" % ((g,) + tuple(counts[(g, k)] for k in kinds)))
    print("\nmissed windows (rows lo-hi): highest score at row, last detection before")
    for rel, lo, hi, top, at, before in missed:
        print("  %-50s %5d-%-5d %.3f at %-5d %s" % (rel, lo, hi, top, at, before))


if __name__ == "__main__":
    main()
