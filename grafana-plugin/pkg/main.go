// Command gpx_mcobs_insights is the backend of the mcobs Insights datasource plugin; Grafana
// starts it as gpx_mcobs_insights_<os>_<arch> and talks to it over gRPC.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/mcobs/mcobs/grafana-plugin/pkg/plugin"
)

func main() {
	// Manage blocks while Grafana holds the plugin and returns when it stops it.
	if err := datasource.Manage("mcobs-insights-datasource", plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("plugin stopped", "error", err.Error())
		os.Exit(1)
	}
}
