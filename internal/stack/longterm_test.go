package stack

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"

	"github.com/mcobs/mcobs/processors/downsampleprocessor"
)

// TestLongTermStore checks what `mcobs up` adds for the downsampled stream: a second
// Prometheus with the chosen lookback, retention and late window, the raw one with its short
// retention, and a collector configuration that sends the downsampled stream only there.
func TestLongTermStore(t *testing.T) {
	o, l := renderTemp(t, func(o *Options) {
		o.LongTermPort, o.RawRetention, o.LongTermLookback = 19091, 7*24*time.Hour, 6*time.Hour
	})
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	long := s.Part(LongTerm)
	if long == nil {
		t.Fatal("no long-term Prometheus part")
	}
	for _, want := range []string{"--query.lookback-delta=6h", "--storage.tsdb.retention.time=400d", "--web.listen-address=127.0.0.1:19091", "--web.enable-remote-write-receiver"} {
		if !slices.Contains(long.Args, want) {
			t.Errorf("long-term Prometheus args %v lack %q", long.Args, want)
		}
	}
	if !slices.Contains(s.Part(Prometheus).Args, "--storage.tsdb.retention.time=7d") {
		t.Errorf("raw Prometheus args %v lack the 7d retention", s.Part(Prometheus).Args)
	}
	var prom struct {
		Storage struct {
			TSDB struct {
				OOO string `yaml:"out_of_order_time_window"`
			} `yaml:"tsdb"`
		} `yaml:"storage"`
	}
	readYAML(t, l.LongTermConfig, &prom)
	if prom.Storage.TSDB.OOO != "10h" {
		t.Errorf("long-term out_of_order_time_window = %q, want 10h (lookback + 4h)", prom.Storage.TSDB.OOO)
	}
	var col struct {
		Processors map[string]struct {
			Defaults struct {
				Read     string `yaml:"read"`
				Lookback string `yaml:"lookback"`
				MaxDelay string `yaml:"max_delay"`
			} `yaml:"defaults"`
		} `yaml:"processors"`
		Exporters map[string]struct {
			Endpoint string `yaml:"endpoint"`
		} `yaml:"exporters"`
		Service struct {
			Pipelines map[string]struct {
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	readYAML(t, l.CollectorConfig, &col)
	ds := col.Processors["downsample"].Defaults
	if d, err := time.ParseDuration(ds.Lookback); err != nil || d != 6*time.Hour || ds.Read != "last_value" || ds.MaxDelay != "1h" {
		t.Errorf("downsample defaults = %+v, want read last_value, lookback 6h and max_delay 1h", ds)
	}
	checkDownsampleConfig(t, l.CollectorConfig)
	if got := col.Exporters["prometheus_remote_write/long_term"].Endpoint; got != "http://127.0.0.1:19091/api/v1/write" {
		t.Errorf("long-term endpoint = %q", got)
	}
	// The downsampled stream goes to the long-term store only, the raw one to the first.
	for name, p := range col.Service.Pipelines {
		down := slices.Contains(p.Processors, "downsample")
		long := slices.Contains(p.Exporters, "prometheus_remote_write/long_term")
		if down != long || (long && len(p.Exporters) != 1) {
			t.Errorf("pipeline %s: processors %v, exporters %v", name, p.Processors, p.Exporters)
		}
	}
	if !slices.ContainsFunc(s.URLs(), func(u URL) bool { return strings.HasSuffix(u.URL, ":19091") }) {
		t.Errorf("URLs %v lack the long-term Prometheus", s.URLs())
	}
}

// TestNoLongTermStoreByDefault: the library's default runs none, and the collector
// configuration then has no downsampling.
func TestNoLongTermStoreByDefault(t *testing.T) {
	o, l := renderTemp(t, func(*Options) {})
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Part(LongTerm) != nil {
		t.Fatal("a long-term Prometheus runs by default")
	}
	var col struct {
		Processors map[string]any `yaml:"processors"`
	}
	readYAML(t, l.CollectorConfig, &col)
	if _, ok := col.Processors["downsample"]; ok {
		t.Fatal("downsample configured without a long-term store")
	}
}

func TestLongTermValidate(t *testing.T) {
	f := func(mod func(*Options), want string) {
		t.Helper()
		o := DefaultOptions()
		o.LongTermPort = 19091
		mod(&o)
		err := o.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate() = %v, want an error containing %q", err, want)
		}
	}
	f(func(o *Options) { o.LongTermPort = o.PrometheusPort }, "--prometheus-port and --long-term-port both use port 9090")
	f(func(o *Options) { o.LongTermLookback = time.Second }, "--long-term-lookback must be at least 1m, got 1s")
	f(func(o *Options) { o.LongTermRetention = time.Hour }, "--long-term-retention must be at least the lookback 6h0m0s, got 1h0m0s")
	f(func(o *Options) { o.RawRetention = -time.Hour }, "--retention must be >= 0, got -1h0m0s")
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * 24 * time.Hour: "400d", 6 * time.Hour: "6h", 90 * time.Minute: "90m", 61 * time.Second: "61s",
	} {
		if got := promDuration(d); got != want {
			t.Errorf("promDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// checkDownsampleConfig loads the rendered downsample section with the processor's own factory
// and validation, as the collector will.
func checkDownsampleConfig(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Processors map[string]map[string]any `yaml:"processors"`
	}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	cfg := downsampleprocessor.NewFactory().CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw.Processors["downsample"]).Unmarshal(cfg); err != nil {
		t.Fatalf("downsample configuration: %v", err)
	}
	if err := cfg.(interface{ Validate() error }).Validate(); err != nil {
		t.Fatalf("downsample configuration: %v", err)
	}
}
