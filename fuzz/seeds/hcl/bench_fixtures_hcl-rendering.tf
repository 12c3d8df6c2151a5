# The baseline: what dagster_concurrency renders, written in pure HCL (no provider). The
# generator prepends `locals { inputs = { NAME = { chart_version, max_concurrent_runs, tags } } }`.
# It renders the shapes the benchmark generates (chart 1.12.14, tag limits with a key and a
# limit); it validates nothing and escapes nothing, so it is a floor for the provider.
locals {
  rendered = {
    for name, c in local.inputs : name => {
      set = tolist(concat(
        [
          { name = "dagsterDaemon.runCoordinator.enabled", type = "auto", value = "true" },
          { name = "dagsterDaemon.runCoordinator.type", type = "string", value = "QueuedRunCoordinator" },
          { name = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns", type = "auto", value = tostring(c.max_concurrent_runs) },
        ],
        flatten([
          for i, tag in c.tags : [
            { name = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[${i}].key", type = "string", value = tag.key },
            { name = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[${i}].limit", type = "auto", value = tostring(tag.limit) },
          ]
        ]),
      ))
      values_yaml = join("", concat(
        [
          "\"dagsterDaemon\":\n",
          "  \"runCoordinator\":\n",
          "    \"enabled\": true\n",
          "    \"type\": \"QueuedRunCoordinator\"\n",
          "    \"config\":\n",
          "      \"queuedRunCoordinator\":\n",
          "        \"maxConcurrentRuns\": ${c.max_concurrent_runs}\n",
          "        \"tagConcurrencyLimits\":\n",
        ],
        [for tag in c.tags : "          - \"key\": ${jsonencode(tag.key)}\n            \"limit\": ${tag.limit}\n"],
      ))
      instance_yaml = join("", concat(
        [
          "\"run_coordinator\":\n",
          "  \"module\": \"dagster.core.run_coordinator\"\n",
          "  \"class\": \"QueuedRunCoordinator\"\n",
          "  \"config\":\n",
          "    \"max_concurrent_runs\": ${c.max_concurrent_runs}\n",
          "    \"tag_concurrency_limits\":\n",
        ],
        [for tag in c.tags : "      - \"key\": ${jsonencode(tag.key)}\n        \"limit\": ${tag.limit}\n"],
        [
          "    \"dequeue_use_threads\": true\n",
          "    \"dequeue_num_workers\": 4\n",
        ],
      ))
    }
  }
}
