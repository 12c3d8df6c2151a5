# The same rendering without state: useful inside a module that only passes values on.
data "dagster_concurrency" "this" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 10

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 4
  }
}

output "values_yaml" {
  description = "The values as YAML, for helm_release `values`."
  value       = data.dagster_concurrency.this.values_yaml
}
