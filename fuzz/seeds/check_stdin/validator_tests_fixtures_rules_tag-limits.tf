resource "dagster_concurrency" "per_value_false" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key                          = "team"
    value                        = "etl"
    apply_limit_per_unique_value = false
    limit                        = 2
  }
}

resource "dagster_concurrency" "per_value_true" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key                          = "team"
    value                        = "etl"
    apply_limit_per_unique_value = true # DC203
    limit                        = 2
  }
}

resource "dagster_concurrency" "repeated" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "team"
    limit = 2
  }
  tag_concurrency_limit {
    key   = "team" # DC204
    limit = 3
  }
}
