"""Dagster enforcement check: drains a queue of runs through the real QueuedRunCoordinatorDaemon and checks the limits.

  python dagster_enforce.py --instance-yaml FILE --runs-json FILE [--check-limit-override JSON]
  python dagster_enforce.py --self-test

The instance is a sqlite instance_for_test in a temp dir with the YAML's run_coordinator / concurrency
sections and dagster._core.test_utils.MockedRunLauncher. Each run of runs-json ({"tags": {...}}) is
queued; then daemon iterations run until every run has launched (or 100 iterations). After each
iteration the runs in progress (STARTING or STARTED) are counted in total and per tag-limit bucket,
then the two oldest are marked finished. The checker uses the limits dagster resolved from the
instance unless --check-limit-override ({"max_concurrent_runs"?, "tag_concurrency_limits"?}) gives
its own. Prints a JSON summary; exit 0 when no limit was exceeded and every run launched, else 1.
"""

import argparse
import json
import logging
import sys
import tempfile
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

import yaml  # noqa: E402
from dagster._core.events import DagsterEvent, DagsterEventType  # noqa: E402
from dagster._core.remote_origin import (  # noqa: E402
    RegisteredCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.storage.dagster_run import DagsterRunStatus, RunsFilter  # noqa: E402
from dagster._core.test_utils import (  # noqa: E402
    create_run_for_test,
    create_test_daemon_workspace_context,
    instance_for_test,
)
from dagster._core.workspace.load_target import EmptyWorkspaceTarget  # noqa: E402
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (  # noqa: E402
    QueuedRunCoordinatorDaemon,
)

MAX_ITERATIONS = 100
# sqlite fsyncs on every write (one database per run): tmpfs makes that free.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
FINISHED_PER_ITERATION = 2
IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
ORIGIN = RemoteJobOrigin(
    repository_origin=RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("enforce_location"), "enforce_repo"),
    job_name="enforce_job",
)


def bucket(index, limit, tags):
    """The bucket a run with tags counts in for tag limit number index, or None."""
    key, value = limit["key"], limit.get("value")
    if key not in tags:
        return None
    if isinstance(value, str):
        return f"[{index}] {key}={value}" if tags[key] == value else None
    if isinstance(value, dict) and value.get("applyLimitPerUniqueValue"):
        return f"[{index}] {key}={tags[key]} (per unique value)"
    return f"[{index}] {key} (any value)"


def _report(instance, run, event_type):
    event = DagsterEvent(event_type_value=event_type.value, job_name=run.job_name)
    instance.report_dagster_event(event, run_id=run.run_id)


def enforce(instance_yaml, runs, override=None):
    """Run the queue to completion; return the JSON summary (summary["ok"] tells pass/fail)."""
    config = yaml.safe_load(instance_yaml) or {}
    overrides = {k: config[k] for k in ("run_coordinator", "run_queue", "concurrency") if config.get(k)}
    overrides["run_launcher"] = {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"}
    with tempfile.TemporaryDirectory(dir=SCRATCH) as home, instance_for_test(overrides=overrides, temp_dir=home) as instance:
        queue_config = instance.get_concurrency_config().run_queue_config
        limits = {
            "max_concurrent_runs": queue_config.max_concurrent_runs,
            "tag_concurrency_limits": [dict(t) for t in queue_config.tag_concurrency_limits],
            **(override or {}),
        }
        for spec in runs:
            run = create_run_for_test(
                instance, job_name=ORIGIN.job_name, status=DagsterRunStatus.NOT_STARTED,
                tags=spec.get("tags") or {}, remote_job_origin=ORIGIN,
            )
            _report(instance, run, DagsterEventType.PIPELINE_ENQUEUED)
        daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
        max_total, max_bucket, iterations = 0, {}, 0
        with create_test_daemon_workspace_context(EmptyWorkspaceTarget(), instance) as context:
            while iterations < MAX_ITERATIONS and instance.get_runs_count(RunsFilter(statuses=[DagsterRunStatus.QUEUED])):
                iterations += 1
                list(daemon.run_iteration(context))
                in_progress = instance.get_runs(RunsFilter(statuses=IN_PROGRESS))  # newest first
                max_total = max(max_total, len(in_progress))
                counts = {}
                for run in in_progress:
                    for i, limit in enumerate(limits["tag_concurrency_limits"]):
                        name = bucket(i, limit, run.tags)
                        if name:
                            counts[name] = counts.get(name, 0) + 1
                for name, count in counts.items():
                    max_bucket[name] = max(max_bucket.get(name, 0), count)
                for run in in_progress[::-1][:FINISHED_PER_ITERATION]:
                    _report(instance, run, DagsterEventType.PIPELINE_SUCCESS)
        launched = len(runs) - instance.get_runs_count(RunsFilter(statuses=[DagsterRunStatus.QUEUED]))
    violations = []
    if 0 <= limits["max_concurrent_runs"] < max_total:
        violations.append(f"{max_total} runs in progress, max_concurrent_runs is {limits['max_concurrent_runs']}")
    for name, count in sorted(max_bucket.items()):
        limit = limits["tag_concurrency_limits"][int(name[1 : name.index("]")])]["limit"]
        if count > limit:
            violations.append(f"{count} runs in progress in bucket {name}, limit is {limit}")
    if launched < len(runs):
        violations.append(f"only {launched} of {len(runs)} runs launched after {iterations} iterations")
    return {
        "ok": not violations,
        "violations": violations,
        "iterations": iterations,
        "runs": len(runs),
        "launched": launched,
        "limits": limits,
        "max_in_progress": max_total,
        "max_in_progress_per_bucket": dict(sorted(max_bucket.items())),
    }


SEED = """run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 5
    tag_concurrency_limits:
      - key: dagster/backfill
        limit: 3
      - key: team
        value: {applyLimitPerUniqueValue: true}
        limit: 2
"""


def self_test():
    """Seed limits plus a per-unique-value limit must pass; tighter checker limits must fail."""
    runs = [{"tags": {"dagster/backfill": f"bf{i % 2}"}} for i in range(8)]
    runs += [{"tags": {"team": ["a", "b", "c"][i % 3]}} for i in range(12)]
    runs += [{"tags": {}} for _ in range(3)]
    passing = enforce(SEED, runs)
    failing = enforce(SEED, runs, {"max_concurrent_runs": 4, "tag_concurrency_limits": [{"key": "dagster/backfill", "limit": 2}]})
    print(json.dumps({"seed": passing, "negative_control": failing}, indent=1))
    results = [passing["ok"] and passing["max_in_progress"] == 5, not failing["ok"]]
    print(f"dagster_enforce self-test: {sum(results)} passed, {len(results) - sum(results)} failed")
    return all(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance-yaml", type=Path)
    parser.add_argument("--runs-json", type=Path)
    parser.add_argument("--check-limit-override", type=json.loads, default=None)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return 0 if self_test() else 1
    if not (args.instance_yaml and args.runs_json):
        parser.error("--instance-yaml and --runs-json are required")
    summary = enforce(args.instance_yaml.read_text(), json.loads(args.runs_json.read_text()), args.check_limit_override)
    print(json.dumps(summary, indent=1))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
