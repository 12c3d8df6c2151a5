# The seed ADR with helm provider 3.x: set is a list attribute.
resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = "1.12.14"

  set = [
    { name = "dagsterWebserver.replicaCount", value = "2" },
    # ADR-007 limits
    {
      name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
      value = 5
    },
    {
      name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
      value = "dagster/backfill"
      type  = "string"
    },
    {
      name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
      value = "3"
    },
    { name = "global.serviceAccountName", value = "dagster" }, # kept
  ]

  timeout = 600
}
