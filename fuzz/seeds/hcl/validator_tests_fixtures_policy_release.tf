resource "helm_release" "dagster" {
  name  = "dagster"
  chart = "dagster"
}

resource "dagster_concurrency" "dagster" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 30

  tag_concurrency_limit {
    key   = "dagster/backfill"
    apply_limit_per_unique_value = true
    limit = 8
  }
}
