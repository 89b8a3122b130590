package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
	"github.com/mcobs/mcobs/internal/tsio"
)

// lvMethod names a method scored under last-value reads.
type lvMethod int

const (
	lvOurs   lvMethod = iota // the processor's compressor (hold), lookback applied
	lvPMCMR                  // PMC-MR, read with the same lookback (gaps count)
	lvPMCMR0                 // PMC-MR with an unbounded lookback: the classic figure, a floor
	lvLTTB                   // LTTB, read with the same lookback
	lvMethods
)

var lvNames = [lvMethods]string{"ours", "PMC-MR", "PMC-MR, no lookback", "LTTB"}

// lvResult is one series under last-value reads.
type lvResult struct {
	name      string
	class     reduce.Class
	algo      reduce.Algorithm
	samples   int
	minutes   float64
	kept      [][lvMethods]int // per tolerance
	q         reduce.Quality   // ours at the first tolerance, as read
	worst     float64          // ours: the largest error as read over all tolerances, share of range
	gaps      int              // ours: gaps over all tolerances
	checked   int              // labelled points checked
	retained  [lvMethods]int   // labelled points read within the spike tolerance at the budget
	budgetTol float64          // ours: the tolerance reaching the budget, share of range
	budgetOut int              // ours: samples kept at the budget
}

// progress is the part of tsio's progress bar the runs use.
type progress interface {
	Add(int) error
	Finish() error
}

func runLastValue(w io.Writer, bar progress, synth []tsio.Series, files []string, labels map[string][]time.Time, algo reduce.Algorithm, f downsampleFlags) error {
	var rs []lvResult
	for _, s := range synth {
		rs = append(rs, lastValueOne(s, algo, labels, f))
		_ = bar.Add(1)
	}
	for _, p := range files {
		s, err := dsReadSeries(p)
		if err != nil {
			return err
		}
		rs = append(rs, lastValueOne(s, algo, labels, f))
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return writeLastValueReport(w, rs, f)
}

func lastValueOne(s tsio.Series, algo reduce.Algorithm, labels map[string][]time.Time, f downsampleFlags) lvResult {
	pts := reduce.InOrder(dsToPoints(s))
	rng := reduce.SeriesRange(pts)
	L := int64(f.lookback)
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p.V
	}
	r := lvResult{name: s.Category + "/" + s.Name, class: reduce.Classify(vals, 32), samples: len(pts)}
	if len(pts) > 1 {
		r.minutes = float64(pts[len(pts)-1].T-pts[0].T) / float64(time.Minute)
	}
	n := len(pts)
	for i, tol := range f.tolerances {
		g := f
		g.tolerance = tol
		o := g.options(algo, rng)
		ours, _, used := reduce.Compress(pts, &o)
		q := reduce.MeasureLast(pts, ours, L)
		if i == 0 {
			r.algo, r.q = used, q
		}
		r.worst = max(r.worst, dsSafeFrac(q.MaxErr, rng))
		r.gaps += q.Gaps
		eps := tol * rng
		var k [lvMethods]int
		k[lvOurs] = len(ours)
		k[lvPMCMR] = len(reduce.MinKeptLast(pts, eps, L, 0, eps, func(e float64) []reduce.Point { return reduce.PMCMR(pts, e) }))
		k[lvPMCMR0] = len(reduce.PMCMR(pts, eps))
		k[lvLTTB] = len(reduce.MinKeptLast(pts, eps, L, 0, 1, func(x float64) []reduce.Point {
			return reduce.LTTB(pts, int(math.Ceil((1-x)*float64(n))))
		}))
		r.kept = append(r.kept, k)
	}
	if lt, ok := labels[r.name+".csv"]; ok && len(lt) > 0 && n > 0 {
		times := make([]int64, len(lt))
		for i, t := range lt {
			times[i] = t.UnixNano()
		}
		tol := f.spikeTol * rng
		target := int(math.Floor(f.budget * float64(n)))
		ours, btol := reduce.FitBudget(pts, f.options(algo, rng), f.budget)
		r.budgetTol, r.budgetOut = dsSafeFrac(btol, rng), len(ours)
		pmc := fitCount(target, rng, func(e float64) []reduce.Point { return reduce.PMCMR(pts, e) })
		for m, k := range map[lvMethod][]reduce.Point{lvOurs: ours, lvPMCMR: pmc, lvLTTB: reduce.LTTB(pts, target)} {
			c, in := reduce.WithinLast(pts, k, times, tol, L)
			r.checked, r.retained[m] = c, in
		}
		c, in := reduce.WithinLast(pts, pmc, times, tol, 0)
		r.checked, r.retained[lvPMCMR0] = c, in
	}
	return r
}

