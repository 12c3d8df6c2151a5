# Sets a pool limit, then reads back what the live instance enforces. `depends_on` makes the
# read happen after the limit is applied. Needs `webserver_url` (or DAGSTER_WEBSERVER_URL).
resource "dagster_pool_limit" "dbt" {
  pool  = "dbt"
  limit = 2
}

data "dagster_instance_concurrency" "live" {
  depends_on = [dagster_pool_limit.dbt]
}

output "enforced_max_concurrent_runs" {
  description = "Runs the deployed instance lets run at once; compare with what dagster_concurrency rendered."
  value       = data.dagster_instance_concurrency.live.max_concurrent_runs
}

output "enforced_tag_limits" {
  value = {
    for limit in data.dagster_instance_concurrency.live.tag_concurrency_limits :
    limit.key => limit.limit
  }
}

output "pool_limits" {
  value = {
    for pool in data.dagster_instance_concurrency.live.pool_limits :
    pool.pool => pool.limit
  }
}
