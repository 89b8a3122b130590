package main

import (
	"bufio"
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/tsio"
	"github.com/mcobs/mcobs/internal/tsplot"
)

// newBacktestAnomalyCmd runs the anomaly processor's detector over CSV series and writes the
// scores in the Numenta Anomaly Benchmark results layout, so score.py can grade them.
func newBacktestAnomalyCmd() *cobra.Command {
	var out, name, plot string
	var fold, folds int
	cmd := &cobra.Command{
		Use:   "anomaly [--out DIR] [--detector NAME] [--plot FILE] [--fold K --folds N] FILES|DIRS",
		Short: "Score CSV series with the anomaly detector and write NAB-layout results",
		Long: `Runs exactly the detector of the anomaly processor (internal/analytics/detect, default
configuration) over every CSV file given or found under the folders given, and writes
<out>/<detector>/<category>/<detector>_<file>.csv with the columns timestamp,value,anomaly_score
(the Numenta Anomaly Benchmark results layout). A file in a folder named <cat>_entity is one
entity (a server) whose metrics are the files <cat>/<file>_*.csv beside that folder (the layout of
the asd data set): its rows are scored by the processor's group model over those metrics, and a
fourth column, top_metric, names the metric that contributed most to each scored row. With --plot, the first series is drawn with its
expected value, dynamic band and critical points (coloured by kind) to a .png or .svg file.

With --folds N, only the files of fold --fold K are scored: within each folder (NAB category)
the files in name order are dealt out in turn to folds 0..N-1, so each fold has every kind of
series and the split is fixed by the names alone (scripts/bench.d/anomaly_folds.sh uses it for a
2-fold held-out NAB score).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := tsio.Expand(args)
			if err != nil {
				return err
			}
			if files, err = tsio.Fold(files, fold, folds); err != nil {
				return err
			}
			if len(files) == 0 {
				return errors.New("no CSV files found")
			}
			return backtestAnomaly(cmd.ErrOrStderr(), files, out, name, plot)
		},
	}
	cmd.Flags().StringVar(&out, "out", "results", "results root folder")
	cmd.Flags().StringVar(&name, "detector", "mcobs", "detector name used in the results layout")
	cmd.Flags().StringVar(&plot, "plot", "", "draw the first series to this .png or .svg file")
	cmd.Flags().IntVar(&fold, "fold", 0, "with --folds, the fold to score (0-based)")
	cmd.Flags().IntVar(&folds, "folds", 1, "deal the files of each folder into this many folds and score only --fold")
	return cmd
}

func backtestAnomaly(progress io.Writer, files []string, out, name, plot string) error {
	bar := tsio.NewProgress(progress, len(files), "anomaly")
	for i, f := range files {
		s, err := readSeries(progress, f)
		if err != nil {
			return err
		}
		members, err := entityMembers(f)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, name, s.Category, name+"_"+s.Name+".csv")
		if members != nil {
			scores, tops, err := scoreEntity(progress, s, members)
			if err != nil {
				return err
			}
			if err := writeNAB(dst, s, scores, tops); err != nil {
				return err
			}
			_ = bar.Add(1)
			continue
		}
		res, err := scoreSeries(s)
		if err != nil {
			return err
		}
		scores := make([]float64, len(res))
		for i, r := range res {
			scores[i] = r.Score
		}
		if err := writeNAB(dst, s, scores, nil); err != nil {
			return err
		}
		if i == 0 && plot != "" {
			if err := plotAnomaly(plot, s, res); err != nil {
				return err
			}
		}
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return nil
}

// readSeries reads a series with tsio's lenient mode, the one reader of every backtest: NAB's
// machine_temperature_system_failure.csv has a row back in time, and the NAB scorer wants one
// output row per input row, in order (the detector treats such a point as arriving at the
// previous time). What the lenient read kept or dropped is reported on warn.
func readSeries(warn io.Writer, path string) (tsio.Series, error) {
	s, rep, err := tsio.ReadWith(path, tsio.Lenient)
	if err != nil {
		return tsio.Series{}, err
	}
	if !rep.Clean() {
		_, _ = fmt.Fprintf(warn, "warning: %s: %s\n", path, rep)
	}
	if len(s.Points) == 0 {
		return tsio.Series{}, fmt.Errorf("read %q: no points", path)
	}
	return s, nil
}

func scoreSeries(s tsio.Series) ([]detect.Result, error) {
	d, err := detect.New(detect.DefaultConfig())
	if err != nil {
		return nil, err
	}
	res := make([]detect.Result, len(s.Points))
	for i, p := range s.Points {
		res[i] = d.Update(p.Time, p.Value)
	}
	return res, nil
}

// writeNAB writes the scores of s in the NAB results layout; with tops (one per row), a fourth
// column top_metric names the metric that contributed most to an entity's score.
func writeNAB(path string, s tsio.Series, scores []float64, tops []string) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriter(f)
	header := "timestamp,value,anomaly_score\n"
	if tops != nil {
		header = "timestamp,value,anomaly_score,top_metric\n"
	}
	if _, err := w.WriteString(header); err != nil {
		return err
	}
	var buf []byte
	for i, p := range s.Points {
		buf = append(buf[:0], tsio.FormatTime(p.Time)...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p.Value, 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, scores[i], 'g', -1, 64)
		if tops != nil {
			buf = append(buf, ',')
			buf = append(buf, tops[i]...)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

func plotAnomaly(path string, s tsio.Series, res []detect.Result) error {
	times := make([]time.Time, 0, len(s.Points))
	vals := make([]float64, 0, len(s.Points))
	var bandT []time.Time
	var exp, lo, hi []float64
	// Critical points, one marker set per kind, so the plot shows which detector found what.
	var byKind [detect.KindSequence + 1]*tsplot.Markers
	for i, p := range s.Points {
		times = append(times, p.Time)
		vals = append(vals, p.Value)
		r := res[i]
		if !isFinite(r.Lower) || !isFinite(r.Upper) {
			continue
		}
		bandT = append(bandT, p.Time)
		exp = append(exp, r.Expected)
		lo = append(lo, r.Lower)
		hi = append(hi, r.Upper)
		if r.Level == detect.LevelCritical {
			m := byKind[r.Kind]
			if m == nil {
				m = &tsplot.Markers{Name: "critical: " + r.Kind.String(), Color: kindColors[r.Kind]}
				byKind[r.Kind] = m
			}
			m.Times = append(m.Times, p.Time)
			m.Vals = append(m.Vals, p.Value)
		}
	}
	var markers []tsplot.Markers
	for _, m := range byKind {
		if m != nil {
			markers = append(markers, *m)
		}
	}
	return tsplot.Save(tsplot.Chart{
		Title:   s.Category + "/" + s.Name,
		Bands:   []tsplot.Band{{Name: "band", Times: bandT, Lower: lo, Upper: hi, Color: bandColor}},
		Lines:   []tsplot.Line{{Name: "value", Times: times, Vals: vals, Color: tsplot.Blue}, {Name: "expected", Times: bandT, Vals: exp, Color: tsplot.Green}},
		Markers: markers,
	}, path)
}

// kindColors tell the kinds of critical points apart on the plot.
var kindColors = [...]color.Color{
	detect.KindNone: tsplot.Grey, detect.KindShift: tsplot.Purple, detect.KindVariance: tsplot.Orange,
	detect.KindShape: tsplot.Brown, detect.KindExtreme: tsplot.Red, detect.KindSequence: tsplot.Pink,
}

// bandColor is an opaque light grey: the band is drawn first, so the lines stay visible on it.
var bandColor = color.RGBA{R: 215, G: 215, B: 215, A: 255}

func isFinite(x float64) bool { return x-x == 0 }
