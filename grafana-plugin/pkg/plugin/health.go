package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// CheckHealth asks the server for its build information and says in one sentence what is
// wrong: the server cannot be reached, it refused the credentials, or it is not a Prometheus
// HTTP API. "Save & test" in the config editor shows the message.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	addr := d.settings.URL.String()
	bi, err := d.prom.buildInfo(ctx)
	if err == nil {
		// Builds from source and some compatible servers report no version; the API answered.
		version := cmp.Or(bi.Version, "not reported")
		return &backend.CheckHealthResult{
			Status:  backend.HealthStatusOk,
			Message: fmt.Sprintf("Connected to Prometheus API at %s, version %s", addr, version),
		}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: healthMessage(addr, err)}, nil
}

// healthMessage names the problem and the address, so a user knows whether to fix the URL,
// the credentials or the kind of server.
func healthMessage(addr string, err error) string {
	var se *serverError
	var ne *notAPIError
	switch {
	case errors.As(err, &se) && se.isAuth():
		return fmt.Sprintf("Authentication failed at %s (HTTP %d %s): %s", addr, se.Status, http.StatusText(se.Status), se.Msg)
	case errors.As(err, &se) && se.Type == "":
		return fmt.Sprintf("%s is not a Prometheus API: /api/v1/status/buildinfo answered HTTP %d %s", addr, se.Status, http.StatusText(se.Status))
	case errors.As(err, &se):
		return fmt.Sprintf("Prometheus API at %s answered with an error: %v", addr, se)
	case errors.As(err, &ne):
		return fmt.Sprintf("%s is not a Prometheus API: /api/v1/status/buildinfo is not the API's JSON (%v)", addr, ne.Err)
	}
	return fmt.Sprintf("Cannot reach %s: %v", addr, err)
}
