//! `dagster_pool_limit` and `data.dagster_instance_concurrency` through real Terraform CLIs
//! against a real `dagster-webserver` (the pinned oracle version) on a free local port: apply,
//! no-op plan, drift made behind Terraform's back, import, destroy; then the failure cases
//! (server down, silent server, limit out of range) without a webserver.

use dagster_e2e::{clis, config, line_of, repo_root, Workspace};
use serde_json::{json, Value};
use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use validator::model::{ConcurrencyConfig, PoolSettings, Setting, TagLimit};

/// Longest wait for the webserver to answer before the test gives up (it takes ~4 s).
const STARTUP_DEADLINE: Duration = Duration::from_secs(120);

/// A `dagster-webserver --empty-workspace` with its own `DAGSTER_HOME`, killed by its process
/// id when dropped (so a failing test never leaves it running).
struct DagsterWebserver {
    child: Child,
    home: TempDir,
    url: String,
    http: reqwest::blocking::Client,
}

fn free_port() -> u16 {
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

impl DagsterWebserver {
    /// Starts the webserver on an instance whose `dagster.yaml` is `instance_yaml`, and waits
    /// until `/graphql` answers.
    fn start(instance_yaml: &str) -> Self {
        let home = TempDir::new().expect("DAGSTER_HOME");
        std::fs::write(home.path().join("dagster.yaml"), instance_yaml).expect("dagster.yaml");
        let port = free_port();
        let log = File::create(home.path().join("webserver.log")).expect("log file");
        let child = Command::new(webserver_binary())
            .args([
                "--empty-workspace",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("DAGSTER_HOME", home.path())
            .env("DAGSTER_DISABLE_TELEMETRY", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start dagster-webserver");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        let mut server = DagsterWebserver {
            child,
            home,
            url: format!("http://127.0.0.1:{port}"),
            http,
        };
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("dagster-webserver exited ({status}):\n{}", server.log());
            }
            if server.try_graphql("query { version }", json!({})).is_some() {
                return server;
            }
            assert!(
                started.elapsed() < STARTUP_DEADLINE,
                "dagster-webserver did not answer:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log(&self) -> String {
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
    fn graphql(&self, query: &str, variables: Value) -> Value {
        self.try_graphql(query, variables)
            .unwrap_or_else(|| panic!("GraphQL failed: {query}\n{}", self.log()))
    }

    /// `(limit, usingDefaultLimit)` of `pool` as the instance reports it.
    fn pool_limit(&self, pool: &str) -> (Value, bool) {
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

    fn set_pool_limit(&self, pool: &str, limit: i64) {
        self.graphql(
            "mutation($key: String!, $limit: Int!) { setConcurrencyLimit(concurrencyKey: $key, limit: $limit) }",
            json!({"key": pool, "limit": limit}),
        );
    }

    fn delete_pool_limit(&self, pool: &str) {
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

fn tag(key: &str, limit: i64, per_unique_value: Option<bool>) -> TagLimit {
    TagLimit {
        key: Setting::Known(key.into()),
        limit: Setting::Known(limit),
        apply_limit_per_unique_value: per_unique_value.into(),
        ..Default::default()
    }
}

/// The instance the webserver runs: rendered by our own renderer (runs and pools under
/// `concurrency`), so the data source proves the deployed instance enforces what was rendered.
fn rendered_instance_yaml() -> String {
    render_instance_yaml(ConcurrencyConfig {
        max_concurrent_runs: Setting::Known(5),
        tag_limits: Setting::Known(vec![
            tag("dagster/backfill", 3, None),
            tag("team", 2, Some(true)),
        ]),
        pools: Setting::Known(PoolSettings {
            default_limit: Setting::Known(7),
            granularity: Setting::Known("op".into()),
            op_granularity_run_buffer: Setting::Known(1),
        }),
        ..Default::default()
    })
}

fn render_instance_yaml(config: ConcurrencyConfig) -> String {
    validator::render::render(&config)
        .expect("renders")
        .instance_yaml
}

#[test]
fn instance_concurrency_reads_the_seed_adr_limits_under_the_run_coordinator() {
    let server = DagsterWebserver::start(&render_instance_yaml(ConcurrencyConfig {
        max_concurrent_runs: Setting::Known(5),
        tag_limits: Setting::Known(vec![tag("dagster/backfill", 3, None)]),
        ..Default::default()
    }));
    for tf in clis() {
        let ws = Workspace::new(
            tf,
            &config(&format!(
                "provider \"dagster\" {{\n  webserver_url = \"{}\"\n}}\n\ndata \"dagster_instance_concurrency\" \"live\" {{}}\n\noutput \"live\" {{\n  value = data.dagster_instance_concurrency.live\n}}\n",
                server.url
            )),
        );
        ws.init().apply();
        assert_eq!(
            ws.outputs()["live"]["value"],
            json!({
                "max_concurrent_runs": 5,
                "tag_concurrency_limits": [
                    {"key": "dagster/backfill", "value": null, "apply_limit_per_unique_value": null, "limit": 3},
                ],
                "pool_granularity": null,
                "default_pool_limit": null,
                "op_granularity_run_buffer": null,
                "pool_limits": [],
            }),
            "terraform {}",
            tf.version
        );
    }
}

fn pool_limit_config(url: &str, pool: &str, limit: i64) -> String {
    config(&format!(
        r#"provider "dagster" {{
  webserver_url   = "{url}"
  timeout_seconds = 10
}}

resource "dagster_pool_limit" "warehouse" {{
  pool  = "{pool}"
  limit = {limit}
}}

data "dagster_instance_concurrency" "live" {{
  depends_on = [dagster_pool_limit.warehouse]
}}

output "live" {{
  value = data.dagster_instance_concurrency.live
}}
"#
    ))
}

fn change_of(plan: &Value) -> &Value {
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    let change = changes
        .iter()
        .find(|change| change["type"] == "dagster_pool_limit")
        .expect("a dagster_pool_limit change");
    &change["change"]
}

fn expect_no_changes(ws: &Workspace) {
    ws.run(&["plan", "-detailed-exitcode", "-no-color"])
        .expect_code(0);
}

#[test]
fn pool_limit_lifecycle_and_instance_readback_on_a_real_webserver() {
    let server = DagsterWebserver::start(&rendered_instance_yaml());
    for tf in clis() {
        let pool = format!("warehouse-{}", tf.version);
        let ws = Workspace::new(tf, &pool_limit_config(&server.url, &pool, 4));
        ws.init().apply();
        assert_eq!(
            server.pool_limit(&pool),
            (json!(4), false),
            "terraform {}",
            tf.version
        );
        expect_no_changes(&ws);

        // The instance enforces what was rendered, as read back by the data source.
        let live = &ws.outputs()["live"]["value"];
        assert_eq!(live["max_concurrent_runs"], 5);
        assert_eq!(
            live["tag_concurrency_limits"],
            json!([
                {"key": "dagster/backfill", "value": null, "apply_limit_per_unique_value": null, "limit": 3},
                {"key": "team", "value": null, "apply_limit_per_unique_value": true, "limit": 2},
            ])
        );
        assert_eq!(live["pool_granularity"], "op");
        assert_eq!(live["default_pool_limit"], 7);
        assert_eq!(live["op_granularity_run_buffer"], 1);
        let pools = live["pool_limits"].as_array().expect("pool_limits");
        assert!(
            pools.contains(&json!({"pool": pool, "limit": 4, "using_default_limit": false})),
            "{pools:?}"
        );

        // Changed in the UI: the next plan shows the drift and apply puts it back.
        server.set_pool_limit(&pool, 9);
        let change = change_of(&ws.plan_json()).clone();
        assert_eq!(change["actions"], json!(["update"]));
        assert_eq!(change["before"]["limit"], 9);
        assert_eq!(change["after"]["limit"], 4);
        ws.apply();
        assert_eq!(server.pool_limit(&pool), (json!(4), false));

        // Deleted in the UI: the next plan sets it again.
        server.delete_pool_limit(&pool);
        assert_eq!(change_of(&ws.plan_json())["actions"], json!(["create"]));
        ws.apply();
        assert_eq!(server.pool_limit(&pool), (json!(4), false));

        // A new limit updates in place; a new pool name replaces.
        ws.write("main.tf", &pool_limit_config(&server.url, &pool, 6));
        assert_eq!(change_of(&ws.plan_json())["actions"], json!(["update"]));
        ws.apply();
        assert_eq!(server.pool_limit(&pool), (json!(6), false));
        ws.write("main.tf", &pool_limit_config(&server.url, "renamed", 6));
        assert_eq!(
            change_of(&ws.plan_json())["actions"],
            json!(["delete", "create"])
        );
        ws.write("main.tf", &pool_limit_config(&server.url, &pool, 6));

        // Import by pool name, then nothing to change.
        ws.run(&["state", "rm", "dagster_pool_limit.warehouse"])
            .expect_code(0);
        ws.run(&["import", "-no-color", "dagster_pool_limit.warehouse", &pool])
            .expect_code(0);
        expect_no_changes(&ws);
        let missing = ws.run(&[
            "import",
            "-no-color",
            "dagster_pool_limit.warehouse",
            "no-such-pool",
        ]);
        assert_ne!(missing.code, 0);
        assert!(
            one_line(&missing.stderr).contains("pool \"no-such-pool\" has no limit of its own"),
            "{}",
            missing.stderr
        );

        // Destroy: the pool falls back to the instance's default limit.
        ws.run(&["destroy", "-auto-approve", "-no-color"])
            .expect_code(0);
        assert_eq!(server.pool_limit(&pool), (json!(7), true));
    }
}

/// A workspace whose provider points at `url`, with one pool limit.
fn failing_workspace(url: &str, limit: i64, settings: &str) -> Workspace {
    let tf = &clis()[0];
    let main_tf = config(&format!(
        "provider \"dagster\" {{\n  webserver_url = \"{url}\"\n{settings}}}\n\nresource \"dagster_pool_limit\" \"warehouse\" {{\n  pool  = \"warehouse\"\n  limit = {limit}\n}}\n"
    ));
    let ws = Workspace::new(tf, &main_tf);
    ws.init();
    ws
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_server_that_is_down_or_silent_fails_the_apply_naming_the_url_and_the_pool() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let ws = failing_workspace(&url, 4, "  retries = 1\n");
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let stderr = one_line(&run.stderr);
    assert!(stderr.contains(&format!("{url}/graphql")), "{stderr}");
    assert!(stderr.contains("pool \"warehouse\""), "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(
        stderr.contains("Check that the webserver is running"),
        "{stderr}"
    );

    // Accepts connections (the kernel's backlog) but never answers: the timeout ends the run.
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let url = format!("http://{}", silent.local_addr().expect("address"));
    let ws = failing_workspace(&url, 4, "  timeout_seconds = 1\n  retries = 0\n");
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let stderr = one_line(&run.stderr);
    assert!(stderr.contains(&format!("{url}/graphql")), "{stderr}");
    assert!(stderr.contains("no answer within 1 s"), "{stderr}");
}

#[test]
fn an_out_of_range_limit_fails_at_validate_before_any_request() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let ws = failing_workspace(&url, 5000, "");
    let validate = ws.validate_json();
    assert_eq!(validate["valid"], false, "{validate}");
    let diagnostic = &validate["diagnostics"][0];
    assert!(
        diagnostic["summary"]
            .as_str()
            .is_some_and(|summary| summary.starts_with("[DC702]")),
        "{validate}"
    );
    let main_tf = std::fs::read_to_string(ws.path().join("main.tf")).expect("main.tf");
    let limit_line = line_of(&main_tf, "limit = 5000");
    assert_eq!(
        diagnostic["range"]["start"]["line"], limit_line,
        "{validate}"
    );
    let plan = ws.run(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1);
    assert!(plan.stderr.contains("[DC702]"), "{}", plan.stderr);
    assert!(
        listener.accept().is_err(),
        "the provider contacted the webserver"
    );

    // Without a URL, the live resource says what to configure; rendering needs none.
    let ws = Workspace::new(
        &clis()[0],
        &config("resource \"dagster_pool_limit\" \"warehouse\" {\n  pool  = \"warehouse\"\n  limit = 4\n}\n"),
    );
    ws.init();
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(run.code, 1);
    let stderr = one_line(&run.stderr);
    assert!(
        stderr.contains("needs the Dagster webserver URL"),
        "{stderr}"
    );
    assert!(stderr.contains("DAGSTER_WEBSERVER_URL"), "{stderr}");
}
