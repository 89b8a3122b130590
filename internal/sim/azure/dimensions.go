package simazure

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// dimensionFilter is a metrics filter on one dimension: `Direction eq '*'` keeps every value,
// `Direction eq 'In' or Direction eq 'Out'` the ones listed.
type dimensionFilter struct {
	name   string
	values []string // nil for '*'
}

var filterTerm = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9_.]*)\s+eq\s+'([^']*)'\s*$`)

// parseFilter reads the subset of Azure Monitor's filter syntax the simulated dimensions need:
// equality terms on one dimension joined by `or`. Every requested metric must have that
// dimension, as Azure Monitor requires of a batch.
func (q *batchQuery) parseFilter(param string) *apiError {
	if param == "" {
		return nil
	}
	f := &dimensionFilter{}
	for term := range strings.SplitSeq(param, " or ") {
		m := filterTerm.FindStringSubmatch(term)
		if m == nil {
			return badRequest("Invalid filter %q: the simulator supports `<dimension> eq '<value>'` terms joined by `or`.", param)
		}
		if f.name != "" && !strings.EqualFold(f.name, m[1]) {
			return badRequest("Invalid filter %q: the simulator supports one dimension per filter.", param)
		}
		f.name = m[1]
		if m[2] == "*" {
			f.values = nil
			continue
		}
		f.values = append(f.values, m[2])
	}
	for _, m := range q.metrics {
		if !strings.EqualFold(sim.AzureDimensionOf(q.namespace, m.Name), f.name) {
			return badRequest("Metric: %s does not support requested dimension combination: %s, supported ones are: %s",
				m.Name, strings.ToLower(f.name), strings.ToLower(sim.AzureDimensionOf(q.namespace, m.Name)))
		}
	}
	q.split = f
	return nil
}

// keeps reports whether the filter keeps a dimension value.
func (f *dimensionFilter) keeps(v string) bool {
	return f.values == nil || slices.ContainsFunc(f.values, func(x string) bool { return strings.EqualFold(x, v) })
}

// splitTimeSeries is a split metric's answer: with a filter on its dimension a time series per
// kept value, labelled by metadatavalues; without one the values' sum as one time series.
func splitTimeSeries(s *sim.Simulator, split []sim.Series, q batchQuery, first, end, now time.Time, aggs []string) []timeSeries {
	if q.split == nil {
		var sum []sim.Window
		for _, ser := range split {
			ws := s.Windows(ser, first, q.period, end, now)
			if sum == nil {
				sum = ws
				continue
			}
			for i := range sum {
				sum[i] = sum[i].Merge(ws[i])
			}
		}
		return []timeSeries{{MetadataValues: []any{}, Data: points(sum, aggs)}}
	}
	out := []timeSeries{}
	for _, ser := range split {
		v := ser.Dimensions[0].Value
		if !q.split.keeps(v) {
			continue
		}
		out = append(out, timeSeries{
			MetadataValues: []any{map[string]any{"name": localizable{ser.Dimensions[0].Name, ser.Dimensions[0].Name}, "value": v}},
			Data:           points(s.Windows(ser, first, q.period, end, now), aggs),
		})
	}
	return out
}