// fitCount finds by bisection on a tolerance in [0, hi] the output of run with at most target
// samples and the smallest tolerance.
func fitCount(target int, hi float64, run func(float64) []reduce.Point) []reduce.Point {
	best := run(hi)
	lo := 0.0
	for range 30 {
		mid := (lo + hi) / 2
		if k := run(mid); len(k) <= target {
			hi, best = mid, k
		} else {
			lo = mid
		}
	}
	return best
}

// lvGroup is the data set a series belongs to, for pooled figures.
func lvGroup(name string) string {
	cat, _, _ := strings.Cut(name, "/")
	switch {
	case strings.HasPrefix(cat, "real"):
		return "nab real"
	case strings.HasPrefix(cat, "artificial"):
		return "nab artificial"
	}
	return cat
}

func writeLastValueReport(w io.Writer, rs []lvResult, f downsampleFlags) error {
	lb := "unbounded"
	if f.lookback > 0 {
		lb = f.lookback.String()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "series\tclass\talgorithm\tsamples\tkept %%\tmax err %% range\tgaps\tPMC-MR kept %%\tLTTB kept %%\tDPM before\tDPM after\tlabels within %.0f%% at %.0f%% budget\t\n",
		100*f.spikeTol, 100*f.budget)
	for _, r := range rs {
		spike := ""
		if r.checked > 0 {
			spike = fmt.Sprintf("%d/%d", r.retained[lvOurs], r.checked)
		}
		k := r.kept[0]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.2f\t%.3f\t%d\t%.2f\t%.2f\t%.3f\t%.4f\t%s\t\n", r.name, r.class, r.algo, r.samples,
			pct(k[lvOurs], r.samples), 100*r.q.MaxErrOfRange(), r.q.Gaps, pct(k[lvPMCMR], r.samples), pct(k[lvLTTB], r.samples),
			dpm(r.samples, r.minutes), dpm(k[lvOurs], r.minutes), spike)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d series, read as PromQL reads (last sample within a %s lookback, no interpolation), algorithm %s\n", len(rs), lb, f.algorithm)
	worst, gaps := 0.0, 0
	for _, r := range rs {
		worst, gaps = max(worst, r.worst), gaps+r.gaps
	}
	fmt.Fprintf(w, "ours: worst max error as read %.3f%% of range, %d gaps\n", 100*worst, gaps)

	groups := lvGroups(rs)
	for i, tol := range f.tolerances {
		fmt.Fprintf(w, "\nkept (pooled) at max error <= %g%% of range as read, no gaps:\n", 100*tol)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "group\tseries\tsamples\t%s\t%s\t%s\t%s\t\n", lvNames[0], lvNames[1], lvNames[2], lvNames[3])
		for _, g := range groups {
			var samples int
			var kept [lvMethods]int
			for _, r := range g.rs {
				samples += r.samples
				for m := range kept {
					kept[m] += r.kept[i][m]
				}
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f%%\t%.2f%%\t%.2f%%\t%.2f%%\t\n", g.name, len(g.rs), samples,
				pct(kept[lvOurs], samples), pct(kept[lvPMCMR], samples), pct(kept[lvPMCMR0], samples), pct(kept[lvLTTB], samples))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	writeLastValueClasses(w, rs)
	writeLastValueDPM(w, groups)
	writeLastValueSpikes(w, rs, f)
	return nil
}

type lvGroupRows struct {
	name string
	rs   []lvResult
}

func lvGroups(rs []lvResult) []lvGroupRows {
	idx := map[string]int{}
	var out []lvGroupRows
	for _, r := range rs {
		g := lvGroup(r.name)
		i, ok := idx[g]
		if !ok {
			i = len(out)
			idx[g] = i
			out = append(out, lvGroupRows{name: g})
		}
		out[i].rs = append(out[i].rs, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// writeLastValueClasses reports the analysis' class of each series and what each class keeps.
func writeLastValueClasses(w io.Writer, rs []lvResult) {
	fmt.Fprintf(w, "\nper class (first tolerance), kept pooled:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\tseries\talgorithm\tours\tPMC-MR\tLTTB\t\n")
	for _, c := range []reduce.Class{reduce.StepLike, reduce.Smooth, reduce.CounterLike, reduce.Noisy, reduce.Unknown} {
		var n, samples int
		var kept [lvMethods]int
		algos := map[string]bool{}
		for _, r := range rs {
			if r.class != c {
				continue
			}
			n++
			samples += r.samples
			algos[r.algo.String()] = true
			for m := range kept {
				kept[m] += r.kept[0][m]
			}
		}
		if n == 0 {
			continue
		}
		names := make([]string, 0, len(algos))
		for a := range algos {
			names = append(names, a)
		}
		sort.Strings(names)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f%%\t%.2f%%\t%.2f%%\t\n", c, n, strings.Join(names, ","),
			pct(kept[lvOurs], samples), pct(kept[lvPMCMR], samples), pct(kept[lvLTTB], samples))
	}
	_ = tw.Flush()
}

// writeLastValueDPM reports data points per minute, what hosted Prometheus services bill: the
// mean over series of samples per minute of the series' span, before and after (ours, first
// tolerance).
func writeLastValueDPM(w io.Writer, groups []lvGroupRows) {
	fmt.Fprintf(w, "\ndata points per minute per series (mean), before -> after (first tolerance):\n")
	for _, g := range groups {
		var before, after float64
		var n int
		for _, r := range g.rs {
			if r.minutes <= 0 {
				continue
			}
			before += dpm(r.samples, r.minutes)
			after += dpm(r.kept[0][lvOurs], r.minutes)
			n++
		}
		if n > 0 {
			fmt.Fprintf(w, "  %s: %.4f -> %.4f DPM (%.1fx fewer)\n", g.name, before/float64(n), after/float64(n), before/max(after, 1e-300))
		}
	}
}

func writeLastValueSpikes(w io.Writer, rs []lvResult, f downsampleFlags) {
	var checked, out, samples int
	var ret [lvMethods]int
	for _, r := range rs {
		if r.checked == 0 {
			continue
		}
		checked += r.checked
		out += r.budgetOut
		samples += r.samples
		for m := range ret {
			ret[m] += r.retained[m]
		}
	}
	if checked == 0 {
		return
	}
	fmt.Fprintf(w, "\nspike retention: labelled points read within %.0f%% of range at a %.0f%% budget per series (ours reached %.2f%% kept):\n",
		100*f.spikeTol, 100*f.budget, pct(out, samples))
	for m := range ret {
		fmt.Fprintf(w, "  %s: %d of %d = %.1f%%\n", lvNames[m], ret[m], checked, pct(ret[m], checked))
	}
}

func pct(a, b int) float64 { return 100 * dsSafeFrac(float64(a), float64(b)) }

func dpm(n int, minutes float64) float64 { return dsSafeFrac(float64(n), minutes) }
