// Package anomalymetrics names the metrics and attributes the anomaly processor writes, once, so
// the components that read them (the instant Alertmanager exporter) cannot drift from it. After
// the prometheusremotewrite exporter's translation (dots become underscores; the metrics have no
// unit, so no suffix is added) a PromQL user finds anomaly_score, anomaly_expected,
// anomaly_lower, anomaly_upper, anomaly_level and anomaly_kind, with the labels anomaly_metric,
// anomaly_level and anomaly_kind (processors/anomalyprocessor/README.md has examples). The values
// of the level and kind attributes are detect.Level.String and detect.Kind.String.
package anomalymetrics

// Per-series metrics.
const (
	Score    = "anomaly.score"
	Expected = "anomaly.expected"
	Lower    = "anomaly.lower"
	Upper    = "anomaly.upper"
	Level    = "anomaly.level"
	Kind     = "anomaly.kind"
)

// Per-group (multivariate) metrics.
const (
	GroupScore        = "anomaly.group.score"
	GroupEnergy       = "anomaly.group.energy"
	GroupThreshold    = "anomaly.group.threshold"
	GroupContribution = "anomaly.group.contribution"
)

// Attributes.
const (
	AttrMetric = "anomaly.metric" // the name of the scored source metric
	AttrLevel  = "anomaly.level"
	AttrKind   = "anomaly.kind"
	AttrGroup  = "anomaly.group"
)
