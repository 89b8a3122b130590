package plugin

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/prometheus/common/model"
)

func TestAnomalyMetricRE(t *testing.T) {
	t.Parallel()
	f := func(promName, otelName string, match bool) {
		t.Helper()
		re := regexp.MustCompile("^(?:" + anomalyMetricRE(promName) + ")$")
		if re.MatchString(otelName) != match {
			t.Errorf("%s -> %s matches %q: %v, want %v", promName, re, otelName, !match, match)
		}
	}
	// Unit suffix dropped, dots for underscores.
	f("system_cpu_utilization_ratio", "system.cpu.utilization", true)
	f("system_filesystem_usage_bytes", "system.filesystem.usage", true)
	// Counter suffix and unit both dropped.
	f("system_network_io_bytes_total", "system.network.io", true)
	// An OTel name with an underscore inside a segment.
	f("cloud_instance_status_check_failed", "cloud.instance.status_check.failed", true)
	// A name without a unit.
	f("db_server_connection_count", "db.server.connection.count", true)
	// Not another metric sharing a prefix.
	f("system_cpu_utilization_ratio", "system.cpu.utilization.max", false)
	f("system_cpu_time_seconds_total", "system.cpu.utilization", false)
}

func TestBuildAnomalySelectors(t *testing.T) {
	t.Parallel()
	s, err := buildAnomalySelectors(`system_cpu_utilization_ratio{host_name="web-1",}`, "")
	if err != nil {
		t.Fatal(err)
	}
	want := `anomaly_expected{anomaly_metric=~"system[._]cpu[._]utilization", host_name="web-1"}`
	if s.expected != want {
		t.Errorf("expected %s, want %s", s.expected, want)
	}
	if s.level != `anomaly_level{anomaly_metric=~"system[._]cpu[._]utilization", host_name="web-1", anomaly_level!="none"} == 1` {
		t.Errorf("level %s", s.level)
	}
	// The query's anomalyMetric replaces the derived link; a bare name has no matchers.
	s, err = buildAnomalySelectors(`my_cpu`, "system.cpu.utilization")
	if err != nil || s.lower != `anomaly_lower{anomaly_metric="system.cpu.utilization"}` {
		t.Errorf("lower %s, %v", s.lower, err)
	}
}

func TestJoinKeyIgnoresTheLink(t *testing.T) {
	t.Parallel()
	src := model.Metric{"__name__": "system_cpu_utilization_ratio", "host_name": "web-1"}
	an := model.Metric{
		"__name__": "anomaly_level", "host_name": "web-1", "anomaly_metric": "system.cpu.utilization",
		"anomaly_level": "critical", "otel_scope_name": "github.com/mcobs/mcobs/processors/anomalyprocessor",
	}
	if joinKey(src) != joinKey(an) {
		t.Errorf("%s != %s", joinKey(src), joinKey(an))
	}
	if joinKey(src) == joinKey(model.Metric{"host_name": "web-2"}) {
		t.Error("different hosts share a key")
	}
}

func TestLegend(t *testing.T) {
	t.Parallel()
	m := model.Metric{"__name__": "x", "host_name": "web-1", "mountpoint": "/var"}
	if got := legend("{{host_name}} {{ mountpoint }} {{missing}}", m); got != "web-1 /var " {
		t.Errorf("legend %q", got)
	}
	if got := legend("", m); got != `x{host_name="web-1", mountpoint="/var"}` {
		t.Errorf("default legend %q", got)
	}
}

// TestAnomaliesWithoutProcessorSeries shows a source the processor does not score: its values,
// null bands, and a notice saying why.
func TestAnomaliesWithoutProcessorSeries(t *testing.T) {
	ds := newTestDatasource(t, realPrometheus(t), `{}`, nil)
	q := dataQuery("A", `{"queryType":"anomalies","expr":"system_memory_utilization_ratio{host_name=\"web-1\"}","step":"1h","legendFormat":"{{state}}"}`,
		fixtureEnd.Add(-3*time.Hour), fixtureEnd, 0)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
	if err != nil {
		t.Fatal(err)
	}
	dr := resp.Responses["A"]
	if dr.Error != nil || len(dr.Frames) != 2 {
		t.Fatalf("error %v, %d frames, want free and used", dr.Error, len(dr.Frames))
	}
	for i, name := range []string{"free", "used"} {
		f := dr.Frames[i]
		if f.Name != name || f.Rows() != 4 {
			t.Errorf("frame %d: %q with %d rows, want %q with 4 (3h at 1h)", i, f.Name, f.Rows(), name)
		}
		for _, fn := range []string{"expected", "lower", "upper", "anomaly"} {
			fld, _ := f.FieldByName(fn)
			for r := range f.Rows() {
				if _, ok := fld.ConcreteAt(r); ok {
					t.Errorf("%s: %s[%d] is set", name, fn, r)
				}
			}
		}
		if len(f.Meta.Notices) != 1 || !strings.Contains(f.Meta.Notices[0].Text, "no anomaly_expected series") {
			t.Errorf("%s: notices %+v", name, f.Meta.Notices)
		}
	}
}
