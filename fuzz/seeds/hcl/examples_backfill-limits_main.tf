# Per-backfill limits: every backfill gets its own limit of 2 runs at once (Dagster tags each
# backfill run with `dagster/backfill = <backfill id>`), so two backfills cannot starve each
# other, while the deployment as a whole runs at most 10.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

resource "dagster_concurrency" "backfills" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 10

  tag_concurrency_limit {
    key                          = "dagster/backfill"
    apply_limit_per_unique_value = true
    limit                        = 2
  }
}

output "set" {
  value = dagster_concurrency.backfills.set
}

output "instance_yaml" {
  value = dagster_concurrency.backfills.instance_yaml
}
