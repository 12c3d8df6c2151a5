# The seed ADR: at most 5 runs at once across the deployment, and at most 3 backfill runs,
# so a large partitioned backfill cannot exhaust PostgreSQL connections or GKE pods.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

resource "dagster_concurrency" "seed" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }
}

output "set" {
  description = "Entries for helm_release: `set = ...` (helm provider 3.x) or a dynamic \"set\" block (2.x)."
  value       = dagster_concurrency.seed.set
}

output "values_yaml" {
  value = dagster_concurrency.seed.values_yaml
}

output "instance_yaml" {
  value = dagster_concurrency.seed.instance_yaml
}
