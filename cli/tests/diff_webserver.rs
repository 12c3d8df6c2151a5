//! `dagster-concurrency diff` against a real `dagster-webserver` (the pinned oracle version)
//! started from the seed ADR (`examples/seed-adr`): no drift; drift made with Dagster's own CLI
//! (`dagster instance concurrency set`); a declaration that differs; and a webserver that is
//! down or silent (exit 2, a clear message, within `--timeout`).

mod common;

use common::{run, text};
use dagster_e2e::dagster_webserver::{free_port, DagsterWebserver};
use dagster_e2e::repo_root;
use serde_json::Value;
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use validator::input::{self, Kind, ReadOptions};

/// The `dagster.yaml` the chart writes for the seed ADR, read from `examples/seed-adr/main.tf`
/// and rendered by our own renderer.
fn seed_instance_yaml() -> String {
    let main_tf = std::fs::read_to_string(seed_dir().join("main.tf")).expect("seed main.tf");
    let targets = input::read(Kind::Hcl, &main_tf, &ReadOptions::default()).expect("reads");
    let accepted = validator::rules::accept(&targets[0].config).expect("accepted");
    validator::render::render(&accepted).instance_yaml
}

fn seed_dir() -> std::path::PathBuf {
    repo_root().join("examples/seed-adr")
}

fn diff(url: &str, paths: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["diff", "--webserver", url];
    args.extend(extra);
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    run(&args)
}

fn expect(output: &Output, code: i32) -> (String, String) {
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn dagster(server: &DagsterWebserver, args: &[&str]) {
    let output = server.dagster(args);
    assert!(
        output.status.success(),
        "dagster {args:?}: {}",
        text(&output.stderr)
    );
}

#[test]
fn the_seed_deployed_then_drift_made_with_dagsters_own_cli() {
    let server = DagsterWebserver::start(&seed_instance_yaml());
    let endpoint = format!("{}/graphql", server.url);
    let seed = seed_dir();

    let (stdout, _) = expect(&diff(&server.url, &[&seed], &[]), 0);
    assert_eq!(
        stdout,
        format!("no drift: {endpoint} enforces the declared limits\n")
    );

    // A pool limit set by hand: deployed, declared nowhere.
    dagster(
        &server,
        &["instance", "concurrency", "set", "warehouse", "4"],
    );
    let (stdout, _) = expect(&diff(&server.url, &[&seed], &[]), 1);
    assert_eq!(
        stdout,
        format!("{endpoint}: extra: pool \"warehouse\" is deployed as 4 but not declared\n1 difference between the declared limits and {endpoint}\n")
    );

    // Declared with Terraform, as deployed: no drift; then changed by hand.
    let declared = tempfile::tempdir().expect("temp dir");
    let main_tf = std::fs::read_to_string(seed.join("main.tf")).expect("seed");
    let pool = "resource \"dagster_pool_limit\" \"warehouse\" {\n  pool  = \"warehouse\"\n  limit = 4\n}\n";
    std::fs::write(
        declared.path().join("main.tf"),
        format!("{main_tf}\n{pool}"),
    )
    .expect("write");
    expect(&diff(&server.url, &[declared.path()], &[]), 0);
    dagster(
        &server,
        &["instance", "concurrency", "set", "warehouse", "5"],
    );
    let (stdout, _) = expect(&diff(&server.url, &[declared.path()], &[]), 1);
    let pool_line = main_tf.lines().count() + 2;
    let shown = declared.path().join("main.tf").display().to_string();
    assert!(
        stdout.starts_with(&format!("{shown}:{pool_line}:1: changed: pool \"warehouse\" is declared as 4 but deployed as 5\n")),
        "{stdout}"
    );

    // The machine-readable formats say the same.
    let (stdout, _) = expect(
        &diff(&server.url, &[declared.path()], &["--format", "json"]),
        1,
    );
    let json: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["differences"][0]["kind"], "changed");
    assert_eq!(json["differences"][0]["declared"], 4);
    assert_eq!(json["differences"][0]["deployed"], 5);
    assert_eq!(json["differences"][0]["line"], pool_line);
    let (stdout, _) = expect(
        &diff(&server.url, &[declared.path()], &["--format", "sarif"]),
        1,
    );
    let sarif: Value = serde_json::from_str(&stdout).expect("sarif");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "drift/changed");
    let (stdout, _) = expect(
        &diff(&server.url, &[declared.path()], &["--format", "junit"]),
        1,
    );
    assert!(stdout.contains("failures=\"1\""), "{stdout}");

    // A release installing the seed's limits as raw `set` entries is what is deployed; a
    // `dagster_concurrency` beside it only renders values, and is not compared.
    let release = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        release.path().join("main.tf"),
        r#"resource "helm_release" "dagster" {
  name    = "dagster"
  chart   = "dagster"
  version = "1.12.14"

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
}

