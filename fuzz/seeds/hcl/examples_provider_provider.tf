terraform {
  required_providers {
    dagster = {
      source  = "dagster-oss/dagster"
      version = "~> 0.1"
    }
  }
}

provider "dagster" {
  # Only dagster_pool_limit and dagster_instance_concurrency call Dagster; dagster_concurrency
  # renders and checks values without any connection. Default: $DAGSTER_WEBSERVER_URL.
  webserver_url = "http://dagster-dagster-webserver.dagster.svc:80"

  # Optional organisation policy, enforced on every dagster_concurrency.
  policy {
    max_concurrent_runs_ceiling = 50
    required_tag_limits         = ["dagster/backfill"]
  }
}
