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
