package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeDailyCSV writes n half-hourly points of a daily sine with deterministic noise to path,
// with the value at spike (if >= 0) raised by height and, after row back (if >= 0), one extra
// row dated at the first timestamp, as NAB's machine_temperature file has. It returns the
// number of data rows written.
func writeDailyCSV(t *testing.T, path string, n, spike int, height float64, back int) int {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	rows := 0
	for i := range n {
		v := 100 + 20*math.Sin(2*math.Pi*float64(i)/48) + math.Sin(float64(i)*12.9898)*1.5
		if i == spike {
			v += height
		}
		fmt.Fprintf(&b, "%s,%.4f\n", t0.Add(time.Duration(i)*30*time.Minute).Format(time.DateTime), v)
		rows++
		if i == back {
			fmt.Fprintf(&b, "%s,%.4f\n", t0.Format(time.DateTime), v)
			rows++
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBacktestAnomaly(t *testing.T) {
	dir := t.TempDir()
	const n, spike = 1500, 1200
	rows := writeDailyCSV(t, filepath.Join(dir, "data", "cat", "x.csv"), n, spike, 200, 700)
	out := filepath.Join(dir, "results")
	f := func(plot string, magic []byte) {
		t.Helper()
		var stderr bytes.Buffer
		cmd := newBacktestAnomalyCmd()
		cmd.SetOut(io.Discard)
		cmd.SetErr(&stderr)
		cmd.SetArgs([]string{"--out", out, "--detector", "det", "--plot", plot, filepath.Join(dir, "data")})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		// The lenient reader keeps the row back in time and says so.
		if !strings.Contains(stderr.String(), "1 rows back in time kept") {
			t.Errorf("no warning about the row back in time:\n%s", stderr.String())
		}
		b, err := os.ReadFile(plot)
		if err != nil || !bytes.Contains(b[:min(len(b), 256)], magic) {
			t.Errorf("plot %q not written as expected: %v", plot, err)
		}
	}
	// SVG, then PNG, of the first series.
	f(filepath.Join(dir, "x.svg"), []byte("<svg"))
	f(filepath.Join(dir, "x.png"), []byte("\x89PNG"))

	fh, err := os.Open(filepath.Join(out, "det", "cat", "det_x.csv"))
	if err != nil {
		t.Fatalf("NAB layout <out>/<detector>/<category>/<detector>_<file>.csv: %v", err)
	}
	defer func() { _ = fh.Close() }()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "timestamp,value,anomaly_score" {
		t.Fatalf("header %q", got)
	}
	if len(recs)-1 != rows {
		t.Fatalf("%d result rows for %d data rows", len(recs)-1, rows)
	}
	// The spike is data row spike+1 (one extra row before it); its score is the highest.
	best, bestAt := -1.0, -1
	for i, r := range recs[1:] {
		s, err := strconv.ParseFloat(r[2], 64)
		if err != nil || s < 0 || s > 1 {
			t.Fatalf("row %d: score %q not in [0, 1]", i+1, r[2])
		}
		if s > best {
			best, bestAt = s, i
		}
	}
	if bestAt < spike+1 || bestAt > spike+3 || best < 0.5 {
		t.Errorf("highest score %.3f at row %d, want >= 0.5 at the spike (row %d)", best, bestAt, spike+1)
	}
}

func TestBacktestAnomalyFold(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		writeDailyCSV(t, filepath.Join(dir, "data", "cat", name+".csv"), 300, -1, 0, -1)
	}
	out := filepath.Join(dir, "results")
	cmd := newBacktestAnomalyCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--out", out, "--folds", "2", "--fold", "1", filepath.Join(dir, "data")})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	got, err := filepath.Glob(filepath.Join(out, "mcobs", "cat", "*.csv"))
	if err != nil || len(got) != 1 || filepath.Base(got[0]) != "mcobs_b.csv" {
		t.Fatalf("fold 1 of 2 of a, b, c wrote %v, want only mcobs_b.csv", got)
	}
}

// An entity file (folder <cat>_entity) is scored by the group model over its metric files in
// <cat>, with the metric that contributed most in a fourth column: a break of one metric from
// its correlated partner is the highest score, and that metric is named.
func TestBacktestAnomalyEntity(t *testing.T) {
	dir := t.TempDir()
	const n, at = 1200, 1000
	t0 := time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)
	write := func(path string, val func(i int) float64) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("timestamp,value\n")
		for i := range n {
			fmt.Fprintf(&b, "%s,%.4f\n", t0.Add(time.Duration(i)*5*time.Minute).Format(time.DateTime), val(i))
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wave := func(i int) float64 { return math.Sin(float64(i)/20) + 0.05*math.Sin(float64(i)*12.9898) }
	write(filepath.Join(dir, "data", "srv", "s1_m1.csv"), wave)
	write(filepath.Join(dir, "data", "srv", "s1_m2.csv"), func(i int) float64 {
		if i == at {
			return -2 * wave(i) // against its partner, within its own range
		}
		return 2*wave(i) + 0.05*math.Cos(float64(i)*7.31)
	})
	write(filepath.Join(dir, "data", "srv", "s1_m3.csv"), func(i int) float64 { return 0.1 * math.Sin(float64(i)*3.7) })
	write(filepath.Join(dir, "data", "srv_entity", "s1.csv"), wave)
	out := filepath.Join(dir, "results")
	cmd := newBacktestAnomalyCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--out", out, filepath.Join(dir, "data", "srv_entity")})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(filepath.Join(out, "mcobs", "srv_entity", "mcobs_s1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fh.Close() }()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "timestamp,value,anomaly_score,top_metric" || len(recs)-1 != n {
		t.Fatalf("header %q and %d rows, want the top_metric column and %d rows", got, len(recs)-1, n)
	}
	best, bestAt := -1.0, -1
	for i, r := range recs[1:] {
		s, err := strconv.ParseFloat(r[2], 64)
		if err != nil || s < 0 || s >= 1 {
			t.Fatalf("row %d: score %q not in [0, 1)", i, r[2])
		}
		if s > best {
			best, bestAt = s, i
		}
	}
	if bestAt != at || best < 0.5 || recs[at+1][3] != "s1_m2" {
		t.Errorf("highest score %.3f at row %d (top %q), want >= 0.5 at row %d naming s1_m2", best, bestAt, recs[bestAt+1][3], at)
	}

	// An entity with a single metric file is an error naming the pattern.
	if err := os.Remove(filepath.Join(dir, "data", "srv", "s1_m2.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "data", "srv", "s1_m3.csv")); err != nil {
		t.Fatal(err)
	}
	cmd = newBacktestAnomalyCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--out", out, filepath.Join(dir, "data", "srv_entity")})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "s1_*.csv") {
		t.Errorf("entity with one metric: %v, want an error naming s1_*.csv", err)
	}
}
