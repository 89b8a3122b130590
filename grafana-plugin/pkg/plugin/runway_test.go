package plugin

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// TestRunwayKnownCrossings runs the default resources on the fixture, whose linear series cross
// their thresholds on known days: /var at 0.9 in 10 days, db-2 at 1 GiB free in 20, web-1's
// CPU at 0.9 in 32; memory and / stay flat and come last.
func TestRunwayKnownCrossings(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	q := dataQuery("A", `{"queryType":"runway"}`, fixtureEnd.Add(-time.Hour), fixtureEnd, 0)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
	if err != nil {
		t.Fatal(err)
	}
	checkRunwayNumbers(t, resp.Responses["A"], []runwayWant{
		{"filesystem", varRunwayDays},
		{"disk", diskRunwayDays},
		{"cpu", cpuRunwayDays},
		{"filesystem", math.NaN()},
		{"memory", math.NaN()},
	})
}

// TestRunwayOverrides lowers a default threshold and adds a resource of the query's own.
func TestRunwayOverrides(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	// CPU at 0.7 instead of 0.9: (0.7-0.58)/0.01 = 12 days. demo_load, a custom "load" resource,
	// is already above 50.
	q := dataQuery("A", `{"queryType":"runway","resources":[{"name":"cpu","threshold":0.7},{"name":"load","expr":"demo_load","threshold":50}]}`,
		fixtureEnd.Add(-time.Hour), fixtureEnd, 0)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
	if err != nil {
		t.Fatal(err)
	}
	checkRunwayNumbers(t, resp.Responses["A"], []runwayWant{{"load", 0}, {"cpu", 12}})
}

func TestResolveResources(t *testing.T) {
	t.Parallel()
	rs, err := resolveResources([]resourceQuery{{Name: "disk", Threshold: ptr(5.0)}, {Name: "gpu", Expr: "gpu_util", Threshold: ptr(0.8)}})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Expr != defaultResources[2].Expr || *rs[0].Threshold != 5 || rs[0].Direction != dirBelow {
		t.Errorf("disk %+v: want the default expression and direction with threshold 5", rs[0])
	}
	if rs[1].Direction != dirAbove || rs[1].Expr != "gpu_util" {
		t.Errorf("gpu %+v: want above", rs[1])
	}
	if *defaultResources[2].Threshold != float64(1<<30) {
		t.Error("an override changed the default")
	}
}
