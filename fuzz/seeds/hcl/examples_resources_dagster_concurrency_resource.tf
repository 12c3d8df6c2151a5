# At most 5 runs at once across the deployment; at most 3 of them from backfills and
# at most 2 from the analytics team.
resource "dagster_concurrency" "this" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }

  tag_concurrency_limit {
    key   = "team"
    value = "analytics"
    limit = 2
  }
}

output "helm_set" {
  description = "Entries for helm_release `set`."
  value       = dagster_concurrency.this.set
}
