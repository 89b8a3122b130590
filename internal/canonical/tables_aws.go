package canonical

// AWS platforms (cloud.platform). aws_ec2 is the conventions' value; the conventions have none
// for RDS, so mcobs uses aws_rds.
const (
	PlatformAWSEC2 = "aws_ec2"
	PlatformAWSRDS = "aws_rds"
)

// Agent names.
const AgentCloudWatch = "CloudWatch agent"

var pct = 0.01

// AWS maps CloudWatch metrics. EC2 network and EBS metrics are per-period sums (Statistic Sum);
// CPUUtilization is percent.
var AWS = Table{
	Provider: ProviderAWS,
	Title:    "AWS (CloudWatch)",
	Mappings: []Mapping{
		{PlatformAWSEC2, "AWS/EC2", "CPUUtilization", "Average", "Percent", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformAWSEC2, "AWS/EC2", "NetworkIn", "Sum", "Bytes", NetworkIO, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformAWSEC2, "AWS/EC2", "NetworkOut", "Sum", "Bytes", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformAWSEC2, "AWS/EC2", "NetworkPacketsIn", "Sum", "Count", NetworkPackets, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformAWSEC2, "AWS/EC2", "NetworkPacketsOut", "Sum", "Count", NetworkPackets, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformAWSEC2, "AWS/EC2", "EBSReadBytes", "Sum", "Bytes", DiskIO, dir(AttrDiskDirection, "read"), PerPeriod, 1, false, "", "Nitro instances"},
		{PlatformAWSEC2, "AWS/EC2", "EBSWriteBytes", "Sum", "Bytes", DiskIO, dir(AttrDiskDirection, "write"), PerPeriod, 1, false, "", "Nitro instances"},
		{PlatformAWSEC2, "AWS/EC2", "EBSReadOps", "Sum", "Count", DiskOperations, dir(AttrDiskDirection, "read"), PerPeriod, 1, false, "", "Nitro instances"},
		{PlatformAWSEC2, "AWS/EC2", "EBSWriteOps", "Sum", "Count", DiskOperations, dir(AttrDiskDirection, "write"), PerPeriod, 1, false, "", "Nitro instances"},
		{PlatformAWSEC2, "AWS/EC2", "StatusCheckFailed", "Maximum", "Count", StatusCheckFailed, nil, Value, 1, false, "", "instance or system check"},
		{PlatformAWSEC2, "CWAgent", "mem_used_percent", "Average", "Percent", MemoryUtilization, nil, Value, pct, false, AgentCloudWatch, ""},
		{PlatformAWSEC2, "CWAgent", "disk_used_percent", "Average", "Percent", FilesystemUtilization, nil, Value, pct, false, AgentCloudWatch, "per path/device dimension"},
		{PlatformAWSRDS, "AWS/RDS", "CPUUtilization", "Average", "Percent", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformAWSRDS, "AWS/RDS", "DatabaseConnections", "Average", "Count", DBConnections, nil, Value, 1, false, "", ""},
		{PlatformAWSRDS, "AWS/RDS", "FreeStorageSpace", "Average", "Bytes", FilesystemUsage, dir(AttrFilesystemState, "free"), Value, 1, false, "", ""},
		{PlatformAWSRDS, "AWS/RDS", "FreeableMemory", "Average", "Bytes", MemoryUsage, dir(AttrMemoryState, "free"), Value, 1, false, "", ""},
		{PlatformAWSRDS, "AWS/RDS", "ReadLatency", "Average", "Seconds", DBOperationLatency, dir(AttrDiskDirection, "read"), Value, 1, false, "", ""},
		{PlatformAWSRDS, "AWS/RDS", "WriteLatency", "Average", "Seconds", DBOperationLatency, dir(AttrDiskDirection, "write"), Value, 1, false, "", ""},
	},
	Unsupported: []UnsupportedRule{
		{PlatformAWSEC2, MemoryUtilization, "EC2 reports no memory without the CloudWatch agent", AgentCloudWatch},
		{PlatformAWSEC2, FilesystemUtilization, "EC2 reports no filesystem usage without the CloudWatch agent", AgentCloudWatch},
	},
}

func dir(k, v string) []Attr { return []Attr{{k, v}} }
