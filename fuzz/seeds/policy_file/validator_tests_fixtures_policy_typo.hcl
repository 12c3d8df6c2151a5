# typo
max_concurrent_runs_ceiling = 10
tag_limit_celing = 5
