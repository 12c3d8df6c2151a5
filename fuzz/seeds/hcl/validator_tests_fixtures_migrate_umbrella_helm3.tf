# An umbrella chart with Dagster as its "dagster" subchart. The release's version is the
# umbrella chart's own, not the Dagster chart's.
resource "helm_release" "platform" {
  name    = "platform"
  chart   = "./charts/platform"
  version = "3.1.0"

  set = [
    { name = "postgresql.enabled", value = "false" },
    { name = "dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns", value = "5" },
    { name = "dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key", value = "dagster/backfill", type = "string" },
    { name = "dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit", value = "3" },
  ]
}
