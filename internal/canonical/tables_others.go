package canonical

// Platforms of the providers whose receivers come later. The tables are here now so the model
// is designed once for all of them; receivers/<provider>receiver will use them as they land.
const (
	PlatformAzureVM       = "azure_vm"
	PlatformAzurePostgres = "azure_postgresql_flexible"
	PlatformAzureDisk     = "azure_managed_disk"
	PlatformAzureSQL      = "azure_sql_database"
	PlatformAzureLB       = "azure_load_balancer"
	PlatformGCPCompute    = "gcp_compute_engine"
	PlatformGCPCloudSQL   = "gcp_cloud_sql"
	PlatformOpenStackNova = "openstack_nova"
	PlatformNCPServer     = "ncp_server"
	PlatformVMwareVM      = "vmware_vsphere_vm"
)

// Agent names of other providers.
const (
	AgentGCPOps = "Ops Agent"
)

// Azure maps Azure Monitor metrics (aggregation in Statistic). Network and disk bytes are
// per-period totals; disk operations are per-second averages.
var Azure = Table{
	Provider: ProviderAzure,
	Title:    "Azure (Azure Monitor)",
	Mappings: []Mapping{
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Percentage CPU", "Average", "Percent", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Available Memory Percentage", "Average", "Percent", MemoryUtilization, nil, Value, pct, true, "", "used = 1 - available"},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Available Memory Bytes", "Average", "Bytes", MemoryUsage, dir(AttrMemoryState, "free"), Value, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Network In Total", "Total", "Bytes", NetworkIO, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Network Out Total", "Total", "Bytes", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Disk Read Bytes", "Total", "Bytes", DiskIO, dir(AttrDiskDirection, "read"), PerPeriod, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Disk Write Bytes", "Total", "Bytes", DiskIO, dir(AttrDiskDirection, "write"), PerPeriod, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Disk Read Operations/Sec", "Average", "CountPerSecond", DiskOperations, dir(AttrDiskDirection, "read"), PerSecond, 1, false, "", ""},
		{PlatformAzureVM, "Microsoft.Compute/virtualMachines", "Disk Write Operations/Sec", "Average", "CountPerSecond", DiskOperations, dir(AttrDiskDirection, "write"), PerSecond, 1, false, "", ""},
		{PlatformAzurePostgres, "Microsoft.DBforPostgreSQL/flexibleServers", "cpu_percent", "Average", "Percent", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformAzurePostgres, "Microsoft.DBforPostgreSQL/flexibleServers", "active_connections", "Average", "Count", DBConnections, nil, Value, 1, false, "", ""},
		{PlatformAzurePostgres, "Microsoft.DBforPostgreSQL/flexibleServers", "storage_free", "Average", "Bytes", FilesystemUsage, dir(AttrFilesystemState, "free"), Value, 1, false, "", ""},
		{PlatformAzurePostgres, "Microsoft.DBforPostgreSQL/flexibleServers", "disk_read_latency", "Average", "Seconds", DBOperationLatency, dir(AttrDiskDirection, "read"), Value, 1, false, "", ""},
		{PlatformAzureDisk, "Microsoft.Compute/disks", "Composite Disk Read Bytes/sec", "Average", "BytesPerSecond", DiskIO, dir(AttrDiskDirection, "read"), PerSecond, 1, false, "", "per disk, whichever VM and LUN it is attached at"},
		{PlatformAzureDisk, "Microsoft.Compute/disks", "Composite Disk Write Bytes/sec", "Average", "BytesPerSecond", DiskIO, dir(AttrDiskDirection, "write"), PerSecond, 1, false, "", "per disk, whichever VM and LUN it is attached at"},
		{PlatformAzureDisk, "Microsoft.Compute/disks", "Composite Disk Read Operations/sec", "Average", "CountPerSecond", DiskOperations, dir(AttrDiskDirection, "read"), PerSecond, 1, false, "", ""},
		{PlatformAzureDisk, "Microsoft.Compute/disks", "Composite Disk Write Operations/sec", "Average", "CountPerSecond", DiskOperations, dir(AttrDiskDirection, "write"), PerSecond, 1, false, "", ""},
		{PlatformAzureSQL, "Microsoft.Sql/servers/databases", "cpu_percent", "Average", "Percent", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformAzureSQL, "Microsoft.Sql/servers/databases", "sessions_count", "Average", "Count", DBConnections, nil, Value, 1, false, "", "active sessions"},
		{PlatformAzureSQL, "Microsoft.Sql/servers/databases", "storage", "Maximum", "Bytes", FilesystemUsage, dir(AttrFilesystemState, "used"), Value, 1, false, "", "data space used"},
		{PlatformAzureSQL, "Microsoft.Sql/servers/databases", "storage_percent", "Maximum", "Percent", FilesystemUtilization, nil, Value, pct, false, "", "of the database's maximum size"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "ByteCount", "Total", "Bytes", NetworkIO, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", "dimension Direction=In"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "ByteCount", "Total", "Bytes", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", "dimension Direction=Out"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "PacketCount", "Total", "Count", NetworkPackets, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", "dimension Direction=In"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "PacketCount", "Total", "Count", NetworkPackets, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", "dimension Direction=Out"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "VipAvailability", "Average", "Count", LBAvailability, nil, Value, pct, false, "", "data path availability, in percent"},
		{PlatformAzureLB, "Microsoft.Network/loadBalancers", "DipAvailability", "Average", "Count", LBBackendHealth, nil, Value, pct, false, "", "health probe status, in percent"},
	},
	// Azure Monitor reports a load balancer's bytes and packets once, split by its Direction
	// dimension; the receiver asks for that split and files each value under its direction.
	Dimensions: []Dimension{
		{"Microsoft.Network/loadBalancers", "ByteCount", "Direction", AttrNetworkDirection, map[string]string{"In": "receive", "Out": "transmit"}},
		{"Microsoft.Network/loadBalancers", "PacketCount", "Direction", AttrNetworkDirection, map[string]string{"In": "receive", "Out": "transmit"}},
	},
}

