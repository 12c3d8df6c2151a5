resource "helm_release" "dagster" {
  chart   = "dagster"
  version = "1.12.14"

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "-5"
  }
  set_string {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "3"
  }
}
