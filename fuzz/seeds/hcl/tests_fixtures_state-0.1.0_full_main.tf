# Every resource and data source of 0.1.0 with every argument set, applied by make.sh.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

variable "webserver_url" {
  type = string
}

provider "dagster" {
  webserver_url   = var.webserver_url
  headers         = { "X-Forwarded-User" = "terraform" }
  timeout_seconds = 20
  retries         = 1

  policy {
    max_concurrent_runs_ceiling = 50
    required_tag_limits         = ["dagster/backfill"]
    tag_limit_ceiling           = 40
    postgres_connection_budget  = 400
    connections_per_run         = 5
  }
}

# Run limits under the queued run coordinator, with every coordinator setting.
resource "dagster_concurrency" "run_coordinator" {
  chart_version            = "1.12.14"
  values_prefix            = "dagster"
  placement                = "run_coordinator"
  max_concurrent_runs      = 25
  dequeue_interval_seconds = 10
  dequeue_use_threads      = true
  dequeue_num_workers      = 8

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 10
  }

  tag_concurrency_limit {
    key   = "team"
    value = "analytics"
    limit = 4
  }

  tag_concurrency_limit {
    key                          = "dagster/partition"
    apply_limit_per_unique_value = true
    limit                        = 1
  }

  block_op_concurrency_limited_runs {
    enabled                    = true
    op_concurrency_slot_buffer = 2
  }
}

# Run limits and pools under the chart's `concurrency` section.
resource "dagster_concurrency" "concurrency" {
  chart_version       = "1.12.14"
  placement           = "concurrency"
  max_concurrent_runs = 30

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 12
  }

  tag_concurrency_limit {
    key   = "db"
    value = "123"
    limit = 3
  }

  pools {
    default_limit             = 7
    granularity               = "op"
    op_granularity_run_buffer = 1
  }
}

data "dagster_concurrency" "rendered" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }
}

resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 4
}

data "dagster_instance_concurrency" "live" {
  depends_on = [dagster_pool_limit.warehouse]
}

output "rendered_values_yaml" {
  value = data.dagster_concurrency.rendered.values_yaml
}

output "set" {
  value = dagster_concurrency.concurrency.set
}
