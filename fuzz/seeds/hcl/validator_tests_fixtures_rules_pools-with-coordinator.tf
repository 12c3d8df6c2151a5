resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = "1.12.14"

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "5"
  }
  set {
    name  = "concurrency.enabled"
    value = "true"
  }
  set {
    name  = "concurrency.pools.defaultLimit"
    value = "2"
  }
}
