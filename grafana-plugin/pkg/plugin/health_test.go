package plugin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestCheckHealth(t *testing.T) {
	t.Parallel()
	serve := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v1/status/buildinfo" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	f := func(url string, wantStatus backend.HealthStatus, wantMsg ...string) {
		t.Helper()
		res, err := newTestDatasource(t, url, `{}`, nil).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != wantStatus {
			t.Errorf("%s: status %v, want %v (%q)", url, res.Status, wantStatus, res.Message)
		}
		for _, w := range wantMsg {
			if !strings.Contains(res.Message, w) {
				t.Errorf("%s: message %q does not say %q", url, res.Message, w)
			}
		}
	}
	// A Prometheus: OK with its version.
	f(serve(200, `{"status":"success","data":{"version":"3.5.0","revision":"abc"}}`), backend.HealthStatusOk, "version 3.5.0")
	// Credentials refused, by status only or with an API error body.
	f(serve(401, "Unauthorized"), backend.HealthStatusError, "Authentication failed", "HTTP 401")
	f(serve(403, `{"status":"error","errorType":"forbidden","error":"tenant denied"}`), backend.HealthStatusError, "Authentication failed", "HTTP 403", "tenant denied")
	// Not a Prometheus API: no such path, HTML, or JSON without a version.
	f(serve(404, "not found"), backend.HealthStatusError, "is not a Prometheus API", "HTTP 404")
	f(serve(200, "<html><body>Grafana</body></html>"), backend.HealthStatusError, "is not a Prometheus API", "not the API's JSON")
	f(serve(200, `{"name":"some other JSON API"}`), backend.HealthStatusError, "is not a Prometheus API", `no "status":"success"`)
	// A Prometheus built without version information is still one.
	f(serve(200, `{"status":"success","data":{}}`), backend.HealthStatusOk, "version not reported")
	// Nothing listening: unreachable, with the address.
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + addr
	f(dead, backend.HealthStatusError, "Cannot reach "+dead)
}

func TestCheckHealthRealPrometheus(t *testing.T) {
	res, err := newTestDatasource(t, realPrometheus(t), `{}`, nil).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.HealthStatusOk || !strings.Contains(res.Message, "Connected to Prometheus API") {
		t.Fatalf("%v %q", res.Status, res.Message)
	}
}
