# A pool limit is imported by its pool name.
terraform import dagster_pool_limit.warehouse warehouse
