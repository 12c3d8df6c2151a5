//! Clients for the Python test oracles in `tests/oracle/`: Helm's own values parser, Dagster's
//! instance loader, and Dagster's queued-run daemon. Python is only ever a test oracle.

use crate::repo_root;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::PathBuf;
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
        let stderr = tempfile::tempfile().expect("temp file for oracle stderr");
        let mut child = Command::new(oracle_python())
            .arg(script(name))
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
