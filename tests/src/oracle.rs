//! Clients for the Python test oracles in `tests/oracle/`: Helm's own values parser, the released
//! Dagster charts, Dagster's instance loader, and Dagster's queued-run daemon. Python is only ever
//! a test oracle.

use crate::repo_root;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The venv Python that runs the oracles (`ORACLE_PYTHON`, else the repository's `.venv`).
pub fn oracle_python() -> PathBuf {
    let path = std::env::var_os("ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/bootstrap.sh (or scripts/test)",
        path.display()
    );
    path
}

fn script(name: &str) -> PathBuf {
    repo_root().join("tests/oracle").join(name)
}

/// An oracle that answers one JSON line per JSON request line, for as long as it runs.
struct LineServer {
    name: &'static str,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: File,
}

impl LineServer {
    fn start(name: &'static str) -> Self {
        Self::start_with(name, &[])
    }

    fn start_with(name: &'static str, env: &[(&str, &Path)]) -> Self {
        let stderr = tempfile::tempfile().expect("temp file for oracle stderr");
        let mut child = Command::new(oracle_python())
            .arg(script(name))
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.try_clone().expect("clone stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("oracle stdout"));
        LineServer {
            name,
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    /// What the oracle wrote to stderr so far, for failure messages.
    fn stderr_text(&mut self) -> String {
        let mut text = String::new();
        let _ = self.stderr.rewind();
        let _ = self.stderr.read_to_string(&mut text);
        text
    }

    fn died(&mut self, what: &str) -> ! {
        let status = self.child.try_wait().ok().flatten();
        let stderr = self.stderr_text();
        panic!(
            "{} {what} (exit status {status:?}); its stderr:\n{stderr}",
            self.name
        )
    }

    fn ask<Q: Serialize, A: for<'de> Deserialize<'de>>(&mut self, request: &Q) -> A {
        let mut line = serde_json::to_string(request).expect("request serializes");
        line.push('\n');
        let sent = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush()),
            None => Ok(()),
        };
        if sent.is_err() {
            self.died("stopped reading requests");
        }
        self.receive()
    }

    /// Reads one answer line.
    fn receive<A: for<'de> Deserialize<'de>>(&mut self) -> A {
        let mut answer = String::new();
        match self.stdout.read_line(&mut answer) {
            Ok(n) if n > 0 => {}
            _ => self.died("stopped answering"),
        }
        serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{} answered non-JSON ({e}): {answer}", self.name))
    }
}

impl Drop for LineServer {
    fn drop(&mut self) {
        // End of input stops the server loop.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// What Helm built from one request (see `tests/oracle/helm_oracle.py`).
#[derive(Debug, Clone, Deserialize)]
pub struct HelmTrees {
    /// Every `set` entry applied in order into an empty map, as terraform-provider-helm does.
    pub set_tree: Option<Value>,
    /// The values YAML read by Helm's values-file reader.
    pub yaml_tree: Option<Value>,
    /// The `set` entries applied over the values YAML.
    pub merged_tree: Option<Value>,
    /// Helm's error, if any step failed.
    pub error: Option<String>,
}

/// Helm 4.2.3's strvals parser and values reader, as one long-running process.
pub struct HelmOracle(LineServer);

impl HelmOracle {
    /// Starts the oracle.
    pub fn start() -> Self {
        HelmOracle(LineServer::start("helm_oracle.py"))
    }

    /// Applies `set` entries (`{name, value, type}` objects) and reads `values_yaml`.
    pub fn build<S: Serialize>(&mut self, set: &S, values_yaml: &str) -> HelmTrees {
        self.0.ask(&json!({"set": set, "values_yaml": values_yaml}))
    }
}

/// Where the released Dagster charts are: `DAGSTER_CHARTS_DIR`, else `../shared/charts/dagster`
/// beside the repository (beside the main checkout for a git worktree one level further down).
pub fn charts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DAGSTER_CHARTS_DIR") {
        return PathBuf::from(dir);
    }
    let root = repo_root();
    let beside = |base: &Path| base.join("shared/charts/dagster");
    root.ancestors()
        .skip(1)
        .take(2)
        .map(beside)
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| beside(root.parent().unwrap_or(&root)))
}

/// What one chart made of one source of values (see `tests/oracle/chart_oracle.py`).
#[derive(Debug, Clone, Deserialize)]
pub struct ChartRender {
    /// `set`, `set reversed` or `values_yaml`.
    pub source: String,
    /// `ok`, or the stage that refused: `helm` (the values), `schema` or `render` (the templates).
    pub stage: String,
    /// The refusal, if any.
    pub error: Option<String>,
    /// The `run_coordinator`, `concurrency` and `run_queue` sections of the chart's dagster.yaml.
    pub sections: Option<Value>,
    /// The chart's dagster.yaml as written.
    pub dagster_yaml: Option<String>,
    /// That dagster.yaml with its storage and run launcher removed, for a local Dagster.
    pub local_dagster_yaml: Option<String>,
}

/// One chart's renders of one configuration, and the configuration's own instance YAML.
#[derive(Debug, Clone, Deserialize)]
pub struct ChartRenders {
    /// The sources rendered: `set`, `set reversed`, `values_yaml`.
    pub renders: Vec<ChartRender>,
    /// The `run_coordinator`, `concurrency` and `run_queue` sections of the `instance_yaml`
    /// sent, parsed by PyYAML as Dagster reads it.
    pub instance_sections: Option<Value>,
    /// Why the oracle could not answer (no such chart, a bad request).
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct ChartsFound {
    versions: Vec<String>,
}

/// The released Dagster charts under [`charts_dir`], rendered by Helm 4.2.3 in one process.
pub struct ChartOracle {
    server: LineServer,
    /// The chart versions found, oldest first.
    pub versions: Vec<String>,
}

impl ChartOracle {
    /// Starts the oracle; panics when no chart is found, since the suite would prove nothing.
    pub fn start() -> Self {
        let dir = charts_dir();
        let mut server = LineServer::start_with("chart_oracle.py", &[("DAGSTER_CHARTS_DIR", &dir)]);
        let found: ChartsFound = server.receive();
        assert!(
            !found.versions.is_empty(),
            "no Dagster chart under {}: set DAGSTER_CHARTS_DIR, or run scripts/pull-charts",
            dir.display()
        );
        ChartOracle {
            server,
            versions: found.versions,
        }
    }

    /// Renders chart `version` from a values tree written as a values file (no `set` entries).
    pub fn render_values(&mut self, version: &str, values: &Value) -> ChartRender {
        let answer: ChartRenders = self.server.ask(&json!({
            "chart": version,
            "values_yaml": values.to_string(),
            "sources": ["values_yaml"],
        }));
        answer.renders.into_iter().next().unwrap_or(ChartRender {
            source: "values_yaml".into(),
            stage: "oracle".into(),
            error: answer.error,
            sections: None,
            dagster_yaml: None,
            local_dagster_yaml: None,
        })
    }

    /// Renders chart `version` from the `set` entries (in list order and reversed) and from
    /// `values_yaml`, handing the chart the values under `prefix`; parses `instance_yaml` beside.
    pub fn render<S: Serialize>(
        &mut self,
        version: &str,
        prefix: &[String],
        set: &S,
        values_yaml: &str,
        instance_yaml: &str,
    ) -> ChartRenders {
        self.server.ask(&json!({
            "chart": version,
            "prefix": prefix,
            "set": set,
            "values_yaml": values_yaml,
            "instance_yaml": instance_yaml,
        }))
    }
}

/// Dagster's verdict on one instance YAML (see `tests/oracle/dagster_oracle.py`).
#[derive(Debug, Clone, Deserialize)]
pub struct DagsterVerdict {
    /// Whether Dagster loads the instance and builds its run coordinator.
    pub ok: bool,
    /// Dagster's error when it refuses.
    pub error: Option<String>,
    /// The effective concurrency settings when accepted.
    pub effective: Option<Value>,
}

/// dagster 1.13.28 loading instance YAML, as one long-running process.
pub struct DagsterOracle(LineServer);

impl DagsterOracle {
    /// Starts the oracle (about a second to import dagster).
    pub fn start() -> Self {
        DagsterOracle(LineServer::start("dagster_oracle.py"))
    }

    /// Loads `instance_yaml` as a `dagster.yaml`.
    pub fn load(&mut self, instance_yaml: &str) -> DagsterVerdict {
        self.0.ask(&json!({"instance_yaml": instance_yaml}))
    }
}

/// The outcome of draining a queue through the real queued-run-coordinator daemon.
#[derive(Debug, Clone)]
pub struct Enforcement {
    /// True when no limit was exceeded and every run launched (exit code 0).
    pub held: bool,
    /// The JSON summary the check printed (limits, maxima in progress, violations); null when
    /// the daemon raised before the check could print one.
    pub summary: Value,
    /// What the check wrote to stderr (the daemon's traceback when it raised).
    pub stderr: String,
}

/// Runs `tests/oracle/dagster_enforce.py` on `instance_yaml` with `runs` (`[{"tags": {..}}]`);
/// `checker_limits` replaces the limits the checker holds the daemon to (a negative control).
pub fn enforce(instance_yaml: &str, runs: &Value, checker_limits: Option<&Value>) -> Enforcement {
    let dir = tempfile::tempdir().expect("temp dir");
    let instance = dir.path().join("dagster.yaml");
    let runs_file = dir.path().join("runs.json");
    std::fs::write(&instance, instance_yaml).expect("write instance yaml");
    std::fs::write(&runs_file, runs.to_string()).expect("write runs");
    let mut command = Command::new(oracle_python());
    command
        .arg(script("dagster_enforce.py"))
        .arg("--instance-yaml")
        .arg(&instance)
        .arg("--runs-json")
        .arg(&runs_file);
    if let Some(limits) = checker_limits {
        command
            .arg("--check-limit-override")
            .arg(limits.to_string());
    }
    let output = command.output().expect("run dagster_enforce.py");
    Enforcement {
        held: output.status.code() == Some(0),
        summary: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
