"""Chart oracle: renders values through a released Dagster Helm chart and returns its dagster.yaml.

Line server: one JSON request per stdin line, one JSON response per stdout line, until EOF.
  request:  {"chart": "1.12.17", "prefix": [str...], "set": [{"name", "value", "type"}...], "values_yaml": str,
             "instance_yaml": str, "sources": [str...] (optional: only these sources)}
  response: {"version": str, "instance_sections": {...}, "renders": [{"source": "set"|"set reversed"|"values_yaml", "stage": "ok"|"helm"|
             "schema"|"render"|"yaml", "error": str|null, "sections": {...}|null, "dagster_yaml": str|null,
             "local_dagster_yaml": str|null}...]}
The charts are found under DAGSTER_CHARTS_DIR (one folder per version, as `helm pull --untar` writes it); the
start-up line `{"versions": [...]}` lists them. Each chart is copied once into a temporary directory where every
remote `$ref` of every `values.schema.json` is replaced by `{}` (the Kubernetes definitions they name cannot be
fetched offline; the Dagster parts of the schema are complete), then loaded with helm-python-sdk 0.2.2 (Helm 4.2.3).

For each source the values tree is built by Helm's own code (the `set` entries through helm_oracle.apply_set in
list order and in reverse order, as terraform-provider-helm 2.x keeps no order; values_yaml through Helm's values
reader), the subtree under the values prefix is what the Dagster chart receives, and the chart renders it offline
over `postgresql.enabled=false` and `rabbitmq.enabled=false` (what rendering without a cluster needs); on a
refusal the schema is checked alone to say which stage refused, and "yaml" means the chart wrote an instance
ConfigMap that PyYAML cannot read. `sections` holds the run_coordinator, concurrency and
run_queue sections of the instance ConfigMap's dagster.yaml, parsed with PyYAML (as Dagster reads it);
`instance_sections` holds the same sections of
the request's instance_yaml, parsed the same way. `local_dagster_yaml` is the whole dagster.yaml with the storage sections and the run launcher removed, so Dagster
loads it with local sqlite storage and its default launcher (dagster_postgres and dagster_k8s are not installed).

helm-python-sdk hands values to Go as JSON, so every number reaches the templates as a float64. The real Helm CLI
keeps `--set` integers as int64; the two print the same for every number below 1e6 (and through toYaml up to 2^53).
"""

import copy
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import helm_python as helm
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from helm_oracle import apply_set  # noqa: E402

SECTIONS = ("run_coordinator", "concurrency", "run_queue")
LOCAL_SWAPPED = ("run_storage", "event_log_storage", "schedule_storage", "storage", "run_launcher")
OFFLINE = {"postgresql": {"enabled": False, "postgresqlHost": "postgresql"}, "rabbitmq": {"enabled": False}}
RELEASE = "dagster"


def charts_dir():
    """DAGSTER_CHARTS_DIR (the test harness always sets it; see tests/src/oracle.rs)."""
    return Path(os.environ["DAGSTER_CHARTS_DIR"]).resolve()


def _stub_remote_refs(node):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return {}
        return {k: _stub_remote_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_stub_remote_refs(v) for v in node]
    return node


def load_charts(root, scratch):
    """Every chart folder under root, copied with stubbed remote schema refs, by version."""
    charts = {}
    for folder in sorted(p for p in root.iterdir() if (p / "Chart.yaml").is_file()) if root.is_dir() else []:
        copy_dir = Path(scratch) / folder.name
        shutil.copytree(folder, copy_dir)
        for schema in copy_dir.rglob("values.schema.json"):
            schema.write_text(json.dumps(_stub_remote_refs(json.loads(schema.read_text()))))
        chart = helm.Chart.load(str(copy_dir))
        charts[chart.version] = chart
    return charts


def _merge(base, over):
    """Values `over` laid onto `base` (maps merged key by key, anything else replaced)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _under(tree, prefix):
    for key in prefix:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree if isinstance(tree, dict) else {}


def _instance_yaml(manifests):
    for name, text in manifests.items():
        if not name.endswith("/configmap-instance.yaml"):
            continue
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and doc["metadata"]["name"].endswith("-instance"):
                return doc["data"]["dagster.yaml"]
    return None


def render(chart, source, build, prefix):
    """One source through Helm's parser, the chart's schema and its templates."""
    result = {"source": source, "stage": "helm", "error": None, "sections": None, "dagster_yaml": None,
              "local_dagster_yaml": None}
    try:
        values = _merge(OFFLINE, _under(build(), prefix))
    except (helm.HelmValuesError, ValueError, RuntimeError) as e:
        result["error"] = str(e)
        return result
    try:
        manifests = chart.render(values, name=RELEASE, namespace="default")
    except helm.HelmError as e:
        # Rendering validates the schema first; asking again says which of the two refused.
        try:
            chart.validate_schema(values)
            result["stage"] = "render"
        except helm.HelmError:
            result["stage"] = "schema"
        result["error"] = str(e)
        return result
    result["stage"] = "yaml"
    try:
        text = _instance_yaml(manifests)
        if text is None:
            result["error"] = "no instance ConfigMap in the rendered chart"
            return result
        parsed = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        result["error"] = f"the rendered instance ConfigMap is not YAML PyYAML reads: {e}"
        return result
    local = {k: v for k, v in parsed.items() if k not in LOCAL_SWAPPED}
    result.update(stage="ok", dagster_yaml=text, sections={k: parsed.get(k) for k in SECTIONS},
                  local_dagster_yaml=yaml.safe_dump(local, sort_keys=False))
    return result


def handle(charts, request):
    """Answer one request."""
    chart = charts.get(request["chart"])
    if chart is None:
        return {"version": request["chart"], "renders": [], "error": f"no chart {request['chart']} here"}
    entries = request.get("set") or []
    prefix = request.get("prefix") or []
    sources = [
        ("set", lambda: apply_set(entries, {})),
        ("set reversed", lambda: apply_set(list(reversed(entries)), {})),
        ("values_yaml", lambda: helm.values_from_yaml(request.get("values_yaml") or "")),
    ]
    only = request.get("sources")
    ours = yaml.safe_load(request.get("instance_yaml") or "") or {}
    return {"version": chart.version, "error": None, "instance_sections": {k: ours.get(k) for k in SECTIONS},
            "renders": [render(chart, name, build, prefix) for name, build in sources if not only or name in only]}


def serve():
    """Line server loop: the versions first, then one answer per request."""
    with tempfile.TemporaryDirectory() as scratch:
        charts = load_charts(charts_dir(), scratch)
        sys.stdout.write(json.dumps({"versions": sorted(charts), "dir": str(charts_dir())}) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                response = handle(charts, json.loads(line))
            except Exception as e:  # noqa: BLE001 - the server must answer every line
                response = {"version": None, "renders": [], "error": f"bad request: {e!r}"}
            sys.stdout.write(json.dumps(response) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    serve()
