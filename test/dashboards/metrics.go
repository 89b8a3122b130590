package dashboards

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/prometheus/otlptranslator"
	"gopkg.in/yaml.v3"

	alertrules "github.com/mcobs/mcobs/alert-rules"
	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// collectorCoreSelfMetrics are the collector's own self-metrics (exporterhelper,
// receiverhelper, process, the prometheus_remote_write WAL) as otelcol-mcobs v0.158 exposes
// them; their documentation lives in the upstream modules, not in this repository. The
// end-to-end test proves each one the dashboards use is really scraped.
var collectorCoreSelfMetrics = []string{
	"otelcol_exporter_queue_size",
	"otelcol_exporter_queue_capacity",
	"otelcol_exporter_sent_metric_points",
	"otelcol_exporter_send_failed_metric_points",
	"otelcol_exporter_enqueue_failed_metric_points",
	"otelcol_receiver_accepted_metric_points",
	"otelcol_receiver_refused_metric_points",
	"otelcol_process_cpu_seconds",
	"otelcol_process_memory_rss",
	"otelcol_exporter_prometheusremotewrite_wal_lag",
	"otelcol_exporter_prometheusremotewrite_wal_writes",
	"otelcol_exporter_prometheusremotewrite_wal_reads",
}

// cloudSelfMetrics are the self-metrics of the cloud collection loop (internal/cloudscrape),
// one set for every provider, as the collector exposes them (no unit or _total suffix).
var cloudSelfMetrics = []string{
	cloudscrape.MetricAPIRequests,
	cloudscrape.MetricBilledUnits,
	cloudscrape.MetricEstimatedCost,
	cloudscrape.MetricWindows,
	cloudscrape.MetricPointsDuplicate,
	cloudscrape.MetricSeries,
	cloudscrape.MetricLastSuccess,
}

// prometheusBuiltins are series Prometheus itself writes.
var prometheusBuiltins = []string{"ALERTS", "ALERTS_FOR_STATE", "up"}

var (
	selfMetricHeading = regexp.MustCompile(`^### (otelcol_[a-z0-9_]+)\s*$`)
	anomalyOutputRow  = regexp.MustCompile("^\\| `anomaly\\.[a-z._]+` \\| `(anomaly_[a-z_]+)` \\|")
)

// KnownMetrics returns every metric name mcobs produces in Prometheus, with where it is
// defined: the canonical model and the cloud receivers' inventory and status (named as the
// prometheusremotewrite exporter names them), the anomaly processor's outputs (its README),
// the components' self-metrics (their generated documentation.md), the cloud collection
// loop's self-metrics (cloudscrape), the collector core's self-metrics, the recording rules of
// alert-rules/ and Prometheus's own series.
func KnownMetrics(repo string) (map[string]string, error) {
	known := map[string]string{}
	namer := otlptranslator.NewMetricNamer("", otlptranslator.UnderscoreEscapingWithSuffixes)
	add := func(name, unit string, typ otlptranslator.MetricType, from string) error {
		n, err := namer.Build(otlptranslator.Metric{Name: name, Unit: unit, Type: typ})
		if err != nil {
			return fmt.Errorf("name %q for Prometheus: %w", name, err)
		}
		known[n] = from
		return nil
	}
	canon, err := OTelNames()
	if err != nil {
		return nil, err
	}
	for n := range canon {
		known[n] = "canonical model"
	}
	if err := add(cloudscrape.MetricInventoryInstances, "{instance}", otlptranslator.MetricTypeGauge, "cloudscrape"); err != nil {
		return nil, err
	}
	if err := add(cloudscrape.MetricCollectionStatus, "", otlptranslator.MetricTypeGauge, "cloudscrape"); err != nil {
		return nil, err
	}
	if err := scanLines(filepath.Join(repo, "processors", "anomalyprocessor", "README.md"), anomalyOutputRow, known); err != nil {
		return nil, err
	}
	docs, err := filepath.Glob(filepath.Join(repo, "*", "*", "documentation.md"))
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if err := scanLines(d, selfMetricHeading, known); err != nil {
			return nil, err
		}
	}
	for _, n := range collectorCoreSelfMetrics {
		known[n] = "collector core self-metrics"
	}
	for _, n := range cloudSelfMetrics {
		known[n] = "cloudscrape self-metrics"
	}
	for _, n := range prometheusBuiltins {
		known[n] = "Prometheus"
	}
	return known, recordingRules(known)
}

// scanLines adds the first group of every line of path that re matches.
func scanLines(path string, re *regexp.Regexp, known map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			known[m[1]] = path
		}
	}
	return sc.Err()
}

// recordingRules adds the record names of the embedded alert-rules/*.rules.yml.
func recordingRules(known map[string]string) error {
	files, err := fs.Glob(alertrules.FS, "*.rules.yml")
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := fs.ReadFile(alertrules.FS, f)
		if err != nil {
			return err
		}
		var rf struct {
			Groups []struct {
				Rules []struct {
					Record string `yaml:"record"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &rf); err != nil {
			return fmt.Errorf("parse rule file %q: %w", f, err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					known[r.Record] = "alert-rules/" + f
				}
			}
		}
	}
	return nil
}

// OTelNames maps the Prometheus name of each canonical metric to its OpenTelemetry name, the
// value of the anomaly processor's anomaly_metric label.
func OTelNames() (map[string]string, error) {
	namer := otlptranslator.NewMetricNamer("", otlptranslator.UnderscoreEscapingWithSuffixes)
	out := map[string]string{}
	for _, m := range canonical.Metrics {
		typ := otlptranslator.MetricType(otlptranslator.MetricTypeGauge)
		if m.Kind == canonical.Counter {
			typ = otlptranslator.MetricTypeMonotonicCounter
		}
		n, err := namer.Build(otlptranslator.Metric{Name: m.Name, Unit: m.Unit, Type: typ})
		if err != nil {
			return nil, fmt.Errorf("name %q for Prometheus: %w", m.Name, err)
		}
		out[n] = m.Name
	}
	return out, nil
}
