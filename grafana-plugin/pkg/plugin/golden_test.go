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

// update rewrites testdata/*.jsonc from the current output: go test ./pkg/plugin -run Golden -update
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
	return backend.DataQuery{RefID: refID, JSON: json.RawMessage(js), Interval: interval,
		TimeRange: backend.TimeRange{From: from, To: to}}
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

func TestGoldenPerQueryErrors(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	from, to := fixtureEnd.Add(-24*time.Hour), fixtureEnd
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("good", `{"queryType":"forecast","expr":"demo_load","history":"3d","step":"1h","horizon":"6h"}`, from, to, 0),
		dataQuery("badPromQL", `{"queryType":"forecast","expr":"rate(demo_load[5m]"}`, from, to, 0),
		dataQuery("unknownType", `{"queryType":"predict","expr":"demo_load"}`, from, to, 0),
		dataQuery("badHorizon", `{"queryType":"forecast","expr":"demo_load","horizon":"soon"}`, from, to, 0),
		dataQuery("badResource", `{"queryType":"runway","resources":[{"name":"gpu"},{"name":"cpu","direction":"sideways"}]}`, from, to, 0),
		dataQuery("notSelector", `{"queryType":"anomalies","expr":"sum(system_cpu_utilization_ratio)"}`, from, to, 0),
	}}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range req.Queries {
		dr, ok := resp.Responses[q.RefID]
		if !ok {
			t.Fatalf("no response for %q", q.RefID)
		}
		if (q.RefID == "good") != (dr.Error == nil) {
			t.Errorf("%s: error %v", q.RefID, dr.Error)
		}
		experimental.CheckGoldenJSONResponse(t, "testdata", "errors_"+q.RefID, &dr, *update)
	}
}
