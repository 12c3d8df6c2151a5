# Dagster installed as a subchart of an umbrella chart: every value sits under the
# dependency's name (here `dagster`), so the umbrella's helm_release receives
# `dagster.dagsterDaemon.runCoordinator...`.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

resource "dagster_concurrency" "platform" {
  chart_version       = "1.12.14"
  values_prefix       = "dagster"
  max_concurrent_runs = 8

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 4
  }
}

output "set" {
  description = "Entries for the umbrella chart's helm_release `set`."
  value       = dagster_concurrency.platform.set
}

output "values_yaml" {
  value = dagster_concurrency.platform.values_yaml
}
