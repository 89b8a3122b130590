package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/analytics/forecast"
	"github.com/mcobs/mcobs/internal/tsio"
	"github.com/mcobs/mcobs/internal/tsplot"
)

// newBacktestForecastCmd runs the forecasting engine of the Grafana plugin over CSV series: fit
// on all but a held-out tail, forecast the tail, and grade the forecast.
func newBacktestForecastCmd() *cobra.Command {
	var horizon, holdout time.Duration
	var plot string
	cmd := &cobra.Command{
		Use:   "forecast [--horizon 1d] [--holdout 1d] [--plot FILE] FILES|DIRS",
		Short: "Forecast the held-out tail of CSV series and grade MASE, sMAPE and interval coverage",
		Long: `Runs the forecasting engine (internal/analytics/forecast) over every CSV file given or
found under the folders given: fits on all but the last --holdout of each series, forecasts
--horizon ahead, and prints per file and overall:

  model     the model chosen (seasonal, seasonal-level, trend, level, mean, naive);
  season    the season detected (the model may still have forecast better without it);
  MASE      mean absolute error scaled by the in-sample one-step seasonal naive error (with the
            detected season, or plain naive without one), as Hyndman and Koehler define it;
  rel_sn    mean absolute error relative to the seasonal naive forecast of the same tail;
  rel_lin   the same relative to predict_linear (least squares over the last --holdout of the
            history, extrapolated), what a PromQL capacity panel would show;
  sMAPE     symmetric mean absolute percentage error, in percent;
  cov80/95  the share of held-out points inside the 80% and 95% prediction intervals.

Overall: MASE and sMAPE are means over the files where they are defined, rel_sn and rel_lin
geometric means, coverage pooled over every held-out point; the median row gives the medians,
which one unforecastable anomaly in a tail does not move. With --plot, the first series is
drawn with its forecast and intervals to a .png or .svg file.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if horizon <= 0 || holdout <= 0 {
				return fmt.Errorf("--horizon and --holdout must be positive, got %s and %s", horizon, holdout)
			}
			files, err := tsio.Expand(args)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return errors.New("no CSV files found")
			}
			return backtestForecast(cmd.OutOrStdout(), cmd.ErrOrStderr(), files, horizon, holdout, plot)
		},
	}
	cmd.Flags().DurationVar(&horizon, "horizon", 24*time.Hour, "how far ahead to forecast")
	cmd.Flags().DurationVar(&holdout, "holdout", 24*time.Hour, "tail of each series held out and graded")
	cmd.Flags().StringVar(&plot, "plot", "", "draw the first series to this .png or .svg file")
	return cmd
}

// fcScore is the grade of one file's forecast.
type fcScore struct {
	name                string
	info                forecast.Info
	n                   int // held-out points inside the horizon
	mase, relSN, relLin float64
	smape               float64
	in80, in95          int
	elapsed             time.Duration
	skipped             string
}

func backtestForecast(out, progress io.Writer, files []string, horizon, holdout time.Duration, plot string) error {
	bar := tsio.NewProgress(progress, len(files), "forecast")
	var scores []fcScore
	for i, f := range files {
		s, err := readSeries(progress, f)
		if err != nil {
			return err
		}
		sc, fc, err := fcScoreSeries(s, horizon, holdout)
		if err != nil {
			return fmt.Errorf("forecast %q: %w", f, err)
		}
		scores = append(scores, sc)
		if i == 0 && plot != "" {
			if err := fcPlot(plot, s, fc, holdout); err != nil {
				return err
			}
		}
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return fcPrint(out, scores)
}

// fcSplit separates the history from the held-out tail: the points after last-holdout.
func fcSplit(s tsio.Series, holdout time.Duration) (trT []time.Time, trV []float64, te []tsio.Point) {
	if len(s.Points) == 0 {
		return nil, nil, nil
	}
	cut := s.Points[len(s.Points)-1].Time.Add(-holdout)
	for _, p := range s.Points {
		if p.Time.After(cut) {
			te = append(te, p)
			continue
		}
		trT = append(trT, p.Time)
		trV = append(trV, p.Value)
	}
	return trT, trV, te
}

func fcScoreSeries(s tsio.Series, horizon, holdout time.Duration) (fcScore, forecast.Forecast, error) {
	sc := fcScore{name: s.Category + "/" + s.Name}
	trT, trV, te := fcSplit(s, holdout)
	if len(trT) == 0 || len(te) == 0 {
		sc.skipped = "series shorter than the holdout"
		return sc, forecast.Forecast{}, nil
	}
	start := time.Now()
	cfg := forecast.DefaultConfig()
	cfg.SelectHorizon = horizon // judge the candidate models at the horizon graded
	md, err := forecast.Fit(trT, trV, cfg)
	if err != nil {
		return sc, forecast.Forecast{}, err
	}
	fc := md.Forecast(horizon)
	sc.elapsed = time.Since(start)
	sc.info = md.Info()
	snaive := md.SeasonalNaive(len(fc.Mean))
	lin := fcLinear(trT, trV, holdout)
	var ae, aeSN, aeLin, smape float64
	for _, p := range te {
		k := int(math.Round(float64(p.Time.Sub(fc.Origin))/float64(fc.Step))) - 1
		if k < 0 || k >= len(fc.Mean) || !fcFinite(p.Value) {
			continue
		}
		y, yh := p.Value, fc.Mean[k]
		sc.n++
		ae += math.Abs(y - yh)
		aeSN += math.Abs(y - snaive[k])
		aeLin += math.Abs(y - lin(p.Time))
		if d := math.Abs(y) + math.Abs(yh); d > 0 {
			smape += 200 * math.Abs(y-yh) / d
		}
		if y >= fc.Lower80[k] && y <= fc.Upper80[k] {
			sc.in80++
		}
		if y >= fc.Lower95[k] && y <= fc.Upper95[k] {
			sc.in95++
		}
	}
	if sc.n == 0 {
		sc.skipped = "no held-out point within the horizon"
		return sc, fc, nil
	}
	n := float64(sc.n)
	sc.mase = ae / n / md.NaiveScale()
	sc.relSN = ae / aeSN
	sc.relLin = ae / aeLin
	sc.smape = smape / n
	return sc, fc, nil
}

// fcLinear is PromQL's predict_linear: a least-squares line through the history's last window,
// extrapolated.
func fcLinear(ts []time.Time, vs []float64, window time.Duration) func(time.Time) float64 {
	end := ts[len(ts)-1]
	var n, st, sy, stt, sty float64
	for i := len(ts) - 1; i >= 0 && !ts[i].Before(end.Add(-window)); i-- {
		if !fcFinite(vs[i]) {
			continue
		}
		t := ts[i].Sub(end).Seconds()
		n++
		st += t
		sy += vs[i]
		stt += t * t
		sty += t * vs[i]
	}
	b := 0.0
	if den := n*stt - st*st; den != 0 {
		b = (n*sty - st*sy) / den
	}
	a := (sy - b*st) / n
	return func(t time.Time) float64 { return a + b*t.Sub(end).Seconds() }
}

func fcFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func fcPrint(out io.Writer, scores []fcScore) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "file\tmodel\tseason\tpoints\tMASE\trel_sn\trel_lin\tsMAPE\tcov80\tcov95\tfit_ms")
	var sumMASE, sumSMAPE, logSN, logLin float64
	var allMASE, allSN, allLin, allSMAPE []float64
	var skipped []string // listed after the table, so they do not break its columns
	var nMASE, nSMAPE, nSN, nLin, n, in80, in95, files int
	for _, s := range scores {
		if s.skipped != "" {
			skipped = append(skipped, s.name+": "+s.skipped)
			continue
		}
		files++
		season := "-"
		if s.info.Detected > 0 {
			season = fcDur(s.info.Detected)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.1f%%\t%.1f%%\t%.1f\n", s.name, s.info.Kind, season, s.n,
			fcNum(s.mase), fcNum(s.relSN), fcNum(s.relLin), fcNum(s.smape),
			100*float64(s.in80)/float64(s.n), 100*float64(s.in95)/float64(s.n), float64(s.elapsed.Microseconds())/1000)
		allMASE, allSN, allLin, allSMAPE = append(allMASE, s.mase), append(allSN, s.relSN), append(allLin, s.relLin), append(allSMAPE, s.smape)
		if fcFinite(s.mase) {
			sumMASE += s.mase
			nMASE++
		}
		if fcFinite(s.smape) {
			sumSMAPE += s.smape
			nSMAPE++
		}
		if fcFinite(s.relSN) && s.relSN > 0 {
			logSN += math.Log(s.relSN)
			nSN++
		}
		if fcFinite(s.relLin) && s.relLin > 0 {
			logLin += math.Log(s.relLin)
			nLin++
		}
		n += s.n
		in80 += s.in80
		in95 += s.in95
	}
	if n > 0 {
		fmt.Fprintf(w, "overall\t%d files\t\t%d\t%s\t%s\t%s\t%s\t%.1f%%\t%.1f%%\t\n", files, n,
			fcNum(sumMASE/float64(nMASE)), fcNum(math.Exp(logSN/float64(nSN))), fcNum(math.Exp(logLin/float64(nLin))),
			fcNum(sumSMAPE/float64(nSMAPE)), 100*float64(in80)/float64(n), 100*float64(in95)/float64(n))
		fmt.Fprintf(w, "median\t%d files\t\t\t%s\t%s\t%s\t%s\t\t\t\n", files,
			fcNum(fcMedian(allMASE)), fcNum(fcMedian(allSN)), fcNum(fcMedian(allLin)), fcNum(fcMedian(allSMAPE)))
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
func fcPlot(path string, s tsio.Series, fc forecast.Forecast, holdout time.Duration) error {
	if len(fc.Mean) == 0 {
		return fmt.Errorf("plot %q: no forecast for %s", path, s.Name)
	}
	from := fc.Origin.Add(-max(4*holdout, 7*24*time.Hour))
	var ht, at []time.Time
	var hv, av []float64
	for _, p := range s.Points {
		switch {
		case p.Time.Before(from):
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
