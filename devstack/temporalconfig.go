package devstack

import (
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
)

// temporalServerConfig is the static server config, as the CLI dev server
// builds it: sqlConf holds every store, or the default one when visibility
// (a store of its own) is set.
func temporalServerConfig(opts TemporalOptions, sqlConf, visibility *config.SQL) (*config.Config, error) {
	frontend := net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))
	httpPort, err := freePort(opts.Host)
	if err != nil {
		return nil, err
	}
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = opts.Host
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	if visibility != nil {
		conf.Persistence.DefaultStore, conf.Persistence.VisibilityStore = "default", "visibility"
		conf.Persistence.DataStores = map[string]config.DataStore{"default": {SQL: sqlConf}, "visibility": {SQL: visibility}}
	}
	conf.Persistence.NumHistoryShards = int32(opts.Shards)
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        temporalClusterName,
		CurrentClusterName:       temporalClusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			temporalClusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(opts.Host, strconv.Itoa(httpPort)),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = opts.Host
		if name == "frontend" {
			svc.RPC.GRPCPort = opts.Port
			svc.RPC.HTTPPort = httpPort
		} else if svc.RPC.GRPCPort, err = freePort(opts.Host); err != nil {
			return nil, err
		}
		if svc.RPC.MembershipPort, err = freePort(opts.Host); err != nil {
			return nil, err
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return conf, nil
}

// schedulerWorkers is the size of each of the history service's task
// schedulers (timers, transfers, visibility), and replicationWorkers that
// of the schedulers a single cluster without archival leaves idle.
const (
	schedulerWorkers   = 64
	replicationWorkers = 4
)

// temporalDynamicConfig holds the dynamic config the CLI dev server uses,
// plus the features leadflow relies on switched on explicitly.
func temporalDynamicConfig(historyCache int) dynamicconfig.StaticClient {
	if historyCache <= 0 {
		historyCache = DefaultHistoryCache
	}
	return dynamicconfig.StaticClient{
		// Custom search attributes (LeadStatus, OwnerId, PoolId) are usable
		// right after AddSearchAttributes.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():         true,
		// With the search attribute cache bypassed, allow more DB traffic.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// Workflow Updates (UpdateWithStart needs no separate switch in this
		// server version).
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                       historyCache,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key():       100,
		// One partition per task queue. With the default four, a burst of
		// timers overflows the sticky queue; the tasks handed back to the
		// normal queue land in a child partition's backlog, forwarded at 10
		// a second, while the pollers wait on the other partitions' long
		// polls: in 5 of 16 bench phases, from under 1 % to over 10 % of a
		// 1,000-timer burst started up to 56 s late (BENCHMARKS.md, "The
		// 55-second stall"). One partition carries far
		// more tasks a second than this server's host can run.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The history service's task schedulers run 512 goroutines each by
		// default (timer, transfer, visibility queues) and 640 for
		// replication, which a single cluster never uses: about 2,100
		// goroutines that mostly wait, as their tasks wait on the store
		// (ten connections per store in `leadflow temporal`). Under a large
		// import the server held 3,450 goroutines and 29 MB of stacks with
		// the defaults, 1,500 and 20 MB with these (BENCHMARKS.md, "The
		// history service's schedulers").
		dynamicconfig.TimerProcessorSchedulerWorkerCount.Key():                  schedulerWorkers,
		dynamicconfig.TransferProcessorSchedulerWorkerCount.Key():               schedulerWorkers,
		dynamicconfig.VisibilityProcessorSchedulerWorkerCount.Key():             schedulerWorkers,
		dynamicconfig.ArchivalProcessorSchedulerWorkerCount.Key():               replicationWorkers,
		dynamicconfig.ReplicationProcessorSchedulerWorkerCount.Key():            replicationWorkers,
		dynamicconfig.ReplicationLowPriorityProcessorSchedulerWorkerCount.Key(): replicationWorkers,
		// The server never stops the SDK workers of these background system
		// workers (see the TODOs in service/worker/scanner), so each Stop would
		// leak ~64 goroutines polling a dead frontend. A dev server needs none
		// of them: without the parent-close-policy worker, history applies
		// parent close policies itself.
		dynamicconfig.EnableParentClosePolicyWorker.Key(): false,
		dynamicconfig.TaskQueueScannerEnabled.Key():       false,
		dynamicconfig.HistoryScannerEnabled.Key():         false,
		dynamicconfig.ExecutionsScannerEnabled.Key():      false,
		dynamicconfig.BuildIdScavengerEnabled.Key():       false,
	}
}
