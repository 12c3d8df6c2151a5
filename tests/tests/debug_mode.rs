//! `terraform-provider-dagster -debug`: serves without Terraform, prints the
//! `TF_REATTACH_PROVIDERS` value, and every CLI plans through that one process.

use dagster_e2e::{clis, provider_binary, Run, Workspace};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");

/// The debug server, killed when dropped so a failed assertion leaves none behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn terraform_plans_through_the_provider_served_in_debug_mode() {
    let mut debug = KillOnDrop(
        Command::new(provider_binary())
            .arg("-debug")
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the provider starts"),
    );
    let stdout = debug.0.stdout.take().expect("stdout");
    let reattach = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.trim()
                .strip_prefix("TF_REATTACH_PROVIDERS='")
                .and_then(|rest| rest.strip_suffix('\''))
                .map(str::to_owned)
        })
        .expect("no TF_REATTACH_PROVIDERS line");
    let value: serde_json::Value = serde_json::from_str(&reattach).expect("json");
    assert_eq!(
        value["registry.terraform.io/dagster-oss/dagster"]["Pid"],
        debug.0.id(),
        "{reattach}"
    );
    for tf in clis() {
        let ws = Workspace::new(tf, SEED);
        // No `terraform init`: nothing is installed, so only the running process can serve.
        let plan = Run::of(
            ws.command(&["plan", "-no-color"])
                .env("TF_REATTACH_PROVIDERS", &reattach),
        )
        .expect_code(0);
        assert!(
            plan.stdout
                .contains("dagster_concurrency.seed will be created"),
            "terraform {}: {}",
            tf.version,
            plan.stdout
        );
    }
    // Terraform leaves a provider it attached to running.
    assert!(debug.0.try_wait().expect("status").is_none());
}