// GCP maps Cloud Monitoring metric types (aligner in Statistic). CPU is already a ratio;
// byte and packet counts are DELTA kinds, aligned per period.
var GCP = Table{
	Provider: ProviderGCP,
	Title:    "GCP (Cloud Monitoring)",
	Mappings: []Mapping{
		{PlatformGCPCompute, "compute.googleapis.com", "instance/cpu/utilization", "ALIGN_MEAN", "10^2.%", CPUUtilization, nil, Value, 1, false, "", "already a 0-1 ratio"},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/network/received_bytes_count", "ALIGN_DELTA", "By", NetworkIO, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/network/sent_bytes_count", "ALIGN_DELTA", "By", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/network/received_packets_count", "ALIGN_DELTA", "1", NetworkPackets, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/network/sent_packets_count", "ALIGN_DELTA", "1", NetworkPackets, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/disk/read_bytes_count", "ALIGN_DELTA", "By", DiskIO, dir(AttrDiskDirection, "read"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/disk/write_bytes_count", "ALIGN_DELTA", "By", DiskIO, dir(AttrDiskDirection, "write"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/disk/read_ops_count", "ALIGN_DELTA", "1", DiskOperations, dir(AttrDiskDirection, "read"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "compute.googleapis.com", "instance/disk/write_ops_count", "ALIGN_DELTA", "1", DiskOperations, dir(AttrDiskDirection, "write"), PerPeriod, 1, false, "", ""},
		{PlatformGCPCompute, "agent.googleapis.com", "memory/percent_used", "ALIGN_MEAN", "%", MemoryUtilization, nil, Value, pct, false, AgentGCPOps, "state=used"},
		{PlatformGCPCompute, "agent.googleapis.com", "disk/percent_used", "ALIGN_MEAN", "%", FilesystemUtilization, nil, Value, pct, false, AgentGCPOps, "state=used"},
		{PlatformGCPCloudSQL, "cloudsql.googleapis.com", "database/cpu/utilization", "ALIGN_MEAN", "10^2.%", CPUUtilization, nil, Value, 1, false, "", "already a 0-1 ratio"},
		{PlatformGCPCloudSQL, "cloudsql.googleapis.com", "database/network/connections", "ALIGN_MEAN", "1", DBConnections, nil, Value, 1, false, "", ""},
		{PlatformGCPCloudSQL, "cloudsql.googleapis.com", "database/memory/utilization", "ALIGN_MEAN", "10^2.%", MemoryUtilization, nil, Value, 1, false, "", "already a 0-1 ratio"},
		{PlatformGCPCloudSQL, "cloudsql.googleapis.com", "database/disk/utilization", "ALIGN_MEAN", "10^2.%", FilesystemUtilization, nil, Value, 1, false, "", "already a 0-1 ratio"},
	},
	Unsupported: []UnsupportedRule{
		{PlatformGCPCompute, MemoryUtilization, "Compute Engine reports no guest memory without the Ops Agent", AgentGCPOps},
		{PlatformGCPCompute, FilesystemUtilization, "Compute Engine reports no filesystem usage without the Ops Agent", AgentGCPOps},
	},
}

// OpenStack maps Ceilometer meters as stored in Gnocchi (aggregation in Statistic). Byte and
// packet meters are cumulative counters already.
var OpenStack = Table{
	Provider: ProviderOpenStack,
	Title:    "OpenStack (Ceilometer / Gnocchi)",
	Mappings: []Mapping{
		{PlatformOpenStackNova, "instance", "cpu", "rate:mean", "ns", CPUUtilization, nil, Value, 1e-9, false, "", "CPU ns per second divided by the flavor's vCPUs; the receiver divides by vcpus"},
		{PlatformOpenStackNova, "instance", "memory.usage", "mean", "MB", MemoryUsage, dir(AttrMemoryState, "used"), Value, 1 << 20, false, "", ""},
		{PlatformOpenStackNova, "instance_network_interface", "network.incoming.bytes", "last", "B", NetworkIO, dir(AttrNetworkDirection, "receive"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_network_interface", "network.outgoing.bytes", "last", "B", NetworkIO, dir(AttrNetworkDirection, "transmit"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_network_interface", "network.incoming.packets", "last", "packet", NetworkPackets, dir(AttrNetworkDirection, "receive"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_network_interface", "network.outgoing.packets", "last", "packet", NetworkPackets, dir(AttrNetworkDirection, "transmit"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_disk", "disk.device.read.bytes", "last", "B", DiskIO, dir(AttrDiskDirection, "read"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_disk", "disk.device.write.bytes", "last", "B", DiskIO, dir(AttrDiskDirection, "write"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_disk", "disk.device.read.requests", "last", "request", DiskOperations, dir(AttrDiskDirection, "read"), Cumulative, 1, false, "", ""},
		{PlatformOpenStackNova, "instance_disk", "disk.device.write.requests", "last", "request", DiskOperations, dir(AttrDiskDirection, "write"), Cumulative, 1, false, "", ""},
	},
}

// NCP maps Naver Cloud Platform Cloud Insight server metrics. Network rates are bits per
// second; disk rates bytes per second.
var NCP = Table{
	Provider: ProviderNCP,
	Title:    "Naver Cloud Platform (Cloud Insight)",
	Mappings: []Mapping{
		{PlatformNCPServer, "System/Server", "avg_cpu_used_rto", "AVG", "%", CPUUtilization, nil, Value, pct, false, "", ""},
		{PlatformNCPServer, "System/Server", "mem_usert", "AVG", "%", MemoryUtilization, nil, Value, pct, false, "", ""},
		{PlatformNCPServer, "System/Server", "fs_usert", "AVG", "%", FilesystemUtilization, nil, Value, pct, false, "", ""},
		{PlatformNCPServer, "System/Server", "avg_rcv_bps", "AVG", "bit/s", NetworkIO, dir(AttrNetworkDirection, "receive"), PerSecond, 1.0 / 8, false, "", "bits to bytes"},
		{PlatformNCPServer, "System/Server", "avg_snd_bps", "AVG", "bit/s", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerSecond, 1.0 / 8, false, "", "bits to bytes"},
		{PlatformNCPServer, "System/Server", "avg_read_byt_cnt", "AVG", "B/s", DiskIO, dir(AttrDiskDirection, "read"), PerSecond, 1, false, "", ""},
		{PlatformNCPServer, "System/Server", "avg_write_byt_cnt", "AVG", "B/s", DiskIO, dir(AttrDiskDirection, "write"), PerSecond, 1, false, "", ""},
	},
}

// VCenter maps vSphere performance counters (rollup in Statistic). Percent counters are in
// hundredths of a percent; network and disk rates in KBps.
var VCenter = Table{
	Provider: ProviderVMware,
	Title:    "VMware vCenter (vSphere performance counters)",
	Mappings: []Mapping{
		{PlatformVMwareVM, "cpu", "usage", "average", "1/100 %", CPUUtilization, nil, Value, 1e-4, false, "", ""},
		{PlatformVMwareVM, "mem", "usage", "average", "1/100 %", MemoryUtilization, nil, Value, 1e-4, false, "", ""},
		{PlatformVMwareVM, "net", "received", "average", "KBps", NetworkIO, dir(AttrNetworkDirection, "receive"), PerSecond, 1024, false, "", ""},
		{PlatformVMwareVM, "net", "transmitted", "average", "KBps", NetworkIO, dir(AttrNetworkDirection, "transmit"), PerSecond, 1024, false, "", ""},
		{PlatformVMwareVM, "net", "packetsRx", "summation", "number", NetworkPackets, dir(AttrNetworkDirection, "receive"), PerPeriod, 1, false, "", ""},
		{PlatformVMwareVM, "net", "packetsTx", "summation", "number", NetworkPackets, dir(AttrNetworkDirection, "transmit"), PerPeriod, 1, false, "", ""},
		{PlatformVMwareVM, "disk", "read", "average", "KBps", DiskIO, dir(AttrDiskDirection, "read"), PerSecond, 1024, false, "", ""},
		{PlatformVMwareVM, "disk", "write", "average", "KBps", DiskIO, dir(AttrDiskDirection, "write"), PerSecond, 1024, false, "", ""},
		{PlatformVMwareVM, "disk", "numberReadAveraged", "average", "num/s", DiskOperations, dir(AttrDiskDirection, "read"), PerSecond, 1, false, "", ""},
		{PlatformVMwareVM, "disk", "numberWriteAveraged", "average", "num/s", DiskOperations, dir(AttrDiskDirection, "write"), PerSecond, 1, false, "", ""},
	},
}
