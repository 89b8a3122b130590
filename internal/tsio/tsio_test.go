package tsio

import (
	"os"
	"path/filepath"
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

func TestFormatTimeRoundTrip(t *testing.T) {
	ts := time.Date(2014, 4, 1, 12, 34, 56, 0, time.UTC)
	got, err := ParseTime(FormatTime(ts))
	if err != nil || !got.Equal(ts) {
		t.Fatalf("round trip = %v, %v", got, err)
	}
}
