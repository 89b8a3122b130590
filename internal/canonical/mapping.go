package canonical

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Input says what one native value means, which decides how it becomes canonical.
type Input int

const (
	// Value is an instantaneous value: scaled and emitted as it is.
	Value Input = iota
	// PerPeriod is an amount over the sample's period (CloudWatch Sum, Azure Total, GCP DELTA):
	// it is added to the series' running total.
	PerPeriod
	// PerSecond is a rate: rate × period seconds is added to the running total.
	PerSecond
	// Cumulative is already a running total (OpenStack Gnocchi counters): emitted as it is.
	Cumulative
)

func (i Input) String() string {
	return [...]string{"value", "amount per period", "rate per second", "cumulative"}[i]
}

// Attr is one fixed data point attribute a mapping adds (a direction or a state).
type Attr struct{ Key, Value string }

// Mapping says how one native metric and statistic becomes one canonical metric.
type Mapping struct {
	// Platform is the cloud.platform of the resources this mapping applies to.
	Platform string
	// Namespace is where the provider files the metric (CloudWatch namespace, Azure resource
	// type, GCP metric prefix, vSphere counter group).
	Namespace  string
	Native     string
	Statistic  string
	NativeUnit string
	Metric     Metric
	Attrs      []Attr
	Input      Input
	// Scale multiplies the native value (Percent to ratio: 0.01; KBps to By/s: 1024).
	Scale float64
	// Complement emits 1 - scaled value (Azure reports available, not used, memory percent).
	Complement bool
	// Agent names the agent the provider needs to report this metric, if any.
	Agent string
	Note  string
}

// Apply turns one native value into the amount the canonical series takes: a gauge value, or
// for counters the increment to add over periodSeconds.
func (m Mapping) Apply(v, periodSeconds float64) float64 {
	v *= m.Scale
	if m.Complement {
		v = 1 - v
	}
	if m.Input == PerSecond && m.Metric.Kind == Counter {
		v *= periodSeconds
	}
	return v
}

// UnsupportedRule says that a provider cannot give a metric for a platform, and why. Receivers
// emit the Unsupported marker for it instead of a value.
type UnsupportedRule struct {
	Platform string
	Metric   Metric
	Reason   string
	// UnlessAgent names the agent whose metrics lift the rule for a resource that has them.
	UnlessAgent string
}

// Table is one provider's mapping.
type Table struct {
	Provider    string
	Title       string
	Mappings    []Mapping
	Unsupported []UnsupportedRule
	// Dimensions are native metrics reported once with a dimension that tells what the
	// mappings tell apart by an attribute (Azure's Direction=In|Out is network.io.direction):
	// such a metric has a mapping per attribute value.
	Dimensions []Dimension
}

// Dimension says which native dimension's values choose among a metric's mappings.
type Dimension struct {
	Namespace, Native string
	// Name is the provider's dimension, Attr the mappings' attribute it decides.
	Name, Attr string
	// Values maps each dimension value to the attribute value of its mapping.
	Values map[string]string
}

// DimensionOf returns the dimension that splits a native metric, if any.
func (t *Table) DimensionOf(namespace, native string) (Dimension, bool) {
	for _, d := range t.Dimensions {
		if strings.EqualFold(d.Namespace, namespace) && d.Native == native {
			return d, true
		}
	}
	return Dimension{}, false
}

// attrValue is the value of the mapping's attribute key, or "".
func (m *Mapping) attrValue(key string) string {
	for _, a := range m.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Tables lists every provider's table, in documentation order.
var Tables = []*Table{&AWS, &Azure, &GCP, &OpenStack, &NCP, &VCenter}

// Lookup returns the mapping for a native metric and statistic in namespace, if any.
func (t *Table) Lookup(namespace, native, statistic string) (Mapping, bool) {
	for _, m := range t.Mappings {
		if m.Namespace == namespace && m.Native == native && m.Statistic == statistic {
			return m, true
		}
	}
	return Mapping{}, false
}

// ForNative returns the mappings of a native metric in namespace, one per mapped statistic.
func (t *Table) ForNative(namespace, native string) []*Mapping {
	var out []*Mapping
	for i := range t.Mappings {
		if m := &t.Mappings[i]; m.Namespace == namespace && m.Native == native {
			out = append(out, m)
		}
	}
	return out
}

// ForNamespace returns the mappings of namespace (an Azure resource type: compared without
// case, as Azure compares them).
func (t *Table) ForNamespace(namespace string) []*Mapping {
	var out []*Mapping
	for i := range t.Mappings {
		if m := &t.Mappings[i]; strings.EqualFold(m.Namespace, namespace) {
			out = append(out, m)
		}
	}
	return out
}

// Namespaces lists the table's namespaces in the order they first appear.
func (t *Table) Namespaces() []string {
	var out []string
	for _, m := range t.Mappings {
		if !slices.Contains(out, m.Namespace) {
			out = append(out, m.Namespace)
		}
	}
	return out
}

// Validate checks the table's own consistency: tests run it on every table.
func (t *Table) Validate() error {
	seen := map[string]bool{}
	for _, m := range t.Mappings {
		key := m.Namespace + "/" + m.Native + "/" + m.Statistic
		seenKey := key
		if d, ok := t.DimensionOf(m.Namespace, m.Native); ok {
			// One mapping per value of the dimension's attribute.
			seenKey += "/" + m.attrValue(d.Attr)
			if !slices.Contains(slices.Collect(maps.Values(d.Values)), m.attrValue(d.Attr)) {
				return fmt.Errorf("%s: %s has %s %q, which no value of dimension %s gives", t.Provider, key, d.Attr, m.attrValue(d.Attr), d.Name)
			}
		}
		if seen[seenKey] {
			return fmt.Errorf("%s: %s mapped twice", t.Provider, key)
		}
		seen[seenKey] = true
		if m.Scale == 0 {
			return fmt.Errorf("%s: %s has no scale", t.Provider, key)
		}
		if m.Metric.Kind == Gauge && m.Input != Value {
			return fmt.Errorf("%s: %s is a %s but maps to gauge %s", t.Provider, key, m.Input, m.Metric.Name)
		}
		if m.Metric.Kind == Counter && m.Input == Value {
			return fmt.Errorf("%s: %s is an instantaneous value but maps to counter %s", t.Provider, key, m.Metric.Name)
		}
		if m.Platform == "" || m.Metric.Name == "" {
			return fmt.Errorf("%s: %s lacks a platform or metric", t.Provider, key)
		}
	}
	return nil
}
