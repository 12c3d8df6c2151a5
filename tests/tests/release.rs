//! `scripts/release` and its packages, installed the way an air-gapped team installs them: the
//! zip in a packed filesystem mirror named by the CLI configuration, the released checksum pinned
//! in `.terraform.lock.hcl`, then `terraform init` and a plan, on every CLI; and its checksums
//! signed with the caller's GnuPG key, verified as the registry verifies them.

use dagster_e2e::{clis, provider_binary, repo_root, Run, Workspace, PROVIDER_VERSION, SOURCE};
use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");

fn zip_name() -> String {
    format!("terraform-provider-dagster_{PROVIDER_VERSION}_linux_amd64.zip")
}

/// `scripts/release ARGS` on the binary under test, writing into `out`, not run yet.
fn release_command(out: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(repo_root().join("scripts/release"))
        .arg("--binary")
        .arg(provider_binary())
        .arg("--out")
        .arg(out)
        .args(args);
    command
}

/// Runs `scripts/release` on the binary under test, writing into a new directory.
fn release() -> TempDir {
    let out = TempDir::new().expect("temp dir");
    Run::of(&mut release_command(out.path(), &[])).expect_code(0);
    out
}

fn sums_name() -> String {
    format!("terraform-provider-dagster_{PROVIDER_VERSION}_SHA256SUMS")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The zip's SHA-256 as listed in the release's SHA256SUMS.
fn released_checksum(dist: &Path) -> String {
    let sums = read(&dist.join(sums_name()));
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
    // Signed only when asked to.
    let signature = dist.path().join(format!("{}.sig", sums_name()));
    assert!(!signature.exists(), "{} written", signature.display());
}

#[test]
fn release_takes_its_paths_relative_to_where_it_is_run() {
    let cwd = TempDir::new().expect("temp dir");
    std::fs::copy(provider_binary(), cwd.path().join("provider")).expect("copy provider");
    Run::of(
        Command::new("bash")
            .arg(repo_root().join("scripts/release"))
            .args(["--binary", "provider", "--out", "out"])
            .current_dir(cwd.path()),
    )
    .expect_code(0);
    assert_eq!(
        released_checksum(&cwd.path().join("out")),
        released_checksum(release().path())
    );
}

/// A GnuPG home of its own; its agent is stopped when it goes.
struct Gnupg(TempDir);

impl Gnupg {
    fn new() -> Self {
        Gnupg(TempDir::new().expect("temp dir"))
    }

    fn home(&self) -> &Path {
        self.0.path()
    }

    /// `gpg --batch ARGS` in this home, with `input` on standard input.
    fn gpg(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write;
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home())
            .arg("--batch")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg runs (scripts/bootstrap.sh installs it)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write to gpg");
        Run::from_output(child.wait_with_output().expect("gpg ends"))
    }

    /// A new RSA signing key (the registry takes RSA and DSA keys) without a passphrase, by
    /// fingerprint.
    fn new_key(&self) -> String {
        self.gpg(
            &[
                "--passphrase",
                "",
                "--quick-gen-key",
                "Release Test <release-test@example.invalid>",
                "rsa2048",
                "sign",
                "never",
            ],
            b"",
        )
        .expect_code(0);
        let keys = self
            .gpg(&["--with-colons", "--list-secret-keys"], b"")
            .expect_code(0);
        keys.stdout
            .lines()
            .find_map(|line| line.strip_prefix("fpr:::::::::"))
            .and_then(|rest| rest.split(':').next())
            .unwrap_or_else(|| panic!("no fingerprint in\n{}", keys.stdout))
            .to_owned()
    }

    /// `gpg --verify SIGNATURE DATA`, with machine-readable status lines on stdout.
    fn verify(&self, signature: &Path, data: &Path) -> Run {
        let (signature, data) = (signature.display().to_string(), data.display().to_string());
        self.gpg(&["--status-fd", "1", "--verify", &signature, &data], b"")
    }
}

impl Drop for Gnupg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home())
            .args(["--kill", "all"])
            .status();
    }
}

#[test]
fn release_signs_its_checksums_with_the_callers_key_and_a_tampered_file_is_refused() {
    let signer = Gnupg::new();
    let fingerprint = signer.new_key();
    let dist = TempDir::new().expect("temp dir");
    Run::of(
        release_command(dist.path(), &["--gpg-key", &fingerprint]).env("GNUPGHOME", signer.home()),
    )
    .expect_code(0);
    let sums = dist.path().join(sums_name());
    let signature = dist.path().join(format!("{}.sig", sums_name()));
    let bytes = std::fs::read(&signature).expect("signature written");
    // A binary OpenPGP signature packet, not ASCII armour: what the registry reads.
    assert!(
        !bytes.starts_with(b"-----BEGIN") && bytes.first().is_some_and(|tag| tag & 0x80 != 0),
        "not a binary OpenPGP packet: {:?}",
        &bytes[..bytes.len().min(16)]
    );

    // Verified as a user or the registry would: with only the exported public key.
    let public = Command::new("gpg")
        .env("GNUPGHOME", signer.home())
        .args(["--batch", "--export", &fingerprint])
        .output()
        .expect("gpg --export");
    assert!(!public.stdout.is_empty(), "no public key exported");
    let verifier = Gnupg::new();
    verifier.gpg(&["--import"], &public.stdout).expect_code(0);
    let verified = verifier.verify(&signature, &sums).expect_code(0);
    assert!(
        verified
            .stdout
            .contains(&format!("[GNUPG:] VALIDSIG {fingerprint}")),
        "{}",
        verified.stdout
    );

    // One checksum digit changed: the signature no longer holds.
    let original = read(&sums);
    let digit = original.chars().next().expect("a checksum");
    let other = if digit == '0' { '1' } else { '0' };
    let tampered_dir = TempDir::new().expect("temp dir");
    let tampered = tampered_dir.path().join(sums_name());
    std::fs::write(&tampered, format!("{other}{}", &original[1..])).expect("write");
    let refused = verifier.verify(&signature, &tampered);
    assert_ne!(refused.code, 0, "a tampered SHA256SUMS verified");
    assert!(
        refused.stdout.contains("[GNUPG:] BADSIG"),
        "{}\n{}",
        refused.stdout,
        refused.stderr
    );
    // A signature by another key does not pass for this one's.
    let stranger = Gnupg::new();
    let other_key = stranger.new_key();
    let forged = TempDir::new().expect("temp dir");
    Run::of(
        release_command(forged.path(), &["--gpg-key", &other_key])
            .env("GNUPGHOME", stranger.home()),
    )
    .expect_code(0);
    let unknown = verifier.verify(
        &forged.path().join(format!("{}.sig", sums_name())),
        &forged.path().join(sums_name()),
    );
    assert_ne!(unknown.code, 0, "another key's signature verified");
    assert!(
        unknown.stdout.contains("[GNUPG:] NO_PUBKEY"),
        "{}\n{}",
        unknown.stdout,
        unknown.stderr
    );
}

#[test]
fn release_without_the_named_secret_key_stops_before_packaging() {
    let empty = Gnupg::new();
    let dist = TempDir::new().expect("temp dir");
    let refused = Run::of(
        release_command(dist.path(), &["--gpg-key", "0123456789ABCDEF"])
            .env("GNUPGHOME", empty.home()),
    )
    .expect_code(1);
    assert!(
        refused
            .stderr
            .contains("no secret key 0123456789ABCDEF in the GnuPG keyring"),
        "{}",
        refused.stderr
    );
    assert!(
        std::fs::read_dir(dist.path())
            .expect("out dir")
            .next()
            .is_none(),
        "files written before the key was checked"
    );
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
