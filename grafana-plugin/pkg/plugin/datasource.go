// Package plugin is the backend of the mcobs Insights datasource: forecasts, capacity runway
// and anomaly views over any Prometheus-compatible HTTP API.
package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

// Interfaces Grafana calls the datasource through.
var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured instance of the plugin. Grafana creates a new one whenever the
// settings change and disposes of the old one.
type Datasource struct {
	settings  Settings
	prom      *promClient
	resources backend.CallResourceHandler
}

// NewDatasource parses the instance settings and builds the HTTP client from them. Bad settings
// fail here, so Grafana reports them on every call instead of the plugin guessing.
func NewDatasource(ctx context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	st, err := loadSettings(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("datasource %q settings: %w", s.Name, err)
	}
	hc, err := httpclient.New(st.HTTP)
	if err != nil {
		return nil, fmt.Errorf("datasource %q HTTP client: %w", s.Name, err)
	}
	ds := &Datasource{settings: st, prom: &promClient{base: st.URL, http: hc, bearer: st.BearerToken}}
	ds.resources = httpadapter.New(ds.resourceMux())
	return ds, nil
}

// Dispose releases the idle connections of a replaced instance.
func (d *Datasource) Dispose() {
	d.prom.http.CloseIdleConnections()
}

// CallResource serves the query editor's lookups (metrics, labels, label-values).
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return d.resources.CallResource(ctx, req, sender)
}
