package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fcTable parses a whitespace-separated table starting at the line whose first field is
// first, up to the next blank line: rows keyed by their first fields joined, columns by header.
func fcTable(t *testing.T, out, first string, key int) (map[string]map[string]string, []string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		header := strings.Fields(l)
		if len(header) == 0 || header[0] != first {
			continue
		}
		rows := map[string]map[string]string{}
		for _, r := range lines[i+1:] {
			f := strings.Fields(r)
			if len(f) == 0 {
				break
			}
			row := map[string]string{}
			for j, h := range header {
				if j < len(f) {
					row[h] = f[j]
				}
			}
			rows[strings.Join(f[:key], " ")] = row
		}
		return rows, header
	}
	t.Fatalf("no table starting with %q in:\n%s", first, out)
	return nil, nil
}

func fcNumber(t *testing.T, row map[string]string, col string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(row[col], "%"), 64)
	if err != nil {
		t.Fatalf("%s = %q: %v (row %v)", col, row[col], err, row)
	}
	return v
}

func TestBacktestForecast(t *testing.T) {
	dir := t.TempDir()
	// Twenty days of a half-hourly daily sine with small noise: the engine must beat the daily
	// seasonal naive forecast of the same tails (it averages the noise away), with MASE below 1
	// and most points inside the 95% interval.
	writeDailyCSV(t, filepath.Join(dir, "cat", "x.csv"), 20*48, -1, 0, -1)
	out := filepath.Join(dir, "out")
	var stdout bytes.Buffer
	cmd := newBacktestForecastCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--horizons", "6h,24h", "--origins", "2", "--out", out, "--plot", filepath.Join(dir, "x.svg"), dir})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	files, _ := fcTable(t, stdout.String(), "file", 1)
	x, ok := files["cat/x"]
	if !ok {
		t.Fatalf("no row for cat/x:\n%s", stdout.String())
	}
	if m := fcNumber(t, x, "MASE"); !(m > 0 && m < 1) {
		t.Errorf("MASE %v, want in (0, 1) on a clean daily sine", m)
	}
	if s := fcNumber(t, x, "sMAPE"); !(s > 0 && s < 5) {
		t.Errorf("sMAPE %v%%, want in (0, 5)", s)
	}
	if c := fcNumber(t, x, "cov95"); c < 80 {
		t.Errorf("95%% coverage %v%%, want >= 80", c)
	}
	summary, _ := fcTable(t, stdout.String(), "horizon", 2)
	for _, h := range []string{"6h0m0s", "1d"} {
		for _, m := range fcMethods {
			if _, ok := summary[h+" "+m]; !ok {
				t.Fatalf("no summary row %q:\n%s", h+" "+m, stdout.String())
			}
		}
		eng, sn := summary[h+" engine"], summary[h+" snaive-daily"]
		if r := fcNumber(t, sn, "engMAE/MAE"); !(r > 0 && r < 1) {
			t.Errorf("%s: engine MAE / daily seasonal naive MAE = %v, want in (0, 1)", h, r)
		}
		if a, b := fcNumber(t, eng, "MSIS"), fcNumber(t, sn, "MSIS"); !(a < b) {
			t.Errorf("%s: MSIS %v, daily seasonal naive %v: want lower", h, a, b)
		}
	}
	// The newest origin's forecast, one row per half hour of the longest horizon.
	f, err := os.Open(filepath.Join(out, "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "timestamp,forecast,lower80,upper80,lower95,upper95" {
		t.Fatalf("header %q", got)
	}
	if len(rows) != 1+48 {
		t.Fatalf("%d forecast rows, want 48", len(rows)-1)
	}
	for _, r := range rows[1:] {
		var v [5]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatalf("row %v: %v", r, err)
			}
		}
		if !(v[3] <= v[1] && v[1] <= v[0] && v[0] <= v[2] && v[2] <= v[4]) {
			t.Fatalf("row %v: bounds not nested around the forecast", r)
		}
	}
}

func TestBacktestRunway(t *testing.T) {
	dir := t.TempDir()
	// Hourly usage rising 1 a day for 60 days with a daily swing: every weekly cut sets a
	// threshold a tenth of the range above the history's maximum, which the ramp reaches a few
	// days later; the expected dates must be within a day of the true ones.
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for h := range 60 * 24 {
		d := float64(h) / 24
		fmt.Fprintf(&b, "%s,%.4f\n", t0.Add(time.Duration(h)*time.Hour).Format(time.DateTime), 10+d+0.5*float64(h%24)/24)
	}
	if err := os.MkdirAll(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c", "ramp.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd := newBacktestForecastCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--runway", "720h", dir})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	rows, _ := fcTable(t, stdout.String(), "cuts", 1)
	var row map[string]string
	for _, r := range rows {
		row = r
	}
	if c := fcNumber(t, row, "crossed"); c < 5 {
		t.Fatalf("%v crossings, want one per weekly cut:\n%s", c, stdout.String())
	}
	if e := fcNumber(t, row, "median_err_days"); e > 1 {
		t.Errorf("median date error %v days, want at most 1:\n%s", e, stdout.String())
	}
}
