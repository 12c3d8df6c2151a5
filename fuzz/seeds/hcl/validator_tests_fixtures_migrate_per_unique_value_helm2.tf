terraform {
  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
  }
}

# Per-backfill limits, dequeue tuning and op blocking, with set_string for the tag keys.
resource "helm_release" "dagster" {
  name  = "dagster"
  chart = "dagster-io/dagster"

  set {
    name  = "dagsterDaemon.runCoordinator.enabled"
    value = "true"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = 20
  }
  set_string {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
    value = "dagster/backfill"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].value.applyLimitPerUniqueValue"
    value = "true"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "4"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[1].key"
    value = "team"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[1].value"
    value = "data-eng"
    type  = "string"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[1].limit"
    value = "2"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueIntervalSeconds"
    value = "10"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueNumWorkers"
    value = "8"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.blockOpConcurrencyLimitedRuns.enabled"
    value = "true"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.blockOpConcurrencyLimitedRuns.opConcurrencySlotBuffer"
    value = "1"
  }
  set {
    name  = "dagsterWebserver.service.port"
    value = "8080"
  }
}

# Not the Dagster chart: left alone.
resource "helm_release" "postgres" {
  name  = "postgres"
  chart = "postgresql"
  set {
    name  = "auth.database"
    value = "dagster"
  }
}
