// Package awsreceiver pulls EC2 and RDS metrics from CloudWatch and inventory from the EC2, RDS
// and tagging APIs, across accounts (assume-role) and regions, and emits them in mcobs's
// canonical model (internal/canonical). Windows, exactly-once emission, checkpoints, budgets
// and sharding come from internal/cloudscrape; this package holds the AWS calls.
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package awsreceiver
