// Package dashboards loads the provisioned Grafana dashboards of grafana-plugin/provisioning and
// checks them without Grafana: valid JSON with a uid and title, every datasource a provisioned
// one, every PromQL expression parseable once template variables are substituted, and every
// metric name one that mcobs produces; the alert and recording rules of alert-rules/ are held to
// the same list (rules_test.go). Its queries are also what the end-to-end test
// (test/e2e/dashboards_test.go) runs against a real stack, so both read dashboards one way.
package dashboards
