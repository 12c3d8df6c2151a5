//! `scripts/release` and its packages, installed the way an air-gapped team installs them: the
//! zip in a packed filesystem mirror named by the CLI configuration, the released checksum pinned
//! in `.terraform.lock.hcl`, then `terraform init` and a plan, on every CLI.

use dagster_e2e::{clis, provider_binary, repo_root, Workspace, PROVIDER_VERSION, SOURCE};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");

fn zip_name() -> String {
    format!("terraform-provider-dagster_{PROVIDER_VERSION}_linux_amd64.zip")
}

/// Runs `scripts/release` on the binary under test, writing into a new directory.
fn release() -> TempDir {
    let out = TempDir::new().expect("temp dir");
    let run = Command::new("bash")
        .arg(repo_root().join("scripts/release"))
        .arg("--binary")
        .arg(provider_binary())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("scripts/release runs");
    assert!(
        run.status.success(),
        "scripts/release failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The zip's SHA-256 as listed in the release's SHA256SUMS.
fn released_checksum(dist: &Path) -> String {
    let sums = read(&dist.join(format!(
        "terraform-provider-dagster_{PROVIDER_VERSION}_SHA256SUMS"
    )));
    sums.lines()
        .find_map(|line| line.strip_suffix(&format!("  {}", zip_name())))
        .unwrap_or_else(|| panic!("no line for {} in SHA256SUMS:\n{sums}", zip_name()))
        .to_owned()
}

#[test]
fn release_writes_the_registry_files_named_by_the_cargo_version() {
    let dist = release();
    let manifest = read(&dist.path().join("terraform-registry-manifest.json"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&manifest).expect("manifest is JSON"),
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    let zip = std::fs::read(dist.path().join(zip_name())).expect("zip written");
    assert!(zip.starts_with(b"PK\x03\x04"), "not a zip archive");
    let entry = format!("terraform-provider-dagster_v{PROVIDER_VERSION}");
    assert!(
        zip.windows(entry.len()).any(|w| w == entry.as_bytes()),
        "the zip holds no {entry}"
    );
    let checksum = released_checksum(dist.path());
    assert_eq!(checksum.len(), 64, "{checksum}");
    assert!(checksum.bytes().all(|b| b.is_ascii_hexdigit()));
    // Reproducible: packaging the same binary again gives the same checksum.
    assert_eq!(released_checksum(release().path()), checksum);
}

/// A working directory using only the packed mirror at `mirror`, with `zh` pinned in its lock file.
fn pinned_workspace(tf: &dagster_e2e::Terraform, mirror: &Path, zh: &str) -> Workspace {
    let ws = Workspace::new(tf, SEED);
    ws.write(
        "cli.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    );
    ws.write(
        ".terraform.lock.hcl",
        &format!(
            "provider \"registry.terraform.io/{SOURCE}\" {{\n  version = \"{PROVIDER_VERSION}\"\n  hashes = [\n    \"zh:{zh}\",\n  ]\n}}\n"
        ),
    );
    ws
}

#[test]
fn released_zip_installs_from_a_packed_mirror_with_its_checksum_locked_on_every_cli() {
    let dist = release();
    let zh = released_checksum(dist.path());
    let mirror = TempDir::new().expect("temp dir");
    let folder = mirror
        .path()
        .join(format!("registry.terraform.io/{SOURCE}"));
    std::fs::create_dir_all(&folder).expect("mirror folders");
    std::fs::copy(dist.path().join(zip_name()), folder.join(zip_name())).expect("copy zip");
    for tf in clis() {
        let ws = pinned_workspace(tf, mirror.path(), &zh);
        ws.run(&["init", "-no-color"]).expect_code(0);
        let lock = read(&ws.path().join(".terraform.lock.hcl"));
        assert!(
            lock.contains(&format!("\"zh:{zh}\"")),
            "terraform {}: {lock}",
            tf.version
        );
        assert!(lock.contains("\"h1:"), "terraform {}: {lock}", tf.version);
        let installed = ws.path().join(format!(
            ".terraform/providers/registry.terraform.io/{SOURCE}/{PROVIDER_VERSION}/linux_amd64/terraform-provider-dagster_v{PROVIDER_VERSION}"
        ));
        assert!(installed.is_file(), "{} missing", installed.display());
        ws.run(&["plan", "-no-color"]).expect_code(0);

        // Negative control: a lock pinning another checksum refuses the same zip.
        let other = "0".repeat(64);
        let tampered = pinned_workspace(tf, mirror.path(), &other);
        let refused = tampered.run(&["init", "-no-color"]);
        assert_ne!(
            refused.code, 0,
            "terraform {} accepted a wrong checksum",
            tf.version
        );
        // Terraform wraps its messages at 78 columns.
        let message = refused
            .stderr
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            message.contains("doesn't match any of the checksums previously recorded"),
            "terraform {}: {}",
            tf.version,
            refused.stderr
        );
    }
}
