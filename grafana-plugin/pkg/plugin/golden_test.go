package plugin

import (
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

// update rewrites testdata/*.jsonc from the current output (go test ./pkg/plugin -run Golden -update).
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// newTestDatasource is a datasource for url with optional jsonData and secure settings.
func newTestDatasource(t testing.TB, url, jsonData string, secure map[string]string) *Datasource {
	t.Helper()
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		Name: "test", UID: "mcobs-insights", Type: "mcobs-insights-datasource", URL: url, JSONData: json.RawMessage(jsonData), DecryptedSecureJSONData: secure,
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

// dataQuery is a query of the model in js over the given range.
func dataQuery(refID, js string, from, to time.Time, interval time.Duration) backend.DataQuery {
	return backend.DataQuery{
		RefID: refID, JSON: json.RawMessage(js), Interval: interval,
		TimeRange: backend.TimeRange{From: from, To: to},
	}
}

func TestGoldenQueries(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	f := func(name string, q backend.DataQuery) {
		t.Helper()
		resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
		if err != nil {
			t.Fatal(err)
		}
		dr := resp.Responses[q.RefID]
		experimental.CheckGoldenJSONResponse(t, "testdata", name, &dr, *update)
	}
	// A week of the daily-seasonal series at 1h, forecast two days: a seasonal model, the
	// history, and the forecast joined to the last value.
	f("forecast", dataQuery("A", `{"queryType":"forecast","expr":"demo_load","history":"7d","step":"1h","horizon":"2d","legendFormat":"{{host_name}}"}`,
		fixtureEnd.Add(-time.Hour), fixtureEnd, time.Minute))
	// The default resources over four weeks at 1h: /var in 10 days, db-2's free space in 20,
	// web-1's CPU in 32, then memory and / not within 90 days.
	f("runway", dataQuery("A", `{"queryType":"runway"}`, fixtureEnd.Add(-time.Hour), fixtureEnd, 0))
	// Two hours of web-1's CPU at 5m with the anomaly processor's band: anomaly points at the
	// two spikes only.
	f("anomalies", dataQuery("A", `{"queryType":"anomalies","expr":"system_cpu_utilization_ratio{host_name=\"web-1\"}"}`,
		fixtureEnd.Add(-2*time.Hour), fixtureEnd, 5*time.Minute))
}

// TestGoldenPerQueryErrors sends good and bad queries in one request: each bad one gets its own
// error, naming the key and the value, and the good one its frames. (The SDK's golden JSON
// files cannot hold an error response, so the errors are compared as strings.)
func TestGoldenPerQueryErrors(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	from, to := fixtureEnd.Add(-24*time.Hour), fixtureEnd
	req := &backend.QueryDataRequest{}
	want := map[string]struct {
		status backend.Status
		err    string
	}{}
	f := func(refID, js string, status backend.Status, err string) {
		req.Queries = append(req.Queries, dataQuery(refID, js, from, to, 0))
		want[refID] = struct {
			status backend.Status
			err    string
		}{status, err}
	}
	// A good forecast between the bad queries.
	f("good", `{"queryType":"forecast","expr":"demo_load","history":"3d","step":"1h","horizon":"6h"}`, 0, "")
	// PromQL that Prometheus rejects: its message, as a downstream bad request.
	f("badPromQL", `{"queryType":"forecast","expr":"rate(demo_load[5m]"}`, backend.StatusBadRequest,
		`query "rate(demo_load[5m]": bad_data: invalid parameter "query": 1:19: parse error: unclosed left parenthesis`)
	// A query type the plugin does not have.
	f("unknownType", `{"queryType":"predict","expr":"demo_load"}`, backend.StatusBadRequest,
		"unknown `queryType` \"predict\": want forecast, runway or anomalies")
	// A horizon that is not a duration.
	f("badHorizon", `{"queryType":"forecast","expr":"demo_load","horizon":"soon"}`, backend.StatusBadRequest,
		"`horizon` must be a positive duration such as \"7d\" or \"5m\", got \"soon\"")
	// A horizon of too many steps.
	f("longHorizon", `{"queryType":"forecast","expr":"demo_load","horizon":"1y","step":"1m"}`, backend.StatusBadRequest,
		"`horizon` 1y is 525600 steps of 1m; at most 100000, choose a larger `step`")
	// Two bad resources, both reported.
	f("badResource", `{"queryType":"runway","resources":[{"name":"gpu"},{"name":"cpu","direction":"sideways"}]}`, backend.StatusBadRequest,
		"`resources[0].expr` is empty and \"gpu\" is not a default resource (cpu, memory, disk, filesystem)\n`resources[1].direction` of \"cpu\" must be above or below, got \"sideways\"")
	// An anomalies query on an expression that is not a selector.
	f("notSelector", `{"queryType":"anomalies","expr":"sum(system_cpu_utilization_ratio)"}`, backend.StatusBadRequest,
		"`expr` must be a metric selector such as system_cpu_utilization_ratio{host_name=\"web-1\"}, got \"sum(system_cpu_utilization_ratio)\"")
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Responses) != len(req.Queries) {
		t.Fatalf("%d responses for %d queries", len(resp.Responses), len(req.Queries))
	}
	for refID, w := range want {
		dr := resp.Responses[refID]
		if w.err == "" {
			if dr.Error != nil {
				t.Fatalf("%s: %v", refID, dr.Error)
			}
			experimental.CheckGoldenJSONResponse(t, "testdata", "errors_"+refID, &dr, *update)
			continue
		}
		if dr.Error == nil || dr.Error.Error() != w.err || dr.Status != w.status || len(dr.Frames) != 0 {
			t.Errorf("%s: status %d error %v, want %d %q", refID, dr.Status, dr.Error, w.status, w.err)
		}
	}
}
