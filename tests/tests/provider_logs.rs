//! Provider logging: stdout carries only the plugin handshake, and the provider's log lines reach
//! Terraform's log through stderr when `TF_LOG_PROVIDER=debug`.
//!
//! One test in this binary on purpose: it sets `TF_LOG_PROVIDER` for the Terraform processes the
//! harness starts (they inherit the test process environment), which must not leak into other
//! tests running in parallel.

use dagster_e2e::{clis, provider_binary, Workspace};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);
const SERVING: &str = "terraform-provider-dagster serving plugin protocol 6";

/// Starts the provider as Terraform does; returns its stdout and stderr once it logged that it
/// serves, after stopping it.
fn serve_once() -> (String, String) {
    let mut child = Command::new(provider_binary())
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("TF_LOG_PROVIDER", "debug")
        .env_remove("PLUGIN_LOG_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("provider starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut handshake = String::new();
    stdout.read_line(&mut handshake).expect("read handshake");
    let mut first_log = String::new();
    stderr.read_line(&mut first_log).expect("read log");
    child.kill().expect("stop the provider");
    child.wait().expect("provider exits");
    let mut out = handshake;
    stdout.read_to_string(&mut out).expect("rest of stdout");
    let mut err = first_log;
    stderr.read_to_string(&mut err).expect("rest of stderr");
    (out, err)
}

#[test]
fn stdout_is_only_the_handshake_and_debug_logs_reach_terraform() {
    let (stdout, stderr) = serve_once();
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
    assert!(stderr.contains(SERVING), "{stderr:?}");

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
