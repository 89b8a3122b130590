// Package reduce holds the downsampling math shared by the downsample processor and
// `mcobs backtest downsample`: exact window rollups (gauges, cumulative and delta sums,
// histograms) and an error-bounded streaming compressor. It knows nothing of pdata; timestamps
// are Unix nanoseconds and values float64, so the same code runs online and offline.
//
// The design decisions and their reasons are in DESIGN.md beside this file.
package reduce
