// Package cwprotocol selects the wire protocol of the CloudWatch client.
//
// The AWS SDK for Go v2 CloudWatch client speaks Smithy RPC v2 CBOR by default
// (POST /service/GraniteServiceVersion20100801/operation/<Op>). AWS itself also
// still answers the older AWS Query (form-encoded request, XML response) and
// awsJson1_0 (X-Amz-Target header, JSON) protocols, and AWS-compatible endpoints
// such as moto_server 5.x and LocalStack only answer those: they 404 on the CBOR
// paths.
//
// The SDK's client is schema-driven: every operation is (de)serialized by the
// smithyhttp.ClientProtocol in cloudwatch.Options.Protocol, and smithy-go ships
// generic awsQuery and awsJson1_0 implementations of that interface. So switching
// protocol is one option: no per-operation serializers are needed, every
// operation works, and API errors stay smithy.APIError values carrying the AWS
// error code (Throttling, AccessDenied...), which the SDK's retry classification
// relies on.
package cwprotocol
