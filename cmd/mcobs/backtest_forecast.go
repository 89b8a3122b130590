package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/analytics/forecast"
	"github.com/mcobs/mcobs/internal/tsio"
	"github.com/mcobs/mcobs/internal/tsplot"
)

// fcOptions are the flags of `mcobs backtest forecast`.
type fcOptions struct {
	horizons []time.Duration // graded horizons; the longest is the forecast's length
	origins  int             // rolling origins per series
	every    time.Duration   // spacing of the origins
	resample time.Duration   // 0: as read; else averaged into buckets of this length
	out      string          // where to write the newest origin's forecast per series
	plot     string
	runway   time.Duration // >0: check the capacity runway to this horizon instead
}

func (o fcOptions) horizon() time.Duration { return slices.Max(o.horizons) }

// newBacktestForecastCmd runs the forecasting engine of the Grafana plugin over CSV series from
// rolling origins near their end, and grades it against daily and weekly seasonal naive
// forecasts of the same held-out tails.
func newBacktestForecastCmd() *cobra.Command {
	o := fcOptions{}
	cmd := &cobra.Command{
		Use:   "forecast [--horizons 6h,24h,48h] [--origins 3] [--every 24h] [--resample 1h] [--out DIR] [--plot FILE] FILES|DIRS",
		Short: "Forecast held-out tails of CSV series from rolling origins; grade MAE, MASE, sMAPE, coverage and MSIS against seasonal naive",
		Long: `Runs the forecasting engine (internal/analytics/forecast) over every CSV file given or
found under the folders given. For each series and each of --origins rolling origins (the
newest one the longest horizon before the last point, the others --every apart before it) it
fits on the history up to the origin, forecasts the longest of --horizons ahead, and grades the
forecast, and the daily and weekly seasonal naive forecasts (with their textbook Gaussian
intervals) of the same points, over the first h of every graded horizon h:

  MAE       mean absolute error; "MAE/sn" is the geometric mean over series of the engine's
            MAE divided by the method's (so below 1 is better than seasonal naive);
  MASE      the MAE scaled by the in-sample mean absolute one-step daily seasonal naive error
            (y[t] - y[t-1 day]; plain naive for daily or coarser data), as in the M4 competition;
  sMAPE     symmetric mean absolute percentage error, in percent;
  cov80/95  the share of held-out points inside the 80% and 95% prediction intervals;
  MSIS      the mean scaled interval score of the 95% interval (width plus 40 times any miss,
            over the same scale as MASE), which rewards narrow intervals that still cover;
  OWA       (sMAPE/sMAPE of daily seasonal naive + MASE/MASE of daily seasonal naive) / 2.

MASE, sMAPE and MSIS are means over series (each pooled over its origins), coverage pooled over
every point. --resample 1h averages 1- and 5-minute series into hourly ones first (buckets
aligned to the hour). --out DIR writes the newest origin's forecast of each series as
DIR/<name>.csv (timestamp,forecast,lower80,upper80,lower95,upper95). With --plot, the first
series is drawn with that forecast and its intervals to a .png or .svg file.

With --runway H, checks the capacity runway instead: each series is cut every week from its
15th day on; the threshold is the history's maximum plus a tenth of its range (a record not yet
reached); the true date is when the series first reaches it after the cut. The runway to H
(model selected at H, as the plugin's runway query does) is graded by the error of its expected
date in days, and by how often the true date lies between the pessimistic and the optimistic
dates; cuts whose threshold is never reached within H are counted as false alarms when a date
was predicted.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			files, err := tsio.Expand(args)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return errors.New("no CSV files found")
			}
			if o.runway > 0 {
				return backtestRunway(cmd.OutOrStdout(), cmd.ErrOrStderr(), files, o)
			}
			return backtestForecast(cmd.OutOrStdout(), cmd.ErrOrStderr(), files, o)
		},
	}
	cmd.Flags().DurationSliceVar(&o.horizons, "horizons", []time.Duration{6 * time.Hour, 24 * time.Hour, 48 * time.Hour}, "horizons graded; the longest is forecast")
	cmd.Flags().IntVar(&o.origins, "origins", 3, "rolling origins per series")
	cmd.Flags().DurationVar(&o.every, "every", 24*time.Hour, "time between rolling origins")
	cmd.Flags().DurationVar(&o.resample, "resample", 0, "average the series into buckets of this length first (0: as read)")
	cmd.Flags().StringVar(&o.out, "out", "", "write each series' newest forecast to DIR/<name>.csv")
	cmd.Flags().StringVar(&o.plot, "plot", "", "draw the first series to this .png or .svg file")
	cmd.Flags().DurationVar(&o.runway, "runway", 0, "check the capacity runway to this horizon (e.g. 1440h) instead of grading forecasts")
	return cmd
}

func (o fcOptions) validate() error {
	if len(o.horizons) == 0 {
		return errors.New("--horizons: want at least one")
	}
	for _, h := range o.horizons {
		if h <= 0 {
			return fmt.Errorf("--horizons: %s is not positive", h)
		}
	}
	if o.origins < 1 {
		return fmt.Errorf("--origins: %d, want at least 1", o.origins)
	}
	if o.every <= 0 {
		return fmt.Errorf("--every: %s is not positive", o.every)
	}
	if o.resample < 0 {
		return fmt.Errorf("--resample: %s is negative", o.resample)
	}
	if o.runway < 0 {
		return fmt.Errorf("--runway: %s is negative", o.runway)
	}
	return nil
}

// The methods graded, in the order printed.
var fcMethods = []string{"engine", "snaive-daily", "snaive-weekly"}

// fcAcc accumulates one method's errors over the points of one series (or of all series).
type fcAcc struct {
	n                   int
	ae, sae, smape, sis float64 // absolute error, scaled absolute error, sMAPE, scaled interval score
	in80, in95          int
}

func (a *fcAcc) add(y, scale float64, fc forecast.Forecast, k int) {
	yh := fc.Mean[k]
	e := math.Abs(y - yh)
	a.n++
	a.ae += e
	a.sae += e / scale
	if d := math.Abs(y) + math.Abs(yh); d > 0 {
		a.smape += 200 * e / d
	}
	lo, hi := fc.Lower95[k], fc.Upper95[k]
	is := hi - lo
	if y < lo {
		is += 2 / 0.05 * (lo - y)
	}
	if y > hi {
		is += 2 / 0.05 * (y - hi)
	}
	a.sis += is / scale
	if y >= fc.Lower80[k] && y <= fc.Upper80[k] {
		a.in80++
	}
	if y >= lo && y <= hi {
		a.in95++
	}
}

func (a fcAcc) mae() float64   { return a.ae / float64(a.n) }
func (a fcAcc) mase() float64  { return a.sae / float64(a.n) }
func (a fcAcc) sMAPE() float64 { return a.smape / float64(a.n) }
func (a fcAcc) msis() float64  { return a.sis / float64(a.n) }

// fcScore is the grade of one series: by horizon, by method.
type fcScore struct {
	name    string
	info    forecast.Info // the newest origin's model
	acc     [][]fcAcc     // [horizon][method]
	elapsed time.Duration // fit and forecast, summed over origins
	skipped string
}

func backtestForecast(out, progress io.Writer, files []string, o fcOptions) error {
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
	}
	bar := tsio.NewProgress(progress, len(files), "forecast")
	var scores []fcScore
	written := map[string]string{}
	for i, f := range files {
		s, err := fcRead(progress, f, o)
		if err != nil {
			return err
		}
		sc, fc, err := fcScoreSeries(s, o)
		if err != nil {
			return fmt.Errorf("forecast %q: %w", f, err)
		}
		scores = append(scores, sc)
		if o.out != "" && sc.skipped == "" {
			if prev, dup := written[s.Name]; dup {
				return fmt.Errorf("--out: %s and %s would both write %s.csv", prev, f, s.Name)
			}
			written[s.Name] = f
			if err := fcWrite(filepath.Join(o.out, s.Name+".csv"), fc); err != nil {
				return err
			}
		}
		if i == 0 && o.plot != "" && sc.skipped == "" {
			if err := fcPlot(o.plot, s, fc); err != nil {
				return err
			}
		}
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return fcPrint(out, scores, o)
}

// fcRead reads one series and resamples it if asked.
func fcRead(progress io.Writer, path string, o fcOptions) (tsio.Series, error) {
	s, err := readSeries(progress, path)
	if err == nil && o.resample > 0 {
		s.Points = fcResample(s.Points, o.resample)
	}
	return s, err
}

// fcResample averages the finite points into buckets of length d, stamped at their start.
func fcResample(ps []tsio.Point, d time.Duration) []tsio.Point {
	var out []tsio.Point
	var sum float64
	var n int
	var cur time.Time
	flush := func() {
		if n > 0 {
			out = append(out, tsio.Point{Time: cur, Value: sum / float64(n)})
		}
		sum, n = 0, 0
	}
	for _, p := range ps {
		if !fcFinite(p.Value) {
			continue
		}
		if b := p.Time.Truncate(d); !b.Equal(cur) {
			flush()
			cur = b
		}
		sum += p.Value
		n++
	}
	flush()
	return out
}

// fcScoreSeries grades the forecasts of s from its rolling origins and returns the newest
// origin's engine forecast.
func fcScoreSeries(s tsio.Series, o fcOptions) (fcScore, forecast.Forecast, error) {
	sc := fcScore{name: s.Category + "/" + s.Name, acc: make([][]fcAcc, len(o.horizons))}
	for i := range sc.acc {
		sc.acc[i] = make([]fcAcc, len(fcMethods))
	}
	if len(s.Points) == 0 {
		sc.skipped = "no points"
		return sc, forecast.Forecast{}, nil
	}
	H := o.horizon()
	end := s.Points[len(s.Points)-1].Time
	var newest forecast.Forecast
	for k := o.origins - 1; k >= 0; k-- {
		origin := end.Add(-H - time.Duration(k)*o.every)
		var trT []time.Time
		var trV []float64
		var te []tsio.Point
		for _, p := range s.Points {
			switch {
			case !p.Time.After(origin):
				trT, trV = append(trT, p.Time), append(trV, p.Value)
			case !p.Time.After(origin.Add(H)):
				te = append(te, p)
			}
		}
		if len(trT) < 2 || len(te) == 0 {
			continue
		}
		start := time.Now()
		cfg := forecast.DefaultConfig()
		cfg.SelectHorizon = H // judge the candidate models at the horizon graded
		md, err := forecast.Fit(trT, trV, cfg)
		if err != nil {
			return sc, forecast.Forecast{}, err
		}
		fcs := []forecast.Forecast{md.Forecast(H), md.SeasonalNaive(24*time.Hour, H), md.SeasonalNaive(7*24*time.Hour, H)}
		sc.elapsed += time.Since(start)
		sc.info, newest = md.Info(), fcs[0]
		scale := md.NaiveScale(24 * time.Hour)
		if !(scale > 0) {
			continue // a constant history: MASE and MSIS are undefined
		}
		for _, p := range te {
			i := int(math.Round(float64(p.Time.Sub(newest.Origin))/float64(newest.Step))) - 1
			if i < 0 || i >= len(newest.Mean) || !fcFinite(p.Value) {
				continue
			}
			for hi, h := range o.horizons {
				if p.Time.Sub(origin) > h {
					continue
				}
				for m, fc := range fcs {
					sc.acc[hi][m].add(p.Value, scale, fc, i)
				}
			}
		}
	}
	if sc.acc[len(o.horizons)-1][0].n == 0 {
		sc.skipped = "no gradable held-out point (series shorter than the horizon, or constant)"
	}
	return sc, newest, nil
}

// fcWrite writes a forecast as CSV: timestamp,forecast,lower80,upper80,lower95,upper95.
func fcWrite(path string, fc forecast.Forecast) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"timestamp", "forecast", "lower80", "upper80", "lower95", "upper95"})
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }
	for i, t := range fc.Times {
		_ = w.Write([]string{tsio.FormatTime(t), num(fc.Mean[i]), num(fc.Lower80[i]), num(fc.Upper80[i]), num(fc.Lower95[i]), num(fc.Upper95[i])})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func fcFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// fcPrint writes one row per series (longest horizon, engine) and a summary per horizon and
// method.
func fcPrint(out io.Writer, scores []fcScore, o fcOptions) error {
	last := len(o.horizons) - 1
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "file\tmodel\tseason\tpoints\tMASE\tengMAE/snMAE\tsMAPE\tcov80\tcov95\tMSIS\tfit_ms")
	var skipped []string // listed after the tables, so they do not break their columns
	for _, s := range scores {
		if s.skipped != "" {
			skipped = append(skipped, s.name+": "+s.skipped)
			continue
		}
		season := "-"
		if s.info.Detected > 0 {
			season = fcDur(s.info.Detected)
		}
		a, sn := s.acc[last][0], s.acc[last][1:]
		best := math.Inf(1)
		for _, b := range sn {
			best = min(best, b.mae())
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%.1f%%\t%.1f%%\t%s\t%.1f\n", s.name, s.info.Kind, season, a.n,
			fcNum(a.mase()), fcNum(a.mae()/best), fcNum(a.sMAPE()),
			100*float64(a.in80)/float64(a.n), 100*float64(a.in95)/float64(a.n), fcNum(a.msis()), float64(s.elapsed.Microseconds())/1000)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "horizon\tmethod\tseries\tpoints\tengMAE/MAE\tMASE\tsMAPE\tOWA\tcov80\tcov95\tMSIS")
	for hi, h := range o.horizons {
		var rows []fcSummary
		for m := range fcMethods {
			rows = append(rows, fcSummarise(scores, hi, m))
		}
		for m, r := range rows {
			owa := (r.smape/rows[1].smape + r.mase/rows[1].mase) / 2
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%.1f%%\t%.1f%%\t%s\n", fcDur(h), fcMethods[m], r.series, r.points,
				fcNum(r.relMAE), fcNum(r.mase), fcNum(r.smape), fcNum(owa), r.cov80, r.cov95, fcNum(r.msis))
		}
		r := fcSummarise(scores, hi, -1)
		fmt.Fprintf(w, "%s\tvs-best-per-series\t%d\t%d\t%s\t\t\t\t\t\t\n", fcDur(h), r.series, r.points, fcNum(r.relMAE))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, s := range skipped {
		if _, err := fmt.Fprintln(out, "skipped", s); err != nil {
			return err
		}
	}
	return nil
}

// fcSummary is one method's grade at one horizon over all series.
type fcSummary struct {
	series, points    int
	relMAE            float64 // geometric mean over series of engine MAE / this method's MAE
	mase, smape, msis float64 // means over series
	cov80, cov95      float64 // pooled, in percent
}

// fcSummarise summarises method m at horizon hi; m = -1 compares the engine with the better
// seasonal naive forecast of each series.
func fcSummarise(scores []fcScore, hi, m int) fcSummary {
	var r fcSummary
	var logRel float64
	var nRel, in80, in95 int
	for _, s := range scores {
		if s.skipped != "" {
			continue
		}
		row := s.acc[hi]
		eng := row[0]
		if eng.n == 0 {
			continue
		}
		a := eng
		if m >= 0 {
			a = row[m]
		} else {
			a = row[1]
			for _, b := range row[2:] {
				if b.mae() < a.mae() {
					a = b
				}
			}
		}
		r.series++
		r.points += a.n
		if rel := eng.mae() / a.mae(); fcFinite(rel) && rel > 0 {
			logRel += math.Log(rel)
			nRel++
		}
		r.mase += a.mase()
		r.smape += a.sMAPE()
		r.msis += a.msis()
		in80 += a.in80
		in95 += a.in95
	}
	if r.series == 0 {
		return fcSummary{relMAE: math.NaN(), mase: math.NaN(), smape: math.NaN(), msis: math.NaN()}
	}
	n := float64(r.series)
	r.relMAE = math.Exp(logRel / float64(max(nRel, 1)))
	r.mase, r.smape, r.msis = r.mase/n, r.smape/n, r.msis/n
	r.cov80, r.cov95 = 100*float64(in80)/float64(r.points), 100*float64(in95)/float64(r.points)
	return r
}

func fcNum(x float64) string {
	if !fcFinite(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", x)
}

func fcDur(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// fcPlot draws the end of the history, the held-out tail, the forecast and its intervals.
func fcPlot(path string, s tsio.Series, fc forecast.Forecast) error {
	if len(fc.Mean) == 0 {
		return fmt.Errorf("plot %q: no forecast for %s", path, s.Name)
	}
	from := fc.Origin.Add(-max(4*fc.Times[len(fc.Times)-1].Sub(fc.Origin), 7*24*time.Hour))
	end := fc.Times[len(fc.Times)-1]
	var ht, at []time.Time
	var hv, av []float64
	for _, p := range s.Points {
		switch {
		case p.Time.Before(from) || p.Time.After(end):
		case p.Time.After(fc.Origin):
			at, av = append(at, p.Time), append(av, p.Value)
		default:
			ht, hv = append(ht, p.Time), append(hv, p.Value)
		}
	}
	lo95, hi95 := fcClip(fc.Lower95, hv), fcClip(fc.Upper95, hv)
	return tsplot.Save(tsplot.Chart{
		Title: fmt.Sprintf("%s/%s: %s model", s.Category, s.Name, fc.Info.Kind),
		Bands: []tsplot.Band{
			{Name: "95%", Times: fc.Times, Lower: lo95, Upper: hi95, Color: fcBand95},
			{Name: "80%", Times: fc.Times, Lower: fcClip(fc.Lower80, hv), Upper: fcClip(fc.Upper80, hv), Color: fcBand80},
		},
		Lines: []tsplot.Line{
			{Name: "history", Times: ht, Vals: hv, Color: tsplot.Blue},
			{Name: "held out", Times: at, Vals: av, Color: tsplot.Green},
			{Name: "forecast", Times: fc.Times, Vals: fc.Mean, Color: tsplot.Orange},
		},
	}, path)
}

// fcClip bounds unbounded intervals (a naive forecast's) to a few times the history's range, so
// the plot keeps a usable scale.
func fcClip(b, hist []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range hist {
		lo, hi = min(lo, v), max(hi, v)
	}
	span := max(hi-lo, 1)
	out := make([]float64, len(b))
	for i, v := range b {
		out[i] = min(max(v, lo-2*span), hi+2*span)
	}
	return out
}

// Light greys, opaque because the bands are drawn first and the lines must stay visible.
var (
	fcBand95 = color.RGBA{R: 225, G: 225, B: 225, A: 255}
	fcBand80 = color.RGBA{R: 195, G: 195, B: 195, A: 255}
)

// Runway check: how far off the capacity runway's dates are on series cut before they set a
// new record.
const (
	rwFirstCut = 14 * 24 * time.Hour // history before the first cut
	rwCutEvery = 7 * 24 * time.Hour
	rwMargin   = 0.1 // threshold above the history's maximum, as a share of its range
)

// rwCase is one cut of one series.
type rwCase struct {
	crossed    bool          // the series reached the threshold within the horizon
	truth      time.Duration // when, after the cut
	run        forecast.RunwayResult
	errDays    float64 // expected - true, in days (NaN when the expected date is beyond the horizon)
	inBracket  bool    // pessimistic <= true <= optimistic
	falseAlarm bool    // not crossed, but an expected date was predicted within the data
}

func backtestRunway(out, progress io.Writer, files []string, o fcOptions) error {
	bar := tsio.NewProgress(progress, len(files), "runway")
	var cases []rwCase
	for _, f := range files {
		s, err := fcRead(progress, f, o)
		if err != nil {
			return err
		}
		cs, err := rwSeries(s, o.runway)
		if err != nil {
			return fmt.Errorf("runway %q: %w", f, err)
		}
		cases = append(cases, cs...)
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return rwPrint(out, cases)
}

// rwSeries checks the runway at every weekly cut of s.
func rwSeries(s tsio.Series, horizon time.Duration) ([]rwCase, error) {
	if len(s.Points) == 0 {
		return nil, nil
	}
	start, end := s.Points[0].Time, s.Points[len(s.Points)-1].Time
	var out []rwCase
	for cut := start.Add(rwFirstCut); cut.Before(end); cut = cut.Add(rwCutEvery) {
		var trT []time.Time
		var trV []float64
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range s.Points {
			if p.Time.After(cut) {
				break
			}
			trT, trV = append(trT, p.Time), append(trV, p.Value)
			if fcFinite(p.Value) {
				lo, hi = min(lo, p.Value), max(hi, p.Value)
			}
		}
		if !(hi > lo) {
			continue
		}
		thr := hi + rwMargin*(hi-lo)
		c := rwCase{}
		for _, p := range s.Points {
			if p.Time.After(cut) && !p.Time.After(cut.Add(horizon)) && p.Value >= thr {
				c.crossed, c.truth = true, p.Time.Sub(cut)
				break
			}
		}
		cfg := forecast.DefaultConfig()
		cfg.SelectHorizon = horizon
		md, err := forecast.Fit(trT, trV, cfg)
		if err != nil {
			return nil, err
		}
		c.run = forecast.Runway(md.Forecast(horizon), thr)
		c.errDays = math.NaN()
		if c.crossed {
			if c.run.Expected.Within {
				c.errDays = (c.run.Expected.After - c.truth).Hours() / 24
			}
			c.inBracket = c.run.Pessimistic.Within && c.run.Pessimistic.After <= c.truth &&
				(!c.run.Optimistic.Within || c.truth <= c.run.Optimistic.After)
		} else {
			c.falseAlarm = c.run.Expected.Within && !cut.Add(c.run.Expected.After).After(end)
		}
		out = append(out, c)
	}
	return out, nil
}

func rwPrint(out io.Writer, cases []rwCase) error {
	var errs []float64
	var crossed, found, bracket, quiet, alarms int
	for _, c := range cases {
		if !c.crossed {
			quiet++
			if c.falseAlarm {
				alarms++
			}
			continue
		}
		crossed++
		if !math.IsNaN(c.errDays) {
			found++
			errs = append(errs, math.Abs(c.errDays))
		}
		if c.inBracket {
			bracket++
		}
	}
	var mean float64
	for _, e := range errs {
		mean += e / float64(len(errs))
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "cuts	crossed	dated	median_err_days	mean_err_days	in_bracket	quiet	false_alarms")
	pct := func(a, b int) string {
		if b == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	}
	fmt.Fprintf(w, "%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\n", len(cases), crossed, found, fcNum(fcMedian(errs)), fcNum(mean),
		pct(bracket, crossed), quiet, pct(alarms, quiet))
	return w.Flush()
}

// fcMedian is the median of the finite values of x.
func fcMedian(x []float64) float64 {
	var f []float64
	for _, v := range x {
		if fcFinite(v) {
			f = append(f, v)
		}
	}
	if len(f) == 0 {
		return math.NaN()
	}
	slices.Sort(f)
	if len(f)%2 == 1 {
		return f[len(f)/2]
	}
	return (f[len(f)/2-1] + f[len(f)/2]) / 2
}
