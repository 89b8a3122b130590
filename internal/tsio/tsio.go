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

// Read reads one CSV series strictly. Rows must be in time order; a row that does not parse is
// an error naming the file and line, because silently skipping it would shift every later
// result.
func Read(path string) (Series, error) {
	s, _, err := ReadWith(path, Strict)
	return s, err
}

// Mode says how ReadWith treats rows that a strict reader refuses.
type Mode uint8

const (
	// Strict refuses a file with a row that does not parse or goes back in time.
	Strict Mode = iota
	// Lenient keeps every parsed row in file order, even one whose timestamp is before the
	// previous row's (NAB's machine_temperature_system_failure.csv has one, and NAB's scorer
	// matches results to data rows by position), and drops rows that do not parse. Report says
	// how many of each.
	Lenient
)

// Report counts the rows a lenient read kept out of time order or dropped.
type Report struct {
	// Backwards is the number of kept rows whose timestamp is before the previous row's.
	Backwards int
	// Dropped is the number of rows that did not parse and were skipped.
	Dropped int
	// First describes the first such row (file:line: problem), empty when there was none.
	First string
}

// Clean reports whether the read met the strict rules.
func (r Report) Clean() bool { return r.Backwards == 0 && r.Dropped == 0 }

// String summarises the report for a warning line.
func (r Report) String() string {
	return fmt.Sprintf("%d rows back in time kept, %d unparsable rows dropped (first: %s)", r.Backwards, r.Dropped, r.First)
}

// ReadWith reads one CSV series in the given mode. In Strict mode the Report is always clean;
// in Lenient mode only an I/O or CSV syntax error fails the read.
func ReadWith(path string, mode Mode) (Series, Report, error) {
	var rep Report
	f, err := os.Open(path)
	if err != nil {
		return Series{}, rep, err
	}
	defer func() { _ = f.Close() }() // read only
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
			return Series{}, rep, fmt.Errorf("read %q: %w", path, err)
		}
		if line == 1 && len(rec) >= 2 && strings.EqualFold(strings.TrimSpace(rec[0]), "timestamp") {
			continue
		}
		p, backwards, perr := parseRow(rec, s.Points)
		if perr == nil && backwards {
			perr = fmt.Errorf("timestamp %s is before the previous row", rec[0])
			if mode == Lenient {
				rep.Backwards++
				rep.note(path, line, perr)
				perr = nil
			}
		}
		if perr != nil {
			if mode == Strict {
				return Series{}, rep, fmt.Errorf("%s:%d: %w", path, line, perr)
			}
			rep.Dropped++
			rep.note(path, line, perr)
			continue
		}
		s.Points = append(s.Points, p)
	}
	return s, rep, nil
}

func (r *Report) note(path string, line int, err error) {
	if r.First == "" {
		r.First = fmt.Sprintf("%s:%d: %v", path, line, err)
	}
}

// parseRow parses one record and says whether it goes back in time against the points so far.
func parseRow(rec []string, prev []Point) (p Point, backwards bool, err error) {
	if len(rec) < 2 {
		return p, false, fmt.Errorf("want timestamp,value, got %d fields", len(rec))
	}
	t, err := ParseTime(rec[0])
	if err != nil {
		return p, false, err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
	if err != nil {
		return p, false, fmt.Errorf("value %q: %w", rec[1], err)
	}
	backwards = len(prev) > 0 && t.Before(prev[len(prev)-1].Time)
	return Point{Time: t, Value: v}, backwards, nil
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
