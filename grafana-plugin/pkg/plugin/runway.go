package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/prometheus/common/model"
	"golang.org/x/sync/errgroup"

	"github.com/mcobs/mcobs/internal/analytics/forecast"
)

// Runway defaults: an hourly step over four weeks sees a trend and the daily and weekly
// seasons without the cost of a 5-minute step, and 90 days ahead is as far as such a history
// says anything.
const (
	runwayHistory = 28 * 24 * time.Hour
	runwayStep    = time.Hour
	runwayHorizon = 90 * 24 * time.Hour
)

// Directions of a resource: usage that grows towards a ceiling, or a free amount that shrinks.
const (
	dirAbove = "above"
	dirBelow = "below"
)

// resourceQuery is one resource of a runway query. Name alone picks a default; Expr, Threshold
// and Direction override the default's.
type resourceQuery struct {
	Name      string   `json:"name"`
	Expr      string   `json:"expr,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	Direction string   `json:"direction,omitempty"`
}

// defaultResources are the runway's resources when a query lists none, on the canonical metric
// names as Prometheus stores them. The CPU and memory expressions are those of
// alert-rules/utilization.rules.yml, so they cover cloud series (one point per resource) and
// hostmetrics (one per CPU and state); the thresholds are the warning levels of
// alert-rules/thresholds.rules.yml. "disk" is the storage of managed databases and volumes,
// which the clouds report as free bytes only (RDS FreeStorageSpace, Azure storage_free): it
// runs out downwards, at 1 GiB free.
var defaultResources = []resourceQuery{
	{Name: "cpu", Expr: `avg without (cpu) (sum without (state) (system_cpu_utilization_ratio{state!="idle"}))`, Threshold: ptr(0.9), Direction: dirAbove},
	{Name: "memory", Expr: `max without (state) (system_memory_utilization_ratio{state=~"|used"})`, Threshold: ptr(0.9), Direction: dirAbove},
	{Name: "disk", Expr: `system_filesystem_usage_bytes{system_filesystem_state="free"}`, Threshold: ptr(float64(1 << 30)), Direction: dirBelow},
	{Name: "filesystem", Expr: `system_filesystem_utilization_ratio`, Threshold: ptr(0.9), Direction: dirAbove},
}

func ptr[T any](v T) *T { return &v }

// resolveResources fills each listed resource from the default of the same name.
func resolveResources(rs []resourceQuery) ([]resourceQuery, error) {
	if len(rs) == 0 {
		return defaultResources, nil
	}
	out := make([]resourceQuery, 0, len(rs))
	var errs []error
	for i, r := range rs {
		for _, def := range defaultResources {
			if def.Name == r.Name {
				r.Expr = orString(r.Expr, def.Expr)
				r.Direction = orString(r.Direction, def.Direction)
				if r.Threshold == nil {
					r.Threshold = def.Threshold
				}
			}
		}
		r.Direction = orString(r.Direction, dirAbove)
		switch {
		case r.Name == "":
			errs = append(errs, userErrorf("`resources[%d].name` is empty", i))
		case r.Expr == "":
			errs = append(errs, userErrorf("`resources[%d].expr` is empty and %q is not a default resource (cpu, memory, disk, filesystem)", i, r.Name))
		case r.Threshold == nil || math.IsNaN(*r.Threshold) || math.IsInf(*r.Threshold, 0):
			errs = append(errs, userErrorf("`resources[%d].threshold` of %q must be a finite number", i, r.Name))
		case r.Direction != dirAbove && r.Direction != dirBelow:
			errs = append(errs, userErrorf("`resources[%d].direction` of %q must be above or below, got %q", i, r.Name, r.Direction))
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

func orString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// runwayRow is one target and resource.
type runwayRow struct {
	resource  string
	metric    model.Metric
	target    string
	current   float64
	threshold float64
	run       forecast.RunwayResult
	model     string
}

// runwayQuery forecasts every target of every resource and tabulates the time to threshold.
func (d *Datasource) runwayQuery(ctx context.Context, q query) (data.Frames, error) {
	resources, err := resolveResources(q.resources)
	if err != nil {
		return nil, err
	}
	horizon := cmp.Or(q.horizon, runwayHorizon)
	start, end, step := window(q.to, cmp.Or(q.history, runwayHistory), cmp.Or(q.step, runwayStep))
	if err := checkSteps(horizon, step); err != nil {
		return nil, err
	}
	// The resources' range queries run at once, then every series is fitted on all cores: a fleet
	// runway is hundreds of independent fits of a few milliseconds each.
	results := make([]model.Matrix, len(resources))
	warns := make([][]string, len(resources))
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range resources {
		g.Go(func() error {
			m, w, err := d.prom.queryRange(gctx, r.Expr, start, end, step)
			if err != nil {
				return fmt.Errorf("resource %q: query %q: %w", r.Name, r.Expr, err)
			}
			results[i], warns[i] = m, w
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	type job struct {
		r  resourceQuery
		ss *model.SampleStream
	}
	var jobs []job
	var notices []data.Notice
	for i, r := range resources {
		notices = append(notices, warningNotices(warns[i])...)
		for _, ss := range results[i] {
			jobs = append(jobs, job{r, ss})
		}
	}
	fitted := make([]runwayRow, len(jobs))
	ok := make([]bool, len(jobs))
	var fits errgroup.Group
	fits.SetLimit(runtime.GOMAXPROCS(0))
	for i, j := range jobs {
		fits.Go(func() error {
			fitted[i], ok[i] = runwayOf(j.r, j.ss, q.legend, horizon, step)
			return nil
		})
	}
	_ = fits.Wait()
	rows := make([]runwayRow, 0, len(jobs))
	for i := range jobs {
		if ok[i] {
			rows = append(rows, fitted[i])
		}
	}
	sortRunway(rows)
	f := runwayFrame(rows, end)
	f.Meta.Notices = append(f.Meta.Notices, notices...)
	return data.Frames{f}, nil
}

// runwayOf forecasts one series; a series without a finite value has no row.
func runwayOf(r resourceQuery, ss *model.SampleStream, legendFormat string, horizon, step time.Duration) (runwayRow, bool) {
	times, values := seriesSamples(ss)
	sign := 1.0
	if r.Direction == dirBelow {
		// The engine's runway is for a rising line; a falling free amount is its negation.
		sign = -1
		for i := range values {
			values[i] = -values[i]
		}
	}
	md, err := forecast.Fit(times, values, forecast.Config{Step: step, SelectHorizon: horizon})
	if err != nil {
		return runwayRow{}, false
	}
	fc := md.Forecast(horizon)
	return runwayRow{
		resource: r.Name, metric: ss.Metric, target: legend(legendFormat, ss.Metric),
		current: sign * fc.Last, threshold: *r.Threshold,
		run:   forecast.Runway(fc, sign**r.Threshold),
		model: string(md.Info().Kind),
	}, true
}

// sortRunway orders by the soonest expected crossing, "not within horizon" last (among those,
// the soonest pessimistic crossing first), then by resource and target for a stable table.
func sortRunway(rows []runwayRow) {
	key := func(c forecast.Crossing) time.Duration {
		if !c.Within {
			return math.MaxInt64
		}
		return c.After
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ka, kb := key(a.run.Expected), key(b.run.Expected); ka != kb {
			return ka < kb
		}
		if ka, kb := key(a.run.Pessimistic), key(b.run.Pessimistic); ka != kb {
			return ka < kb
		}
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		return a.target < b.target
	})
}

// runwayFrame is the table: resource, one column per target label, the target's legend, then
// the figures. A crossing not within the horizon is a null day count.
func runwayFrame(rows []runwayRow, origin time.Time) *data.Frame {
	keys := map[string]bool{}
	for _, r := range rows {
		for k := range seriesLabels(r.metric) {
			keys[k] = true
		}
	}
	labelNames := slices.Sorted(maps.Keys(keys))
	f := data.NewFrame("runway", data.NewField("resource", nil, []string{}))
	for _, k := range labelNames {
		f.Fields = append(f.Fields, data.NewField(k, nil, []string{}))
	}
	f.Fields = append(f.Fields,
		data.NewField("target", nil, []string{}),
		data.NewField("current", nil, []float64{}),
		data.NewField("threshold", nil, []float64{}),
		data.NewField("days", nil, []*float64{}),
		data.NewField("pessimistic_days", nil, []*float64{}),
		data.NewField("optimistic_days", nil, []*float64{}),
		data.NewField("expected_date", nil, []*time.Time{}),
		data.NewField("runway", nil, []string{}),
		data.NewField("model", nil, []string{}),
	)
	for _, r := range rows {
		vals := []any{r.resource}
		for _, k := range labelNames {
			vals = append(vals, string(r.metric[model.LabelName(k)]))
		}
		var date *time.Time
		if r.run.Expected.Within {
			date = ptr(r.run.Expected.At.UTC().Round(time.Second))
		}
		vals = append(vals, r.target, r.current, r.threshold, days(r.run.Expected), days(r.run.Pessimistic),
			days(r.run.Optimistic), date, r.run.Expected.String(), r.model)
		f.AppendRow(vals...)
	}
	f.SetMeta(&data.FrameMeta{Type: data.FrameTypeTable, Custom: map[string]string{"origin": origin.UTC().Format(time.RFC3339)}})
	return f
}

// days is a crossing in days, null when not within the horizon.
func days(c forecast.Crossing) *float64 {
	if !c.Within {
		return nil
	}
	return ptr(c.After.Hours() / 24)
}
