package canonical

import (
	"math"
	"os"
	"testing"
)

func TestTablesAreConsistent(t *testing.T) {
	for _, tb := range Tables {
		if err := tb.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestValidateCatchesMistakes(t *testing.T) {
	f := func(m Mapping) {
		t.Helper()
		tb := Table{Provider: "x", Mappings: []Mapping{m}}
		if err := tb.Validate(); err == nil {
			t.Errorf("Validate() accepted %+v", m)
		}
	}
	// A per-period amount cannot be a gauge.
	f(Mapping{Platform: "p", Native: "n", Metric: CPUUtilization, Input: PerPeriod, Scale: 1})
	// An instantaneous value cannot feed a counter.
	f(Mapping{Platform: "p", Native: "n", Metric: NetworkIO, Input: Value, Scale: 1})
	// A forgotten scale.
	f(Mapping{Platform: "p", Native: "n", Metric: CPUUtilization, Input: Value})
}

func TestValidateDimensions(t *testing.T) {
	rx := Mapping{Platform: "p", Namespace: "ns", Native: "Bytes", Statistic: "Total", Metric: NetworkIO, Attrs: dir(AttrNetworkDirection, "receive"), Input: PerPeriod, Scale: 1}
	tx := rx
	tx.Attrs = dir(AttrNetworkDirection, "transmit")
	split := Dimension{"ns", "Bytes", "Direction", AttrNetworkDirection, map[string]string{"In": "receive", "Out": "transmit"}}
	tb := Table{Provider: "x", Mappings: []Mapping{rx, tx}, Dimensions: []Dimension{split}}
	if err := tb.Validate(); err != nil {
		t.Errorf("a mapping per dimension value: %v", err)
	}
	tb.Dimensions = nil
	if err := tb.Validate(); err == nil {
		t.Error("Validate() accepted a metric mapped twice without a dimension to tell them apart")
	}
	other := rx
	other.Attrs = dir(AttrNetworkDirection, "sideways")
	tb = Table{Provider: "x", Mappings: []Mapping{rx, other}, Dimensions: []Dimension{split}}
	if err := tb.Validate(); err == nil {
		t.Error("Validate() accepted a mapping whose attribute no dimension value gives")
	}
	if d, ok := Azure.DimensionOf("microsoft.network/loadbalancers", "ByteCount"); !ok || d.Values["Out"] != "transmit" {
		t.Errorf("Azure.DimensionOf(ByteCount) = %+v, %v", d, ok)
	}
}

func TestApply(t *testing.T) {
	f := func(m Mapping, native, period, want float64) {
		t.Helper()
		if got := m.Apply(native, period); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s %s: Apply(%v, %v) = %v, want %v", m.Namespace, m.Native, native, period, got, want)
		}
	}
	get := func(tb *Table, ns, native, stat string) Mapping {
		t.Helper()
		m, ok := tb.Lookup(ns, native, stat)
		if !ok {
			t.Fatalf("no mapping for %s %s %s", ns, native, stat)
		}
		return m
	}
	// AWS percent becomes a ratio.
	f(get(&AWS, "AWS/EC2", "CPUUtilization", "Average"), 42, 60, 0.42)
	// GCP CPU is a ratio already.
	f(get(&GCP, "compute.googleapis.com", "instance/cpu/utilization", "ALIGN_MEAN"), 0.42, 60, 0.42)
	// Azure reports available memory: used is the complement.
	f(get(&Azure, "Microsoft.Compute/virtualMachines", "Available Memory Percentage", "Average"), 30, 60, 0.7)
	// A per-period sum is the increment as it is.
	f(get(&AWS, "AWS/EC2", "NetworkIn", "Sum"), 6000, 60, 6000)
	// vCenter KBps over a 20 s sample is 20 × 1024 bytes per KBps.
	f(get(&VCenter, "net", "received", "average"), 1, 20, 20*1024)
	// NCP bits per second become bytes.
	f(get(&NCP, "System/Server", "avg_rcv_bps", "AVG"), 800, 60, 6000)
	// vCenter CPU is in hundredths of a percent.
	f(get(&VCenter, "cpu", "usage", "average"), 4200, 20, 0.42)
}

func TestDocIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../../docs/canonical-model.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Markdown() {
		t.Fatal("docs/canonical-model.md is stale: run `(cd internal/canonical && go run ./cmd/gendoc ../../docs/canonical-model.md)`")
	}
}
