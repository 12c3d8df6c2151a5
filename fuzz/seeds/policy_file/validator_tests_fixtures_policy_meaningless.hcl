tag_limit_ceiling = 5
connections_per_run = 4
