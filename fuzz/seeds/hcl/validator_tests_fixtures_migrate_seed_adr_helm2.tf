# The seed ADR as it was first written: raw set entries on the Dagster release (helm provider 2.x).
resource "helm_release" "dagster" {
  name       = "dagster"
  repository = "https://dagster-io.github.io/helm"
  chart      = "dagster"
  version    = "1.12.14"
  namespace  = "dagster"

  set {
    name  = "dagsterWebserver.replicaCount"
    value = "2"
  }

  # ADR-007: at most 5 runs at once, at most 3 of them from backfills.
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "5"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
    value = "dagster/backfill"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "3"
  }

  set_sensitive {
    name  = "postgresql.postgresqlPassword"
    value = var.postgres_password # from the secret store
  }
}
