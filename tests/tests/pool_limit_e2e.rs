//! `dagster_pool_limit` and `data.dagster_instance_concurrency` through real Terraform CLIs
//! against a real `dagster-webserver` (the pinned oracle version) on a free local port: apply,
//! no-op plan, drift made behind Terraform's back, import, destroy; then the failure cases
//! (server down, silent server, limit out of range) without a webserver.

use dagster_e2e::dagster_webserver::{free_port, DagsterWebserver};
use dagster_e2e::{clis, config, line_of, Workspace};
use serde_json::{json, Value};
use std::net::TcpListener;
use validator::model::{ConcurrencyConfig, PoolSettings, Setting, TagLimit};

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
    let accepted = validator::rules::accept(&config).expect("accepted");
    validator::render::render(&accepted).instance_yaml
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

/// A Python web server from the test venv on a free port, killed by its process id when
/// dropped: `python -m http.server` (a real server that is not Dagster: 501 to a POST), or
/// [`ECHOING_PROXY`].
struct PythonServer {
    child: std::process::Child,
    url: String,
}

/// An authenticating proxy's refusal page: 401 to every POST, with the request's headers
/// echoed in the body (as some proxies' error pages do). `{port}` is replaced.
const ECHOING_PROXY: &str = r#"
import http.server
class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = ("<html>denied: " + "; ".join(f"{k}: {v}" for k, v in self.headers.items()) + "</html>").encode()
        self.send_response(401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", {port}), Echo).serve_forever()
"#;

impl PythonServer {
    /// Runs `python ARGS` (`{port}` in them replaced by a free port) and waits for the port.
    fn start(args: &[&str]) -> Self {
        let python = std::env::var_os("ORACLE_PYTHON")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| dagster_e2e::repo_root().join(".venv/bin/python"));
        let port = free_port();
        let root = tempfile::TempDir::new().expect("served dir");
        let child = std::process::Command::new(python)
            .args(
                args.iter()
                    .map(|arg| arg.replace("{port}", &port.to_string())),
            )
            .current_dir(root.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python server");
        let server = PythonServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "python server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        server
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The error of `terraform apply` of a pool limit against `url`, on one line.
fn apply_error(url: &str) -> String {
    let ws = failing_workspace(url, 4, "  retries = 0\n");
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    one_line(&run.stderr)
}

#[test]
fn wrong_urls_get_hints_that_fit_what_answered() {
    let server = DagsterWebserver::start("");
    // The endpoint itself with a trailing slash: used as the endpoint.
    let tf = &clis()[0];
    let ws = Workspace::new(
        tf,
        &pool_limit_config(&format!("{}/graphql/", server.url), "slash", 2),
    );
    ws.init().apply();
    assert_eq!(server.pool_limit("slash"), (json!(2), false));

    // A path the webserver does not serve (a `--path-prefix` it was not started with): 405.
    let stderr = apply_error(&format!("{}/dagster", server.url));
    assert!(stderr.contains("HTTP 405"), "{stderr}");
    assert!(
        stderr.contains("should be the webserver's base URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("0..1000"), "{stderr}");

    // Another web server: 501 to a POST.
    let other = PythonServer::start(&["-m", "http.server", "{port}", "--bind", "127.0.0.1"]);
    let stderr = apply_error(&other.url);
    assert!(stderr.contains("HTTP 501"), "{stderr}");
    assert!(
        stderr.contains("does not look like a Dagster webserver"),
        "{stderr}"
    );
    assert!(!stderr.contains("0..1000"), "{stderr}");
}

#[test]
fn header_values_an_auth_proxy_echoes_never_reach_terraform_output() {
    let proxy = PythonServer::start(&["-c", ECHOING_PROXY]);
    let token = "tok-3f9a7c21e8";
    let ws = failing_workspace(
        &proxy.url,
        4,
        &format!("  retries = 0\n  headers = {{ Authorization = \"Bearer {token}\", X-Api-Key = \"key-77aa91\" }}\n"),
    );
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let output = one_line(&format!("{}{}", run.stdout, run.stderr));
    assert!(output.contains("HTTP 401"), "{output}");
    assert!(output.contains("authorization: [redacted]"), "{output}");
    assert!(output.contains("refused the credentials"), "{output}");
    for secret in [token, "key-77aa91"] {
        assert!(!output.contains(secret), "{secret} in {output}");
    }
}
