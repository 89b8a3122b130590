// Package sim is the provider-independent core of the cloud API simulator behind `mcobs sim`:
// a seeded fleet of resources, metric generators that are pure functions of (seed, series,
// minute) with seasonality, growth, noise and injected anomalies, CloudWatch-like settling,
// a deterministic fault schedule and call counters. Provider packages such as
// internal/sim/aws speak the wire protocols on top of it. See README.md.
package sim
