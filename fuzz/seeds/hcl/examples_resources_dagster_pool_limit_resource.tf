# At most 4 ops (or assets) of the "warehouse" pool run at once across the deployment.
# Needs the webserver: `webserver_url` in the provider block, or DAGSTER_WEBSERVER_URL.
resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 4
}

# A pool that must never run in parallel (one slot).
resource "dagster_pool_limit" "legacy_api" {
  pool  = "legacy_api"
  limit = 1
}
