package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
	"github.com/mcobs/mcobs/internal/tsio"
)

func TestBacktestDownsample(t *testing.T) {
	// A square wave with a spike; the row going back in time is dropped, as the processor does.
	dir := writeSquareWave(t, 10, true)
	labels := filepath.Join(dir, "labels", "combined_labels.json")
	if err := os.MkdirAll(filepath.Dir(labels), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(labels, []byte(`{"cat/x.csv": ["2014-04-01 02:00:00"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kept")
	plot := filepath.Join(dir, "plot.svg")
	var stdout bytes.Buffer
	cmd := newBacktestDownsampleCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--read", "linear", "--out", out, "--plot", plot, filepath.Join(dir, "data")})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	report := stdout.String()
	for _, want := range []string{"cat/x", "spike retention: 1 of 1", "spike retention, pooled budget: 1 of 1", "dropped 1 duplicate or out-of-order"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	kept, err := tsio.Read(filepath.Join(out, "cat", "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Four flat runs and a spike: a handful of knots, and the spike kept at its height.
	if n := len(kept.Points); n < 5 || n > 20 {
		t.Errorf("kept %d samples", n)
	}
	spike := false
	for _, p := range kept.Points {
		spike = spike || p.Value == 100
	}
	if !spike {
		t.Errorf("spike lost: %v", kept.Points)
	}
	if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
		t.Errorf("plot not written: %v", err)
	}
}

func TestBacktestDownsampleFlags(t *testing.T) {
	f := func(args ...string) {
		t.Helper()
		cmd := newBacktestDownsampleCmd()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
	f()                                            // nothing to run
	f("--algorithm", "best", "--synthetic", "10")  // unknown algorithm
	f("--tolerance", "0", "--synthetic", "10")     // no tolerance
	f("--range", "global", "--synthetic", "10")    // unknown range mode
	f("--read", "cubic", "--synthetic", "10")      // unknown reader
	f("--algorithm", "mixed", "--synthetic", "10") // linear-only, under last-value reads
	f("--lookback", "-1s", "--synthetic", "10")    // negative lookback
}

// TestBacktestDownsampleLastValue runs the default report, read as PromQL reads: a square wave
// with a spike, one sample a minute, read with a 30m lookback. Hold keeps each flat run's
// start, a sample at most every 30 minutes and the spike; PMC-MR alone leaves gaps.
func TestBacktestDownsampleLastValue(t *testing.T) {
	dir := writeSquareWave(t, 30, false)
	var stdout bytes.Buffer
	cmd := newBacktestDownsampleCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--lookback", "30m", "--tolerance", "0.05", filepath.Join(dir, "data")})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	report := stdout.String()
	// Six flat runs (0-49, 50-99, 100-119, the spike, 121-149, 150-199): PMC-MR keeps one
	// sample each (3%) but leaves gaps where a run outlasts 30 minutes, so read with the lookback
	// it qualifies only by keeping everything. Hold keeps 10 (5%): each run's start, a re-emit
	// at 30 and 80, 180, and the last sample where the input ends.
	if !strings.Contains(report, "ours: worst max error as read 0.000% of range, 0 gaps") {
		t.Errorf("report lacks the bound:\n%s", report)
	}
	pooled := ""
	for _, l := range strings.Split(report, "\n") {
		if f := strings.Fields(l); len(f) == 7 && f[0] == "cat" {
			pooled = strings.Join(f[3:6], " ")
		}
	}
	if pooled != "5.00% 100.00% 3.00%" {
		t.Errorf("kept (ours, PMC-MR, PMC-MR without lookback) = %q, want 5.00%% 100.00%% 3.00%%:\n%s", pooled, report)
	}
}

func TestBacktestDownsampleSynthetic(t *testing.T) {
	var stdout bytes.Buffer
	cmd := newBacktestDownsampleCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--synthetic", "2000", "--range", "recent"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, k := range reduce.SyntheticKinds {
		if !strings.Contains(stdout.String(), "synthetic/"+k) {
			t.Errorf("report lacks synthetic/%s", k)
		}
	}
}

// writeSquareWave writes data/cat/x.csv under a new folder and returns the folder: 200 samples
// a minute apart, 0 and high in turns of 50, a spike of 100 at the 120th and, with late, a row
// going back in time after the 100th.
func writeSquareWave(t *testing.T, high float64, late bool) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data", "cat")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	for i := range 200 {
		v := float64((i/50)%2) * high
		if i == 120 {
			v = 100
		}
		fmt.Fprintf(&b, "2014-04-01 %02d:%02d:00,%g\n", i/60, i%60, v)
		if late && i == 100 {
			b.WriteString("2014-04-01 00:00:00,5\n")
		}
	}
	if err := os.WriteFile(filepath.Join(data, "x.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
