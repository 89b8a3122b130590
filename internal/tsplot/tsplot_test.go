package tsplot

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSave(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)}
	c := Chart{
		Title:   "test",
		Bands:   []Band{{Name: "band", Times: ts, Lower: []float64{0, 0, 0}, Upper: []float64{2, 2, 2}, Color: Grey}},
		Lines:   []Line{{Name: "value", Times: ts, Vals: []float64{1, 1.5, 1}, Color: Blue}},
		Markers: []Markers{{Name: "anomaly", Times: ts[1:2], Vals: []float64{1.5}, Color: Red}},
	}
	dir := t.TempDir()
	for ext, magic := range map[string][]byte{".png": []byte("\x89PNG"), ".svg": []byte("<?xml")} {
		p := filepath.Join(dir, "c"+ext)
		if err := Save(c, p); err != nil {
			t.Fatalf("Save(%s): %v", ext, err)
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, magic) {
			t.Fatalf("%s: not a %s file (err %v)", p, ext, err)
		}
	}
	if err := Save(c, filepath.Join(dir, "c.gif")); err == nil {
		t.Fatal("Save(.gif) succeeded, want an error")
	}
}
