# Pools and run limits in the top-level concurrency section (chart 1.12.12 and later).
resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "oci://registry.example.com/charts/dagster"
  version = "1.12.14"

  values = [
    <<-EOT
    dagsterWebserver:
      replicaCount: 2
    EOT
  ]

  set = [
    { name = "dagsterDaemon.runCoordinator.enabled", value = "true" },
    { name = "dagsterDaemon.runCoordinator.type", value = "QueuedRunCoordinator", type = "string" },
    { name = "concurrency.enabled", value = "true" },
    { name = "concurrency.runs.maxConcurrentRuns", value = "10" },
    { name = "concurrency.runs.tagConcurrencyLimits[0].key", value = "dagster/backfill", type = "string" },
    { name = "concurrency.runs.tagConcurrencyLimits[0].limit", value = "3" },
    { name = "concurrency.pools.defaultLimit", value = "2" },
    { name = "concurrency.pools.granularity", value = "run", type = "string" },
  ]
}
