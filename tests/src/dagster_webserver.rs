//! A real `dagster-webserver` (the pinned oracle version) on a free local port, for the tests of
//! the live resources and of state made against one.

use crate::repo_root;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Longest wait for the webserver to answer before the test gives up (it takes ~4 s).
const STARTUP_DEADLINE: Duration = Duration::from_secs(120);

/// A `dagster-webserver --empty-workspace` with its own `DAGSTER_HOME`, killed by its process
/// id when dropped (so a failing test never leaves it running).
pub struct DagsterWebserver {
    child: Child,
    home: TempDir,
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    http: reqwest::blocking::Client,
}

/// A port nothing listens on (the OS picked it free a moment ago).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port()
}

fn webserver_binary() -> PathBuf {
    let venv = std::env::var_os("REPO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    let binary = venv.join("bin/dagster-webserver");
    assert!(
        binary.is_file(),
        "{} is missing: run scripts/bootstrap.sh (or scripts/test)",
        binary.display()
    );
    binary
}

/// `dagster-webserver --empty-workspace` on `port` with `home` as `DAGSTER_HOME`, its output
/// appended to `home/webserver.log`.
fn spawn(home: &Path, port: u16) -> Child {
    let log = File::options()
        .create(true)
        .append(true)
        .open(home.join("webserver.log"))
        .expect("log file");
    Command::new(webserver_binary())
        .args([
            "--empty-workspace",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("DAGSTER_HOME", home)
        .env("DAGSTER_DISABLE_TELEMETRY", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("start dagster-webserver")
}

impl DagsterWebserver {
    /// Starts the webserver on an instance whose `dagster.yaml` is `instance_yaml`, and waits
    /// until `/graphql` answers.
    pub fn start(instance_yaml: &str) -> Self {
        let home = TempDir::new().expect("DAGSTER_HOME");
        std::fs::write(home.path().join("dagster.yaml"), instance_yaml).expect("dagster.yaml");
        let port = free_port();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        let mut server = DagsterWebserver {
            child: spawn(home.path(), port),
            home,
            url: format!("http://127.0.0.1:{port}"),
            http,
        };
        server.wait_until_answering();
        server
    }

    /// Stops the webserver (killed, as a pod is) and starts it again on the same port and
    /// instance storage, then waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Kills the webserver and waits for it to exit; its storage stays.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the webserver again after [`Self::stop`], on the same port and storage, and
    /// waits until it answers.
    pub fn start_again(&mut self) {
        let port = self
            .url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("the URL ends with the port");
        self.child = spawn(self.home.path(), port);
        self.wait_until_answering();
    }

    fn wait_until_answering(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("dagster-webserver exited ({status}):\n{}", self.log());
            }
            if self.try_graphql("query { version }", json!({})).is_some() {
                return;
            }
            assert!(
                started.elapsed() < STARTUP_DEADLINE,
                "dagster-webserver did not answer:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs Dagster's own CLI (`dagster ARGS...`) on this webserver's instance, as an operator
    /// would behind every tool's back.
    pub fn dagster(&self, args: &[&str]) -> std::process::Output {
        let dagster = webserver_binary().with_file_name("dagster");
        Command::new(dagster)
            .args(args)
            .env("DAGSTER_HOME", self.home.path())
            .env("DAGSTER_DISABLE_TELEMETRY", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run dagster")
    }

    /// Everything the webserver printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("webserver.log")).unwrap_or_default()
    }

    fn try_graphql(&self, query: &str, variables: Value) -> Option<Value> {
        let response = self
            .http
            .post(format!("{}/graphql", self.url))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .ok()?;
        let body: Value = response.json().ok()?;
        body.get("errors").is_none().then(|| body["data"].clone())
    }

    /// Runs a GraphQL operation the way the UI does, behind Terraform's back.
    pub fn graphql(&self, query: &str, variables: Value) -> Value {
        self.try_graphql(query, variables)
            .unwrap_or_else(|| panic!("GraphQL failed: {query}\n{}", self.log()))
    }

    /// `(limit, usingDefaultLimit)` of `pool` as the instance reports it.
    pub fn pool_limit(&self, pool: &str) -> (Value, bool) {
        let data = self.graphql(
            "query($key: String!) { instance { concurrencyLimit(concurrencyKey: $key) { limit usingDefaultLimit } } }",
            json!({"key": pool}),
        );
        let row = &data["instance"]["concurrencyLimit"];
        (
            row["limit"].clone(),
            row["usingDefaultLimit"] == json!(true),
        )
    }

    /// Every pool with a limit of its own, and that limit, as the instance reports them.
    pub fn own_pool_limits(&self) -> BTreeMap<String, i64> {
        let data = self.graphql(
            "query { instance { concurrencyLimits { concurrencyKey limit usingDefaultLimit } } }",
            json!({}),
        );
        data["instance"]["concurrencyLimits"]
            .as_array()
            .expect("concurrencyLimits")
            .iter()
            .filter(|row| row["usingDefaultLimit"] != json!(true))
            .filter_map(|row| {
                Some((
                    row["concurrencyKey"].as_str()?.to_owned(),
                    row["limit"].as_i64()?,
                ))
            })
            .collect()
    }

    /// Sets `pool`'s limit, as the UI does.
    pub fn set_pool_limit(&self, pool: &str, limit: i64) {
        self.graphql(
            "mutation($key: String!, $limit: Int!) { setConcurrencyLimit(concurrencyKey: $key, limit: $limit) }",
            json!({"key": pool, "limit": limit}),
        );
    }

    /// Deletes `pool`'s limit, as the UI does.
    pub fn delete_pool_limit(&self, pool: &str) {
        self.graphql(
            "mutation($key: String!) { deleteConcurrencyLimit(concurrencyKey: $key) }",
            json!({"key": pool}),
        );
    }
}

impl Drop for DagsterWebserver {
    fn drop(&mut self) {
        // Killed by its own process id, then reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
