// Package simgcp speaks Google Cloud's wire protocols on top of the simulator core
// (internal/sim): Cloud Monitoring v3's MetricService over gRPC (ListTimeSeries with filters,
// aligners, reducers and pagination; ListMetricDescriptors with ingest delays), and over HTTP
// the Compute Engine REST API (aggregated instances, networks, aggregated subnetworks), the
// Cloud SQL Admin API's instance list, and an OAuth 2.0 token endpoint for the service
// account key the simulator writes out. The real client libraries reach it with an endpoint
// override and plaintext transport.
package simgcp
