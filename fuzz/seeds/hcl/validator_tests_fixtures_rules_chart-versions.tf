resource "dagster_concurrency" "v_prefix" {
  chart_version       = "v1.12.14"
  max_concurrent_runs = 5
}

resource "dagster_concurrency" "trailing_space" {
  chart_version       = "1.12.14 "
  max_concurrent_runs = 5
}

resource "dagster_concurrency" "leading_zero" {
  chart_version       = "01.12.14"
  max_concurrent_runs = 5
}

resource "dagster_concurrency" "never_released" {
  chart_version       = "1.12.99"
  max_concurrent_runs = 5
}

resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = "v1.12.14"

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "5"
  }
}
