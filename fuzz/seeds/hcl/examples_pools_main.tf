# Pools with the chart's top-level `concurrency` section (chart 1.12.12 or later): ops share
# pool slots (10 per pool unless a pool has its own limit), and the run limits move from the
# run coordinator to `concurrency.runs`, where Dagster requires them once pools are set.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

resource "dagster_concurrency" "pools" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 20

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 5
  }

  pools {
    default_limit = 10
    granularity   = "op"
  }
}

output "set" {
  value = dagster_concurrency.pools.set
}

output "instance_yaml" {
  description = "The dagster.yaml fragment the chart writes from these values."
  value       = dagster_concurrency.pools.instance_yaml
}
