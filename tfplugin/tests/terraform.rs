//! The toy provider served to real Terraform CLIs (1.0.3 from `TERRAFORM_1_0_3`, and the newer
//! one in `TERRAFORM_PATH_CLI` when set; `scripts/env.sh` exports both): the handshake, AutoMTLS
//! with Terraform's own P-521 client certificate pinned and an Ed25519 server certificate, plan
//! with a default known at plan time, apply, and a second plan with no changes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn clis() -> Vec<PathBuf> {
    let old = std::env::var_os("TERRAFORM_1_0_3")
        .expect("TERRAFORM_1_0_3 is unset: source scripts/env.sh (after scripts/bootstrap.sh)");
    let mut clis = vec![PathBuf::from(old)];
    clis.extend(std::env::var_os("TERRAFORM_PATH_CLI").map(PathBuf::from));
    clis
}

const CONFIG: &str = r#"
terraform {
  required_providers {
    toy = { source = "example.com/test/toy" }
  }
}

resource "toy_thing" "a" {
  name = "a"
}

data "toy_echo" "e" {
  input = toy_thing.a.id
}

output "size" {
  value = toy_thing.a.size
}

output "echo" {
  value = data.toy_echo.e.output
}
"#;

/// A working directory whose CLI configuration points `example.com/test/toy` at the toy binary.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_terraform-provider-toy"),
        plugins.join("terraform-provider-toy"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"example.com/test/toy\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugins.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("main.tf"), CONFIG).unwrap();
    dir
}

fn terraform(cli: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(cli)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_LOG")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn terraform_plans_applies_and_then_sees_no_changes() {
    for cli in clis() {
        let dir = workspace();
        let applied = terraform(&cli, dir.path(), &["apply", "-auto-approve", "-no-color"]);
        assert!(
            applied.status.success(),
            "{}: {}",
            cli.display(),
            text(&applied)
        );
        let outputs = terraform(&cli, dir.path(), &["output", "-json"]);
        let outputs: serde_json::Value = serde_json::from_slice(&outputs.stdout).unwrap();
        assert_eq!(outputs["size"]["value"], 3, "{}", cli.display());
        assert_eq!(outputs["echo"]["value"], "thing-a", "{}", cli.display());
        let again = terraform(
            &cli,
            dir.path(),
            &["plan", "-detailed-exitcode", "-no-color"],
        );
        assert_eq!(
            again.status.code(),
            Some(0),
            "{}: {}",
            cli.display(),
            text(&again)
        );
    }
}

#[test]
fn a_panic_reaches_terraform_as_an_error_diagnostic() {
    for cli in clis() {
        let dir = workspace();
        std::fs::write(
            dir.path().join("main.tf"),
            CONFIG.replace("name = \"a\"", "name = \"a\"\n  boom = true"),
        )
        .unwrap();
        let planned = terraform(&cli, dir.path(), &["plan", "-no-color"]);
        let shown = text(&planned);
        assert_eq!(planned.status.code(), Some(1), "{}: {shown}", cli.display());
        assert!(
            shown.contains("the provider failed in PlanResourceChange"),
            "{}: {shown}",
            cli.display()
        );
    }
}

/// A child process killed when dropped, so a failed assertion leaves no server behind.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn terraform_attaches_to_a_provider_in_debug_mode() {
    use std::io::{BufRead, BufReader};
    let mut debug = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_terraform-provider-toy"))
            .arg("-debug")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(debug.0.stdout.take().unwrap()).lines();
    let reattach = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.trim()
                .strip_prefix("TF_REATTACH_PROVIDERS='")
                .and_then(|rest| rest.strip_suffix('\''))
                .map(str::to_owned)
        })
        .expect("no TF_REATTACH_PROVIDERS line");
    for cli in clis() {
        let dir = workspace();
        // No dev_overrides: Terraform must use the running process, not start one.
        std::fs::write(dir.path().join("cli.tfrc"), "").unwrap();
        let planned = Command::new(&cli)
            .args(["plan", "-no-color"])
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", dir.path().join("cli.tfrc"))
            .env("TF_REATTACH_PROVIDERS", &reattach)
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .output()
            .unwrap();
        assert!(
            planned.status.success(),
            "{}: {}",
            cli.display(),
            text(&planned)
        );
        assert!(
            text(&planned).contains("toy_thing.a will be created"),
            "{}",
            text(&planned)
        );
    }
}
