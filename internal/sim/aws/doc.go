// Package simaws speaks the AWS wire protocols on top of the simulator core (internal/sim):
// CloudWatch over Smithy RPC v2 CBOR, EC2 over the EC2 query protocol, STS and RDS over the
// AWS query protocol, and the Resource Groups Tagging API over awsJson1_1, exactly as the
// pinned aws-sdk-go-v2 clients send and parse them. One handler serves every service on one
// address: it routes by the service name in the SigV4 credential scope and verifies the
// signature against the configured secret before any operation runs.
package simaws
