// Package tsio reads and writes the univariate CSV series the backtests use: a header line,
// then `timestamp,value` rows, as in the Numenta Anomaly Benchmark. It is shared by every
// `mcobs backtest` subcommand so they all accept the same files.
package tsio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Point is one sample of a series.
type Point struct {
	Time  time.Time
	Value float64
}

// Series is a named, time-ordered list of points read from one file.
type Series struct {
	// Name is the file name without its extension.
	Name string
	// Category is the name of the folder holding the file (NAB's category).
	Category string
	// Path is where the series was read from.
	Path   string
	Points []Point
}

// timeLayouts are tried in order; NAB uses the first, exports from Prometheus the others.
var timeLayouts = []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05"}

// ParseTime parses a timestamp in one of the accepted layouts or as Unix seconds.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("unknown timestamp format %q", s)
}

// FormatTime writes a timestamp in NAB's layout, which the NAB scorer expects.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayouts[0]) }

// Read reads one CSV series. Rows must be in time order; a row that does not parse is an error
// naming the file and line, because silently skipping it would shift every later result.
func Read(path string) (Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return Series{}, err
	}
	defer f.Close()
	s := Series{
		Name:     strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)),
		Category: filepath.Base(filepath.Dir(path)),
		Path:     path,
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Series{}, fmt.Errorf("read %q: %w", path, err)
		}
		if len(rec) < 2 {
			return Series{}, fmt.Errorf("%s:%d: want timestamp,value, got %d fields", path, line, len(rec))
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "timestamp") {
			continue
		}
		t, err := ParseTime(rec[0])
		if err != nil {
			return Series{}, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return Series{}, fmt.Errorf("%s:%d: value %q: %w", path, line, rec[1], err)
		}
		if n := len(s.Points); n > 0 && t.Before(s.Points[n-1].Time) {
			return Series{}, fmt.Errorf("%s:%d: timestamp %s is before the previous row", path, line, rec[0])
		}
		s.Points = append(s.Points, Point{Time: t, Value: v})
	}
	return s, nil
}

// Expand turns arguments (files or folders) into the sorted list of CSV files below them.
func Expand(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".csv") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}
