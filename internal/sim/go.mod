module github.com/mcobs/mcobs/internal/sim

go 1.26.5

require (
	github.com/aws/aws-sdk-go-v2 v1.47.7
	github.com/aws/aws-sdk-go-v2/credentials v1.20.15
	github.com/aws/aws-sdk-go-v2/service/cloudwatch v1.75.5
	github.com/aws/aws-sdk-go-v2/service/ec2 v1.344.1
	github.com/aws/aws-sdk-go-v2/service/rds v1.132.1
	github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi v1.41.10
	github.com/aws/aws-sdk-go-v2/service/sts v1.51.8
	github.com/aws/smithy-go v1.28.8
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.5
)

require (
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.5.10 // indirect
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.8.10 // indirect
	github.com/aws/aws-sdk-go-v2/internal/v4a v1.5.10 // indirect
	github.com/aws/aws-sdk-go-v2/service/internal/accept-encoding v1.13.24 // indirect
	github.com/aws/aws-sdk-go-v2/service/internal/presigned-url v1.14.10 // indirect
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
)

replace (
	github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter => ../../exporters/mcobsalertmanagerexporter
	github.com/mcobs/mcobs/internal/analytics => ../analytics
	github.com/mcobs/mcobs/internal/anomalymetrics => ../anomalymetrics
	github.com/mcobs/mcobs/internal/canonical => ../canonical
	github.com/mcobs/mcobs/internal/cloudscrape => ../cloudscrape
	github.com/mcobs/mcobs/internal/pdatautil => ../pdatautil
	github.com/mcobs/mcobs/internal/tsio => ../tsio
	github.com/mcobs/mcobs/processors/anomalyprocessor => ../../processors/anomalyprocessor
	github.com/mcobs/mcobs/processors/downsampleprocessor => ../../processors/downsampleprocessor
	github.com/mcobs/mcobs/receivers/awsreceiver => ../../receivers/awsreceiver
)
