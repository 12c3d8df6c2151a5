"""Dagster instance oracle: validates a dagster.yaml fragment with dagster itself and reports the effective limits.

Line server: one JSON request per stdin line, one JSON response per stdout line, until EOF.
  request:  {"instance_yaml": str}   (a dagster.yaml holding run_coordinator: and/or concurrency:)
  response: {"ok": bool, "error": str|null, "effective": {...}|null}
Uses private dagster APIs (pinned in tests/requirements.txt): InstanceRef.from_dir validates the schema and the
concurrency cross-checks, ref.run_coordinator builds (and so validates) the coordinator, and
ConcurrencyConfig.from_concurrency_settings merges both places the way DagsterInstance.get_concurrency_config does.
The run-queue fields of "effective" are null when the coordinator is not a QueuedRunCoordinator (no run limits).
"""

import contextlib
import json
import logging
import sys
import tempfile
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

from dagster._core.instance.config import ConcurrencyConfig, PoolGranularity  # noqa: E402
from dagster._core.instance.ref import InstanceRef  # noqa: E402
from dagster._core.run_coordinator.queued_run_coordinator import QueuedRunCoordinator  # noqa: E402


def effective_limits(instance_yaml):
    """Validate instance_yaml with dagster; return the effective concurrency settings (raises on invalid config)."""
    with tempfile.TemporaryDirectory() as home:
        Path(home, "dagster.yaml").write_text(instance_yaml)
        ref = InstanceRef.from_dir(home)
        coordinator = ref.run_coordinator
    queued = isinstance(coordinator, QueuedRunCoordinator)
    config = ConcurrencyConfig.from_concurrency_settings(
        ref.settings.get("concurrency") or {}, coordinator.get_run_queue_config() if queued else None
    )
    queue, pools = config.run_queue_config, config.pool_config
    return {
        "max_concurrent_runs": queue and queue.max_concurrent_runs,
        "tag_concurrency_limits": queue and [dict(limit) for limit in queue.tag_concurrency_limits],
        "dequeue_interval_seconds": coordinator.dequeue_interval_seconds if queued else None,
        "dequeue_use_threads": coordinator.dequeue_use_threads if queued else None,
        "dequeue_num_workers": coordinator.dequeue_num_workers if queued else None,
        "block_op_concurrency_limited_runs": queue
        and {
            "enabled": queue.should_block_op_concurrency_limited_runs,
            "op_concurrency_slot_buffer": queue.op_concurrency_slot_buffer,
        },
        # None means op granularity (OpConcurrencyLimitsCounter's default).
        "pool_granularity": (pools.pool_granularity or PoolGranularity.OP).value,
        "default_pool_limit": pools.default_pool_limit,
        "op_granularity_run_buffer": pools.op_granularity_run_buffer,
    }


def handle(request):
    """Answer one request."""
    try:
        return {"ok": True, "error": None, "effective": effective_limits(request["instance_yaml"])}
    except Exception as e:  # noqa: BLE001 - any dagster refusal is an answer
        return {"ok": False, "error": str(e), "effective": None}


def serve(out):
    """Line server loop; dagster's own prints go to stderr."""
    for line in sys.stdin:
        if not line.strip():
            continue
        with contextlib.redirect_stdout(sys.stderr):
            try:
                response = handle(json.loads(line))
            except ValueError as e:
                response = {"ok": False, "error": f"bad request: {e}", "effective": None}
        out.write(json.dumps(response) + "\n")
        out.flush()


SEED = """run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 5
    tag_concurrency_limits:
      - key: dagster/backfill
        limit: 3
"""


def self_test():
    """Check known facts from the reference doc; return the number of failures."""
    coordinator = "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"
    cases = [
        (coordinator + "  config:\n    max_concurrent_runs: -2\n", "Negative values other than -1"),
        (
            coordinator + "  config:\n    max_concurrent_runs: 5\nconcurrency:\n  runs:\n    max_concurrent_runs: 4\n",
            "incompatible with the `concurrency > runs` config",
        ),
        ("concurrency:\n  pools:\n    granularity: foo\n", "foo"),
        (SEED, None),
        ("concurrency:\n  runs:\n    max_concurrent_runs: -5\n", None),
    ]
    failures = 0
    for instance_yaml, refusal in cases:
        response = handle({"instance_yaml": instance_yaml})
        if refusal is None:
            good = response["ok"]
        else:
            good = not response["ok"] and refusal in response["error"]
        if not good:
            failures += 1
            print(f"FAIL {instance_yaml!r}: {response}", file=sys.stderr)
    effective = handle({"instance_yaml": SEED})["effective"]
    want = {"max_concurrent_runs": 5, "tag_concurrency_limits": [{"key": "dagster/backfill", "limit": 3}]}
    if not effective or any(effective[k] != v for k, v in want.items()):
        failures += 1
        print(f"FAIL seed effective limits: {effective}", file=sys.stderr)
    print(f"dagster_oracle self-test: {len(cases) + 1 - failures} passed, {failures} failed")
    return failures


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if self_test() else 0)
    serve(sys.stdout)
