# The subject of the scale benchmark: one dagster_concurrency per entry of local.inputs (which
# the generator prepends), with every rendering in one output to compare with the baseline.
terraform {
  required_providers {
    dagster = {
      source = "dagster-oss/dagster"
    }
  }
}

resource "dagster_concurrency" "c" {
  for_each            = local.inputs
  chart_version       = each.value.chart_version
  max_concurrent_runs = each.value.max_concurrent_runs

  dynamic "tag_concurrency_limit" {
    for_each = each.value.tags
    content {
      key   = tag_concurrency_limit.value.key
      limit = tag_concurrency_limit.value.limit
    }
  }
}

output "rendered" {
  value = {
    for name, r in dagster_concurrency.c : name => {
      set           = r.set
      values_yaml   = r.values_yaml
      instance_yaml = r.instance_yaml
    }
  }
}
