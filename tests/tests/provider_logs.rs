//! Provider logging: stdout carries only the plugin handshake, and the provider's log lines reach
//! Terraform's log through stderr when `TF_LOG_PROVIDER=debug`.
//!
//! One test in this binary on purpose: it sets `TF_LOG_PROVIDER` for the Terraform processes the
//! harness starts (they inherit the test process environment), which must not leak into other
//! tests running in parallel.

use dagster_e2e::{clis, provider_binary, Workspace};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);
const SERVING: &str = "terraform-provider-dagster serving plugin protocol 6";

/// Starts the provider as Terraform does, with `TF_LOG_PROVIDER=debug` and `log_file` as
/// `PLUGIN_LOG_FILE` when given, and stops it once it printed the handshake; returns its stdout
/// and stderr. (Both the provider's first log line and tf-provider's own subscriber come before
/// the handshake, so a panic there leaves stdout empty.)
fn serve_once(log_file: Option<&Path>) -> (String, String) {
    let mut command = Command::new(provider_binary());
    command
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("TF_LOG_PROVIDER", "debug")
        .env_remove("PLUGIN_LOG_FILE");
    if let Some(path) = log_file {
        command.env("PLUGIN_LOG_FILE", path);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("provider starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut handshake = String::new();
    stdout.read_line(&mut handshake).expect("read handshake");
    child.kill().expect("stop the provider");
    child.wait().expect("provider exits");
    let mut out = handshake;
    stdout.read_to_string(&mut out).expect("rest of stdout");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    (out, err)
}

/// `stdout` is exactly one go-plugin handshake line: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
fn assert_handshake_only(stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout must hold the handshake only: {stdout:?}"
    );
    let fields: Vec<&str> = lines[0].split('|').collect();
    assert_eq!(fields.len(), 6, "{stdout:?}");
    assert_eq!(&fields[..3], ["1", "6", "tcp"], "{stdout:?}");
    assert!(fields[3].starts_with("127.0.0.1:"), "{stdout:?}");
    assert_eq!(fields[4], "grpc", "{stdout:?}");
}

#[test]
fn stdout_is_only_the_handshake_and_debug_logs_reach_terraform() {
    let (stdout, stderr) = serve_once(None);
    assert_handshake_only(&stdout);
    // hclog JSON lines, so Terraform files each under its own level.
    let serving = stderr
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap_or_default())
        .find(|line| line["@message"] == SERVING)
        .unwrap_or_else(|| panic!("no hclog line {SERVING:?} in {stderr:?}"));
    assert_eq!(serving["@level"], "debug", "{serving}");
    assert_eq!(serving["version"], env!("CARGO_PKG_VERSION"), "{serving}");

    // With PLUGIN_LOG_FILE, tf-provider installs a global subscriber of its own (logging to that
    // file): the provider must leave it the place instead of making it panic on a second one.
    let dir = tempfile::TempDir::new().expect("temp dir");
    let log_file = dir.path().join("plugin.log");
    let (stdout, stderr) = serve_once(Some(&log_file));
    assert_handshake_only(&stdout);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        log_file.is_file(),
        "tf-provider did not open PLUGIN_LOG_FILE"
    );

    // Terraform starts the provider with this process's environment (see the module docs).
    std::env::set_var("TF_LOG_PROVIDER", "debug");
    for tf in clis() {
        let ws = Workspace::new(tf, SEED);
        ws.init();
        let plan = ws.run(&["plan", "-no-color"]).expect_code(0);
        let provider_lines: Vec<&str> = plan
            .stderr
            .lines()
            .filter(|line| line.contains("[DEBUG] provider.terraform-provider-dagster"))
            .collect();
        assert!(
            provider_lines.iter().any(|line| line.contains(SERVING)),
            "terraform {}: no provider log line in\n{}",
            tf.version,
            plan.stderr
        );
        assert!(
            provider_lines
                .iter()
                .any(|line| line.contains("GetProviderSchema")),
            "terraform {}: RPCs are not logged:\n{}",
            tf.version,
            provider_lines.join("\n")
        );
    }
}
