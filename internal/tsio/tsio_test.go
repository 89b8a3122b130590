package tsio

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	f := func(body string, wantErr bool, wantN int) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "cat", "x.csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Read(p)
		if (err != nil) != wantErr {
			t.Fatalf("Read(%q) err = %v, want error %v", body, err, wantErr)
		}
		if err == nil && (len(s.Points) != wantN || s.Name != "x" || s.Category != "cat") {
			t.Fatalf("Read(%q) = %d points %q/%q", body, len(s.Points), s.Category, s.Name)
		}
	}
	// NAB layout with header.
	f("timestamp,value\n2014-04-01 00:00:00,1.5\n2014-04-01 00:05:00,2\n", false, 2)
	// RFC 3339 and unix seconds, no header.
	f("2014-04-01T00:00:00Z,1\n1396310700,2\n", false, 2)
	// A bad value names the line.
	f("timestamp,value\n2014-04-01 00:00:00,abc\n", true, 0)
	// Out of order rows are refused.
	f("2014-04-01 00:05:00,1\n2014-04-01 00:00:00,2\n", true, 0)
}

func TestReadLenient(t *testing.T) {
	f := func(body string, wantVals []float64, wantBack, wantDropped int) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "x.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		s, rep, err := ReadWith(p, Lenient)
		if err != nil {
			t.Fatalf("ReadWith(%q, Lenient): %v", body, err)
		}
		var got []float64
		for _, pt := range s.Points {
			got = append(got, pt.Value)
		}
		if !slices.Equal(got, wantVals) || rep.Backwards != wantBack || rep.Dropped != wantDropped {
			t.Fatalf("ReadWith(%q, Lenient) = %v, %+v; want %v, %d back, %d dropped", body, got, rep, wantVals, wantBack, wantDropped)
		}
		if rep.Clean() != (wantBack == 0 && wantDropped == 0) || (!rep.Clean() && !strings.Contains(rep.First, "x.csv:")) {
			t.Fatalf("report %+v: Clean or First wrong", rep)
		}
	}
	// A clean file reads as in strict mode.
	f("timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\n", []float64{1, 2}, 0, 0)
	// A row back in time is kept in file order, so results stay aligned with the data rows.
	f("timestamp,value\n2014-04-01 00:05:00,1\n2014-04-01 00:00:00,2\n2014-04-01 00:10:00,3\n", []float64{1, 2, 3}, 1, 0)
	// Unparsable rows are dropped and counted.
	f("timestamp,value\n2014-04-01 00:00:00,abc\nnot a time,1\n2014-04-01 00:05:00,4\n5\n", []float64{4}, 0, 3)
}

func TestFold(t *testing.T) {
	files := []string{"b/2.csv", "a/1.csv", "a/3.csv", "b/1.csv", "a/2.csv"}
	f := func(k, n int, want []string) {
		t.Helper()
		got, err := Fold(files, k, n)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Fold(%d, %d) = %v, %v; want %v", k, n, got, err, want)
		}
	}
	// Dealt in turn within each folder, in name order.
	f(0, 2, []string{"a/1.csv", "a/3.csv", "b/1.csv"})
	f(1, 2, []string{"a/2.csv", "b/2.csv"})
	// One fold is everything.
	f(0, 1, []string{"a/1.csv", "a/2.csv", "a/3.csv", "b/1.csv", "b/2.csv"})
	for _, bad := range [][2]int{{2, 2}, {-1, 2}, {0, 0}} {
		if _, err := Fold(files, bad[0], bad[1]); err == nil {
			t.Fatalf("Fold(%d, %d) accepted", bad[0], bad[1])
		}
	}
}

func TestFormatTimeRoundTrip(t *testing.T) {
	ts := time.Date(2014, 4, 1, 12, 34, 56, 0, time.UTC)
	got, err := ParseTime(FormatTime(ts))
	if err != nil || !got.Equal(ts) {
		t.Fatalf("round trip = %v, %v", got, err)
	}
}
