module github.com/mcobs/mcobs/internal/canonical

go 1.26.5

replace (
	github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter => ../../exporters/mcobsalertmanagerexporter
	github.com/mcobs/mcobs/internal/analytics => ../analytics
	github.com/mcobs/mcobs/internal/anomalymetrics => ../anomalymetrics
	github.com/mcobs/mcobs/internal/cloudscrape => ../cloudscrape
	github.com/mcobs/mcobs/internal/pdatautil => ../pdatautil
	github.com/mcobs/mcobs/internal/sim => ../sim
	github.com/mcobs/mcobs/internal/tsio => ../tsio
	github.com/mcobs/mcobs/processors/anomalyprocessor => ../../processors/anomalyprocessor
	github.com/mcobs/mcobs/processors/downsampleprocessor => ../../processors/downsampleprocessor
	github.com/mcobs/mcobs/receivers/awsreceiver => ../../receivers/awsreceiver
)