resource "dagster_concurrency" "draft" {
  max_concurrent_runs = 50
}

resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 5
}
"#,
    )
    .expect("write");
    expect(&diff(&server.url, &[release.path()], &[]), 0);

    // A values file that declares other run limits than the seed's: each difference at the
    // line of its value or list item.
    let values = declared.path().join("values.yaml");
    std::fs::write(
        &values,
        "dagsterDaemon:\n  runCoordinator:\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: 6\n        tagConcurrencyLimits:\n          - key: dagster/backfill\n            limit: 3\n          - key: team\n            limit: 2\n",
    )
    .expect("write");
    let (stdout, _) = expect(&diff(&server.url, &[&values], &[]), 1);
    let shown = values.display();
    assert_eq!(
        stdout,
        format!("{shown}:5:28: changed: max_concurrent_runs is declared as 6 but deployed as 5\n{shown}:9:13: missing: tag limit \"team\" is declared as 2 but not deployed\n2 differences between the declared limits and {endpoint}\n")
    );
}

#[test]
fn a_webserver_that_is_down_is_a_clear_error_within_the_timeout() {
    let seed = seed_dir();
    let closed = format!("http://127.0.0.1:{}", free_port());
    let (stdout, stderr) = expect(&diff(&closed, &[&seed], &["--timeout", "1"]), 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read the deployed limits from {closed}/graphql: cannot connect: "
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: Check that the webserver is running"),
        "{stderr}"
    );

    // Accepts connections and never answers: the timeout ends each attempt.
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let url = format!("http://{}", silent.local_addr().expect("address"));
    let output = diff(&url, &[&seed], &["--timeout", "1", "--retries", "0"]);
    let (_, stderr) = expect(&output, 2);
    assert!(stderr.contains("no answer within 1 s"), "{stderr}");
    assert!(stderr.contains("raise `--timeout`"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_before_any_request() {
    let seed = seed_dir();
    let no_url = run(&["diff", &seed.display().to_string()]);
    // The environment may hold a URL: only check when it does not.
    if std::env::var_os("DAGSTER_WEBSERVER_URL").is_none() {
        let (_, stderr) = expect(&no_url, 2);
        assert!(
            stderr.contains("pass --webserver URL or set DAGSTER_WEBSERVER_URL"),
            "{stderr}"
        );
    }
    let two = run(&[
        "diff",
        "--webserver",
        "http://127.0.0.1:9",
        &repo_root()
            .join("examples/backfill-limits")
            .display()
            .to_string(),
        &seed.display().to_string(),
    ]);
    let (_, stderr) = expect(&two, 2);
    assert!(
        stderr.contains("the files declare 2 Dagster deployments with different limits"),
        "{stderr}"
    );
    let pools = tempfile::tempdir().expect("temp dir");
    let pool = |limit| {
        format!(
            "resource \"dagster_pool_limit\" \"p\" {{\n  pool  = \"db\"\n  limit = {limit}\n}}\n"
        )
    };
    std::fs::write(pools.path().join("a.tf"), pool(1)).expect("write");
    std::fs::write(pools.path().join("b.tf"), pool(2)).expect("write");
    let (_, stderr) = expect(&diff("http://127.0.0.1:9", &[pools.path()], &[]), 2);
    assert!(
        stderr.contains("b.tf:1:1: pool \"db\" is declared with limit 2 here and 1 at "),
        "{stderr}"
    );
    let nothing = tempfile::tempdir().expect("temp dir");
    let (_, stderr) = expect(&diff("http://127.0.0.1:9", &[nothing.path()], &[]), 2);
    assert!(stderr.contains("nothing to compare"), "{stderr}");
    let (_, stderr) = expect(
        &diff(
            "http://127.0.0.1:9",
            &[&seed],
            &["--header", "X-Token: line\u{1}break"],
        ),
        2,
    );
    assert!(stderr.contains("\"X-Token\""), "{stderr}");
    assert!(!stderr.contains("break"), "{stderr}");
}
