package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBacktestForecast(t *testing.T) {
	dir := t.TempDir()
	// Ten days of a daily sine with small noise: the daily season is found and the held-out day
	// is forecast better than the in-sample naive forecast (MASE < 1), with most points inside
	// the 95% interval.
	writeDailyCSV(t, filepath.Join(dir, "cat", "x.csv"), 10*48, -1, 0, -1)
	var stdout bytes.Buffer
	cmd := newBacktestForecastCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--horizon", "24h", "--holdout", "24h", "--plot", filepath.Join(dir, "x.svg"), dir})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout.String(), "\n")
	header := strings.Fields(lines[0])
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, want := range []string{"MASE", "sMAPE", "cov80", "cov95"} {
		if _, ok := col[want]; !ok {
			t.Fatalf("header %q lacks %s", lines[0], want)
		}
	}
	row := strings.Fields(lines[1])
	if len(row) != len(header) || row[0] != "cat/x" {
		t.Fatalf("row %q does not match header %q", lines[1], lines[0])
	}
	num := func(name string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(strings.TrimSuffix(row[col[name]], "%"), 64)
		if err != nil {
			t.Fatalf("%s = %q: %v", name, row[col[name]], err)
		}
		return v
	}
	if m := num("MASE"); !(m > 0 && m < 1) {
		t.Errorf("MASE %v, want in (0, 1) on a clean daily sine", m)
	}
	if s := num("sMAPE"); !(s > 0 && s < 5) {
		t.Errorf("sMAPE %v%%, want in (0, 5)", s)
	}
	if c := num("cov95"); c < 80 {
		t.Errorf("95%% coverage %v%%, want >= 80", c)
	}
	if !strings.HasPrefix(lines[2], "overall") {
		t.Errorf("no overall row:\n%s", stdout.String())
	}
}
