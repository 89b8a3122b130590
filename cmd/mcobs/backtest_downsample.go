package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
	"github.com/mcobs/mcobs/internal/tsio"
	"github.com/mcobs/mcobs/internal/tsplot"
)

// downsampleFlags are the options of `mcobs backtest downsample`.
type downsampleFlags struct {
	algorithm  string
	tolerance  float64   // the first of tolerances: the linear report's and the per-series table's
	tolerances []float64 // last-value reads: kept shares are reported at each
	read       string
	lookback   time.Duration
	maxDelay   time.Duration
	rangeMode  string
	rangeBlock int
	budget     float64
	spikeTol   float64
	labels     string
	out        string
	plot       string
	synthetic  int
	seed       uint64
	maxSegment time.Duration
	snap       bool
}

func newBacktestDownsampleCmd() *cobra.Command {
	var f downsampleFlags
	cmd := &cobra.Command{
		Use:   "downsample [flags] FILES|DIRS",
		Short: "Run the downsample processor's error-bounded reduction over CSV series",
		Long: `Runs exactly the compressor of the downsample processor (reduce mode) over each series
and reports the share of samples kept and the errors, as a share of the series' range. A sample
is one timestamp-value pair.

With --read last_value (the default) the kept samples are read as PromQL reads them: at every
original timestamp, the last kept sample at or before it within --lookback, no interpolation; a
timestamp where that finds nothing is a gap and breaks the bound. PMC-MR and LTTB run on the
same series and are scored the same way; for each tolerance the report gives the fewest
samples each keeps while every sample reads back within it, the per-series class (step,
smooth, counter, noisy) and data points per minute before and after. With --read linear the
kept samples are rebuilt by straight lines between them (the linear algorithms' guarantee).

With --labels (NAB combined_labels.json) it also reports spike retention: the share of
labelled anomaly points still read within --spike-tolerance of the range when each series is
reduced to --budget of its samples.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && f.synthetic == 0 {
				return errors.New("give CSV files or folders, or --synthetic N")
			}
			if len(f.tolerances) > 0 {
				f.tolerance = f.tolerances[0]
			}
			return runBacktestDownsample(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.algorithm, "algorithm", "auto", "auto, hold or counter (last_value); auto, constant, linear, mixed, counter or vertex (linear)")
	fl.Float64SliceVar(&f.tolerances, "tolerance", []float64{0.05, 0.01}, "largest error as a fraction of the range; several for last_value, the first for linear")
	fl.DurationVar(&f.maxDelay, "max-delay", 0, "last_value reads: send a segment's kept sample once it spans this long (the processor's max_delay); 0 when it closes")
	fl.StringVar(&f.read, "read", "last_value", "how the store reads kept samples: last_value (PromQL) or linear")
	fl.DurationVar(&f.lookback, "lookback", 6*time.Hour, "the store's lookback for last_value reads (Prometheus --query.lookback-delta; 6h in the long-term store of `mcobs up`); 0 for unbounded")
	fl.StringVar(&f.rangeMode, "range", "series", `"series": the tolerance is a fraction of the whole series' range (given to the compressor as an absolute bound); "recent": of the recent range, as the processor's tolerance.relative does`)
	fl.IntVar(&f.rangeBlock, "range-block", 4096, "samples per block of the recent range (with --range recent)")
	fl.Float64Var(&f.budget, "budget", 0.10, "share of samples kept for the spike retention figure")
	fl.Float64Var(&f.spikeTol, "spike-tolerance", 0.05, "a labelled point is retained when its error is within this fraction of the range")
	fl.StringVar(&f.labels, "labels", "", "NAB combined_labels.json; default: labels/combined_labels.json above the first folder argument")
	fl.StringVar(&f.out, "out", "", "folder to write the kept samples to, one CSV per series")
	fl.StringVar(&f.plot, "plot", "", "write a plot of original versus kept (.png or .svg); with several series the series name is added")
	fl.IntVar(&f.synthetic, "synthetic", 0, "also run synthetic series of this many samples, one per kind")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic series")
	fl.BoolVar(&f.snap, "snap", true, "start and end linear segments on the samples' own values when feasible (the processor always does)")
	fl.DurationVar(&f.maxSegment, "max-segment", 0, "close segments longer than this (the processor's max_segment, 6h by default there); 0 for none")
	return cmd
}

// dsResult is one row of the report.
type dsResult struct {
	name      string
	class     reduce.Class
	algo      reduce.Algorithm
	q         reduce.Quality
	counts    reduce.Counts
	checked   int
	retained  int
	budgetTol float64
	// Kept for the pooled budget: the accepted samples, their range and the labelled times.
	pts    []reduce.Point
	rng    float64
	labels []int64
}

func runBacktestDownsample(stdout, stderr io.Writer, args []string, f downsampleFlags) error {
	algo, err := reduce.ParseAlgorithm(f.algorithm)
	if err != nil {
		return fmt.Errorf("--algorithm: %w", err)
	}
	reader, err := reduce.ParseReader(f.read)
	if err != nil {
		return fmt.Errorf("--read: %w", err)
	}
	if !algo.ForReader(reader) {
		return fmt.Errorf("--algorithm %s is not bounded for --read %s", algo, reader)
	}
	if len(f.tolerances) == 0 {
		return errors.New("--tolerance needs at least one value")
	}
	for _, tol := range f.tolerances {
		if !(tol > 0) || tol > 1 {
			return fmt.Errorf("--tolerance must be in (0, 1], got %v", tol)
		}
	}
	if f.lookback < 0 {
		return fmt.Errorf("--lookback must be >= 0, got %s", f.lookback)
	}
	if f.rangeMode != "series" && f.rangeMode != "recent" {
		return fmt.Errorf("--range must be series or recent, got %q", f.rangeMode)
	}
	files, err := tsio.Expand(args)
	if err != nil {
		return err
	}
	labels, err := dsLoadLabels(f.labels, args)
	if err != nil {
		return err
	}
	var series []tsio.Series
	for _, kind := range dsSyntheticKinds(f.synthetic) {
		series = append(series, dsSyntheticSeries(kind, f.synthetic, f.seed))
	}
	bar := tsio.NewProgress(stderr, len(files)+len(series), "downsample")
	if reader == reduce.ReaderLastValue {
		return runLastValue(stdout, bar, series, files, labels, algo, f)
	}
	var results []dsResult
	run := func(s tsio.Series) error {
		r, err := dsDownsampleOne(s, algo, labels, f, len(files)+len(series) > 1)
		if err != nil {
			return err
		}
		results = append(results, r)
		return bar.Add(1)
	}
	for _, s := range series {
		if err := run(s); err != nil {
			return err
		}
	}
	for _, p := range files {
		s, err := dsReadSeries(p)
		if err != nil {
			return err
		}
		if err := run(s); err != nil {
			return err
		}
	}
	_ = bar.Finish()
	return writeDownsampleReport(stdout, results, f)
}

func dsSyntheticKinds(n int) []string {
	if n <= 0 {
		return nil
	}
	return reduce.SyntheticKinds
}

func dsSyntheticSeries(kind string, n int, seed uint64) tsio.Series {
	s := tsio.Series{Name: kind, Category: "synthetic", Path: "synthetic/" + kind}
	for _, p := range reduce.Synthetic(kind, n, seed) {
		s.Points = append(s.Points, tsio.Point{Time: time.Unix(0, p.T).UTC(), Value: p.V})
	}
	return s
}

func dsToPoints(s tsio.Series) []reduce.Point {
	pts := make([]reduce.Point, len(s.Points))
	for i, p := range s.Points {
		pts[i] = reduce.Point{T: p.Time.UnixNano(), V: p.Value}
	}
	return pts
}

// options builds the compressor options for one series, as the processor would be configured.
func (f downsampleFlags) options(algo reduce.Algorithm, rng float64) reduce.Options {
	o := reduce.Options{Algorithm: algo, MaxSegment: int64(f.maxSegment), Snap: f.snap}
	if r, err := reduce.ParseReader(f.read); err == nil && r == reduce.ReaderLastValue {
		o.Reader, o.Lookback, o.MaxDelay = r, int64(f.lookback), int64(f.maxDelay)
	}
	if f.rangeMode == "series" {
		o.Absolute = f.tolerance * rng
		if o.Absolute == 0 {
			o.Absolute = 1e-300 // a flat series: any positive bound keeps it exact
		}
	} else {
		o.Relative, o.RangeBlock = f.tolerance, f.rangeBlock
	}
	return o
}

func dsDownsampleOne(s tsio.Series, algo reduce.Algorithm, labels map[string][]time.Time, f downsampleFlags, many bool) (dsResult, error) {
	raw := dsToPoints(s)
	rng := reduce.SeriesRange(raw)
	o := f.options(algo, rng)
	knots, counts, used := reduce.Compress(raw, &o)
	pts := reduce.InOrder(raw) // what the compressor accepted; the errors are measured there
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p.V
	}
	r := dsResult{
		name: s.Category + "/" + s.Name, q: reduce.Measure(pts, knots), counts: counts,
		algo: used, class: reduce.Classify(vals, 32),
	}
	if lt, ok := labels[r.name+".csv"]; ok && len(lt) > 0 {
		bo := f.options(algo, rng)
		bknots, tol := reduce.FitBudget(pts, bo, f.budget)
		r.budgetTol = dsSafeFrac(tol, rng)
		times := make([]int64, len(lt))
		for i, t := range lt {
			times[i] = t.UnixNano()
		}
		r.checked, r.retained = reduce.Within(pts, bknots, times, f.spikeTol*rng)
		r.labels = times
	}
	if len(labels) > 0 {
		r.pts, r.rng = pts, rng
	}
	if f.out != "" {
		if err := dsWriteKept(filepath.Join(f.out, s.Category, s.Name+".csv"), knots); err != nil {
			return r, err
		}
	}
	if f.plot != "" {
		path := f.plot
		if many {
			ext := filepath.Ext(path)
			path = strings.TrimSuffix(path, ext) + "-" + s.Category + "-" + s.Name + ext
		}
		if err := dsPlotKept(path, s, knots, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func dsSafeFrac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// dsPooledBudget finds by bisection the smallest tolerance, as one fraction of each series'
// range, at which all series together keep at most the budget, as a collector with one storage
// budget would, and reports the labelled points within the spike tolerance there.
func dsPooledBudget(rs []dsResult, f downsampleFlags) (tol, keptShare float64, retained, checked int) {
	algo, _ := reduce.ParseAlgorithm(f.algorithm)
	total := 0
	for _, r := range rs {
		total += len(r.pts)
	}
	run := func(frac float64, measure bool) (kept, ret, chk int) {
		for _, r := range rs {
			if len(r.pts) == 0 {
				continue
			}
			g := f
			g.tolerance = frac
			o := g.options(algo, r.rng)
			knots, _, _ := reduce.Compress(r.pts, &o)
			kept += len(knots)
			if measure && len(r.labels) > 0 {
				c, w := reduce.Within(r.pts, knots, r.labels, f.spikeTol*r.rng)
				chk, ret = chk+c, ret+w
			}
		}
		return kept, ret, chk
	}
	lo, hi := 0.0, 1.0
	for range 25 {
		mid := (lo + hi) / 2
		if k, _, _ := run(mid, false); float64(k) <= f.budget*float64(total) {
			hi = mid
		} else {
			lo = mid
		}
	}
	kept, retained, checked := run(hi, true)
	return hi, dsSafeFrac(float64(kept), float64(total)), retained, checked
}

// dsReadSeries reads a CSV series with tsio; a file whose rows go back in time, which tsio
// refuses, is read again in file order so the compressor drops and counts the late rows exactly
// as the processor does.
func dsReadSeries(path string) (tsio.Series, error) {
	s, err := tsio.Read(path)
	if err == nil || !strings.Contains(err.Error(), "before the previous row") {
		return s, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		return s, fmt.Errorf("read %q: %w", path, err)
	}
	s = tsio.Series{
		Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), Category: filepath.Base(filepath.Dir(path)), Path: path,
	}
	for i, rec := range recs {
		if len(rec) < 2 || (i == 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "timestamp")) {
			continue
		}
		t, err := tsio.ParseTime(rec[0])
		if err != nil {
			return s, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return s, fmt.Errorf("%s:%d: value %q: %w", path, i+1, rec[1], err)
		}
		s.Points = append(s.Points, tsio.Point{Time: t, Value: v})
	}
	return s, nil
}

// dsLoadLabels reads NAB's combined_labels.json: series path -> anomaly timestamps.
func dsLoadLabels(path string, args []string) (map[string][]time.Time, error) {
	if path == "" {
		for _, a := range args {
			for d := filepath.Clean(a); d != filepath.Dir(d); d = filepath.Dir(d) {
				p := filepath.Join(d, "labels", "combined_labels.json")
				if _, err := os.Stat(p); err == nil {
					path = p
					break
				}
			}
			if path != "" {
				break
			}
		}
		if path == "" {
			return nil, nil
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read labels %q: %w", path, err)
	}
	var raw map[string][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse labels %q: %w", path, err)
	}
	out := make(map[string][]time.Time, len(raw))
	for k, ts := range raw {
		for _, s := range ts {
			t, err := tsio.ParseTime(strings.SplitN(s, ".", 2)[0])
			if err != nil {
				return nil, fmt.Errorf("labels %q, series %q: %w", path, k, err)
			}
			out[k] = append(out[k], t)
		}
	}
	return out, nil
}

func dsWriteKept(path string, knots []reduce.Point) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(fh)
	_ = w.Write([]string{"timestamp", "value"})
	for _, k := range knots {
		_ = w.Write([]string{tsio.FormatTime(time.Unix(0, k.T)), strconv.FormatFloat(k.V, 'g', -1, 64)})
	}
	w.Flush()
	if err := errors.Join(w.Error(), fh.Close()); err != nil {
		return fmt.Errorf("write kept samples %q: %w", path, err)
	}
	return nil
}

func dsPlotKept(path string, s tsio.Series, knots []reduce.Point, r dsResult) error {
	orig := tsplot.Line{Name: "original", Color: tsplot.Blue}
	for _, p := range s.Points {
		orig.Times = append(orig.Times, p.Time)
		orig.Vals = append(orig.Vals, p.Value)
	}
	rec := tsplot.Line{Name: "reconstruction", Color: tsplot.Orange}
	kept := tsplot.Markers{Name: "kept samples", Color: tsplot.Red}
	for _, k := range knots {
		t := time.Unix(0, k.T).UTC()
		rec.Times, rec.Vals = append(rec.Times, t), append(rec.Vals, k.V)
		kept.Times, kept.Vals = append(kept.Times, t), append(kept.Vals, k.V)
	}
	title := fmt.Sprintf("%s: %s keeps %.1f%%, max error %.2f%% of range", r.name, r.algo, 100*r.q.KeptRatio(), 100*r.q.MaxErrOfRange())
	return tsplot.Save(tsplot.Chart{Title: title, Lines: []tsplot.Line{orig, rec}, Markers: []tsplot.Markers{kept}}, path)
}

func writeDownsampleReport(w io.Writer, rs []dsResult, f downsampleFlags) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "series\tclass\talgorithm\tsamples\tkept\tkept %%\tNRMSE %%\tmax err %% range\tlabels within %.0f%% at %.0f%% budget\t\n", 100*f.spikeTol, 100*f.budget)
	var (
		samples, kept, checked, retained, dropped int
		sumRatio, worst                           float64
		groups                                    = map[string][2]int{}
	)
	for _, r := range rs {
		spike := ""
		if r.checked > 0 {
			spike = fmt.Sprintf("%d/%d", r.retained, r.checked)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.2f\t%.3f\t%.3f\t%s\t\n", r.name, r.class, r.algo, r.q.Samples, r.q.Kept,
			100*r.q.KeptRatio(), 100*r.q.NRMSE(), 100*r.q.MaxErrOfRange(), spike)
		samples += r.q.Samples
		kept += r.q.Kept
		checked += r.checked
		retained += r.retained
		dropped += r.counts.Duplicate + r.counts.OutOfOrder
		sumRatio += r.q.KeptRatio()
		worst = max(worst, r.q.MaxErrOfRange())
		g := "real"
		if strings.HasPrefix(r.name, "artificial") {
			g = "artificial"
		} else if strings.HasPrefix(r.name, "synthetic") {
			g = "synthetic"
		}
		c := groups[g]
		groups[g] = [2]int{c[0] + r.q.Samples, c[1] + r.q.Kept}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d series, tolerance %.2g of %s range, algorithm %s\n", len(rs), f.tolerance, f.rangeMode, f.algorithm)
	fmt.Fprintf(w, "kept (pooled): %d of %d samples = %.2f%%; mean of per-series ratios %.2f%%; worst max error %.3f%% of range\n",
		kept, samples, 100*dsSafeFrac(float64(kept), float64(samples)), 100*dsSafeFrac(sumRatio, float64(len(rs))), 100*worst)
	for _, g := range []string{"real", "artificial", "synthetic"} {
		if c, ok := groups[g]; ok {
			fmt.Fprintf(w, "kept (pooled, %s series): %.2f%%\n", g, 100*dsSafeFrac(float64(c[1]), float64(c[0])))
		}
	}
	if checked > 0 {
		fmt.Fprintf(w, "spike retention: %d of %d labelled points within %.0f%% of range at a %.0f%% budget = %.1f%%\n",
			retained, checked, 100*f.spikeTol, 100*f.budget, 100*dsSafeFrac(float64(retained), float64(checked)))
	}
	if checked > 0 {
		tol, kept, retained, checked := dsPooledBudget(rs, f)
		fmt.Fprintf(w, "spike retention, pooled budget: %d of %d labelled points within %.0f%% of range when all series together keep %.0f%% of samples (%.2f%%, one tolerance of %.2f%% of each series' range) = %.1f%%\n",
			retained, checked, 100*f.spikeTol, 100*f.budget, 100*kept, 100*tol, 100*dsSafeFrac(float64(retained), float64(checked)))
	}
	if dropped > 0 {
		fmt.Fprintf(w, "dropped %d duplicate or out-of-order samples\n", dropped)
	}
	return nil
}
