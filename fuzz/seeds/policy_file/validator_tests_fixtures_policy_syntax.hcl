max_concurrent_runs_ceiling = 10
required_tag_limits = ["a",
