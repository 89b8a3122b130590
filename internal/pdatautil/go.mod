module github.com/mcobs/mcobs/internal/pdatautil

go 1.26.5

require go.opentelemetry.io/collector/pdata v1.64.0

require (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	go.opentelemetry.io/collector/featuregate v1.65.0 // indirect
	go.opentelemetry.io/collector/internal/testutil v0.159.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace (
	github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter => ../../exporters/mcobsalertmanagerexporter
	github.com/mcobs/mcobs/internal/analytics => ../analytics
	github.com/mcobs/mcobs/internal/anomalymetrics => ../anomalymetrics
	github.com/mcobs/mcobs/internal/canonical => ../canonical
	github.com/mcobs/mcobs/internal/cloudscrape => ../cloudscrape
	github.com/mcobs/mcobs/internal/sim => ../sim
	github.com/mcobs/mcobs/internal/tsio => ../tsio
	github.com/mcobs/mcobs/processors/anomalyprocessor => ../../processors/anomalyprocessor
	github.com/mcobs/mcobs/processors/downsampleprocessor => ../../processors/downsampleprocessor
	github.com/mcobs/mcobs/receivers/awsreceiver => ../../receivers/awsreceiver
)
