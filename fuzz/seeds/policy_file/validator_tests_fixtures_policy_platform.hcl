# The platform team's policy for every Dagster deployment.
max_concurrent_runs_ceiling = 10
required_tag_limits         = ["dagster/backfill"]
tag_limit_ceiling           = 5
postgres_connection_budget  = 100
connections_per_run         = 4
