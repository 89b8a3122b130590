package cwprotocol

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// The protocol names, which are the values of the receiver's `cloudwatch_protocol`
// setting: "" or "cbor" (the SDK's default, Smithy RPC v2 CBOR), "query" (AWS Query:
// Action=GetMetricData&Version=2010-08-01, XML responses), "json" (awsJson1_0:
// X-Amz-Target: GraniteServiceVersion20100801.GetMetricData).
const (
	protoCBOR  = "cbor"
	protoQuery = "query"
	protoJSON  = "json"
)

// Validate reports whether p names a supported protocol ("" means the default, cbor).
func Validate(p string) error {
	switch p {
	case "", protoCBOR, protoQuery, protoJSON:
		return nil
	}
	return fmt.Errorf("`cloudwatch_protocol` must be one of %s, %s, %s, got %q", protoCBOR, protoQuery, protoJSON, p)
}

// Options returns the client options selecting protocol p, for
// cloudwatch.NewFromConfig(cfg, Options(p)...). It is nil for the SDK's default
// ("" or cbor) and for names Validate rejects.
//
// The option replaces the client's ClientProtocol, which the SDK's
// OperationSerializer and OperationDeserializer middlewares call for every
// operation; NewFromConfig applies functional options after setting its CBOR
// default, so the replacement wins.
func Options(p string) []func(*cloudwatch.Options) {
	switch p {
	case protoQuery:
		return []func(*cloudwatch.Options){func(o *cloudwatch.Options) {
			// Version=2010-08-01 comes from the service schema.
			o.Protocol = newQuery()
		}}
	case protoJSON:
		return []func(*cloudwatch.Options){func(o *cloudwatch.Options) {
			// The service carries @awsQueryCompatible, so this protocol also sends
			// X-Amzn-Query-Mode: true and takes the error code from the
			// X-Amzn-Query-Error header (e.g. "Throttling" rather than a shape name).
			o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801)
		}}
	}
	return nil
}
