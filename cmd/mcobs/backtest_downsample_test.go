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
	dir := t.TempDir()
	data := filepath.Join(dir, "data", "cat")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	// A square wave with a spike; the row going back in time is dropped, as the processor does.
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	for i := range 200 {
		v := float64((i / 50) % 2 * 10)
		if i == 120 {
			v = 100
		}
		fmt.Fprintf(&b, "2014-04-01 %02d:%02d:00,%g\n", i/60, i%60, v)
		if i == 100 {
			b.WriteString("2014-04-01 00:00:00,5\n")
		}
	}
	if err := os.WriteFile(filepath.Join(data, "x.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
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
	cmd.SetArgs([]string{"--out", out, "--plot", plot, filepath.Join(dir, "data")})
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
	f()                                           // nothing to run
	f("--algorithm", "best", "--synthetic", "10") // unknown algorithm
	f("--tolerance", "0", "--synthetic", "10")    // no tolerance
	f("--range", "global", "--synthetic", "10")   // unknown range mode
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
