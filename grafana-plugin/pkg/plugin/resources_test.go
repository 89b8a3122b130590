package plugin

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// callResource calls a resource path the way Grafana forwards /resources/<path>?<query>.
func callResource(t *testing.T, ds *Datasource, path string, query url.Values) (int, []byte) {
	t.Helper()
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var got *backend.CallResourceResponse
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: path, Method: "GET", URL: u},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			got = r
			return nil
		}))
	if err != nil || got == nil {
		t.Fatalf("%s: %v", u, err)
	}
	return got.Status, got.Body
}

func TestResources(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	f := func(path string, query url.Values, wantStatus int, want ...string) {
		t.Helper()
		status, body := callResource(t, ds, path, query)
		if status != wantStatus {
			t.Fatalf("%s %v: HTTP %d %s", path, query, status, body)
		}
		if wantStatus != 200 {
			return
		}
		var got []string
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: %v in %s", path, err, body)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %v = %q, want %q", path, query, got, want)
		}
	}
	// Metric names of one host, and of series matching either selector.
	f("metrics", url.Values{"match": {`{host_name="db-1"}`}}, 200, "system_filesystem_utilization_ratio")
	f("metrics", url.Values{"match": {`{host_name="db-2"}`, `demo_load`}}, 200, "demo_load", "system_filesystem_usage_bytes")
	// Label names of a metric.
	f("labels", url.Values{"match": {"system_memory_utilization_ratio"}}, 200, "__name__", "host_name", "state")
	// Values of a label, restricted or not.
	f("label-values", url.Values{"label": {"mountpoint"}}, 200, "/", "/var")
	f("label-values", url.Values{"label": {"anomaly_level"}, "match": {"anomaly_level"}}, 200, "critical", "info", "none", "warning")
	// No label, and a selector Prometheus rejects.
	f("label-values", nil, 400)
	f("labels", url.Values{"match": {"{"}}, 400)
}

func TestResourcesUnreachable(t *testing.T) {
	t.Parallel()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	status, body := callResource(t, newTestDatasource(t, "http://"+addr, `{}`, nil), "metrics", nil)
	var e map[string]string
	if status != 502 || json.Unmarshal(body, &e) != nil || e["error"] == "" {
		t.Fatalf("HTTP %d %s, want 502 with an error", status, body)
	}
}
