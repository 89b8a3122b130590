module github.com/mcobs/mcobs/internal/analytics

go 1.26.5

require (
	github.com/mcobs/mcobs/internal/tsio v0.1.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/schollz/progressbar/v3 v3.19.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/term v0.46.0 // indirect
	golang.org/x/tools v0.50.0 // indirect
)

replace (
	github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter => ../../exporters/mcobsalertmanagerexporter
	github.com/mcobs/mcobs/internal/anomalymetrics => ../anomalymetrics
	github.com/mcobs/mcobs/internal/canonical => ../canonical
	github.com/mcobs/mcobs/internal/cloudscrape => ../cloudscrape
	github.com/mcobs/mcobs/internal/pdatautil => ../pdatautil
	github.com/mcobs/mcobs/internal/sim => ../sim
	github.com/mcobs/mcobs/internal/tsio => ../tsio
	github.com/mcobs/mcobs/processors/anomalyprocessor => ../../processors/anomalyprocessor
	github.com/mcobs/mcobs/processors/downsampleprocessor => ../../processors/downsampleprocessor
	github.com/mcobs/mcobs/receivers/awsreceiver => ../../receivers/awsreceiver
)
