# Run limits in the top-level concurrency section only: the run coordinator stays at the chart's
# defaults, which dagster_concurrency writes out.
resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = "1.12.14"

  set {
    name  = "concurrency.enabled"
    value = "true"
  }

  set {
    name  = "concurrency.runs.maxConcurrentRuns"
    value = "5"
  }

  set {
    name  = "concurrency.pools.defaultLimit"
    value = "1"
  }
}
