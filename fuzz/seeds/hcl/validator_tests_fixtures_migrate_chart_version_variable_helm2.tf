# The chart version comes from a variable: dagster_concurrency takes the same expression.
variable "chart_version" {
  type    = string
  default = "1.12.14"
}

resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = var.chart_version

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "8"
  }

  set_string {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
    value = "team"
  }

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "2"
  }
}
