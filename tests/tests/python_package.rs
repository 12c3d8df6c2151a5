//! `dagster-concurrency` where Python teams install it: the wheel `scripts/wheel` builds, installed
//! offline from its file into a fresh venv and through `pipx run`, and the pre-commit hook of
//! `.pre-commit-hooks.yaml`, installed by the real pre-commit (`try-repo`) from this repository
//! and run on the staged files of a throwaway git repository.

use dagster_e2e::{repo_root, Run, PROVIDER_VERSION};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use tempfile::TempDir;

/// A Dagster release whose set entries Helm installs and Dagster accepts.
const CLEAN_TF: &str = r#"resource "helm_release" "dagster" {
  chart   = "dagster"
  version = "1.12.14"

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "5"
  }
}
"#;

/// Values with a backfill limit of 3 under 5 runs.
const CLEAN_VALUES: &str = "dagsterDaemon:
  runCoordinator:
    enabled: true
    type: QueuedRunCoordinator
    config:
      queuedRunCoordinator:
        maxConcurrentRuns: 5
        tagConcurrencyLimits:
          - key: dagster/backfill
            limit: 3
";

/// `terraform show -json` of a plan whose release sets `maxConcurrentRuns` to `{runs}`.
fn plan_json(runs: i64) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": [{
            "address": "helm_release.dagster",
            "mode": "managed",
            "type": "helm_release",
            "name": "dagster",
            "values": {
                "chart": "dagster",
                "version": "1.12.14",
                "set": [{
                    "name": "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns",
                    "type": "",
                    "value": runs.to_string()
                }]
            }
        }]}}
    }))
    .expect("plan JSON")
}

/// The clean configuration made bad: -5 runs (DC101 at the `set` block, line 5).
fn bad_tf() -> String {
    CLEAN_TF.replace("value = \"5\"", "value = \"-5\"")
}

/// The clean values made bad: a negative tag limit (DC202 on line 10).
fn bad_values() -> String {
    CLEAN_VALUES.replace("limit: 3", "limit: -1")
}

/// A program of the packaging venv (maturin, pre-commit, pipx; made by scripts/bootstrap.sh).
fn packaging_tool(name: &str) -> PathBuf {
    let path = repo_root().join(".tools/packaging/bin").join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/bootstrap.sh (or scripts/test)",
        path.display()
    );
    path
}

/// The wheel built by `scripts/wheel`, once per test process, run from another directory with
/// `--out` relative to it.
fn wheel() -> &'static Path {
    static WHEEL: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = WHEEL.get_or_init(|| {
        let cwd = TempDir::new().expect("temp dir");
        let built = Run::of(
            Command::new("bash")
                .arg(repo_root().join("scripts/wheel"))
                .args(["--out", "wheels"])
                .current_dir(cwd.path()),
        )
        .expect_code(0);
        let path = PathBuf::from(built.stdout.lines().last().unwrap_or_default());
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        assert!(
            name.starts_with(&format!("dagster_concurrency-{PROVIDER_VERSION}-py3-none-"))
                && name.ends_with("_x86_64.whl")
                && path == cwd.path().join("wheels").join(name)
                && path.is_file(),
            "scripts/wheel printed {}\nstderr:\n{}",
            path.display(),
            built.stderr
        );
        (cwd, path)
    });
    path
}

/// A directory holding `files` (name, text), for `check`.
fn files(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write file");
    }
    dir
}

#[test]
fn wheel_installs_offline_into_a_fresh_venv_and_runs_with_the_documented_exit_codes() {
    let venv = TempDir::new().expect("temp dir");
    Run::of(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv.path()),
    )
    .expect_code(0);
    let cli = venv.path().join("bin/dagster-concurrency");
    assert!(!cli.exists(), "a fresh venv already has {}", cli.display());
    let python = venv.path().join("bin/python");
    Run::of(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--no-index",
                "--disable-pip-version-check",
            ])
            .arg(wheel()),
    )
    .expect_code(0);
    let shown = Run::of(Command::new(&python).args(["-m", "pip", "show", "dagster-concurrency"]))
        .expect_code(0);
    assert!(
        shown
            .stdout
            .contains(&format!("Version: {PROVIDER_VERSION}\n")),
        "{}",
        shown.stdout
    );
    let version = Run::of(Command::new(&cli).arg("--version")).expect_code(0);
    assert_eq!(
        version.stdout.trim(),
        format!("dagster-concurrency {PROVIDER_VERSION}")
    );

    let clean = files(&[
        ("main.tf", CLEAN_TF),
        ("values/prod.yaml", CLEAN_VALUES),
        ("plan.json", &plan_json(5)),
    ]);
    let passed = Run::of(Command::new(&cli).arg("check").arg(clean.path())).expect_code(0);
    assert!(
        passed.stdout.contains("3 configuration(s): 0 error(s)"),
        "{}",
        passed.stdout
    );

    let bad = files(&[("bad.tf", &bad_tf())]);
    let failed = Run::of(
        Command::new(&cli)
            .arg("check")
            .arg("bad.tf")
            .current_dir(bad.path()),
    )
    .expect_code(1);
    assert!(
        failed.stdout.contains("bad.tf:5:3: error[DC101]"),
        "{}",
        failed.stdout
    );
    let unreadable = Run::of(Command::new(&cli).args(["check", "no-such-file.tf"])).expect_code(2);
    assert!(
        unreadable.stdout.contains("no-such-file.tf: error"),
        "{}",
        unreadable.stdout
    );
    Run::of(Command::new(&cli).arg("check")).expect_code(2);

    let rules = Run::of(Command::new(&cli).args(["rules", "--format", "json"])).expect_code(0);
    let codes = rules.json();
    assert!(
        codes.to_string().contains("\"DC101\""),
        "no DC101 in {codes}"
    );
    let explained = Run::of(Command::new(&cli).args(["explain", "DC101"])).expect_code(0);
    assert!(
        explained.stdout.starts_with("# DC101 runs-below-minus-one"),
        "{}",
        explained.stdout
    );
    let unknown = Run::of(Command::new(&cli).args(["explain", "DC999"])).expect_code(2);
    assert!(unknown.stderr.contains("DC999"), "{}", unknown.stderr);
}

#[test]
fn pipx_runs_the_wheel_from_its_file_and_passes_the_exit_code_on() {
    let home = TempDir::new().expect("temp dir");
    let bad = files(&[("bad.tf", &bad_tf())]);
    let pipx = |pip_args: &str, args: &[&str]| {
        Run::of(
            Command::new(packaging_tool("pipx"))
                .env("PIPX_HOME", home.path())
                .arg("run")
                .arg(format!("--pip-args={pip_args}"))
                .arg("--spec")
                .arg(wheel())
                .arg("dagster-concurrency")
                .args(args)
                .current_dir(bad.path()),
        )
    };
    // The first run of a new PIPX_HOME fetches pipx's own pip from the index (its shared libraries).
    let explained = pipx("--disable-pip-version-check", &["explain", "DC101"]).expect_code(0);
    assert!(
        explained.stdout.starts_with("# DC101"),
        "{}",
        explained.stdout
    );
    // Another pip-args is another cached venv: the wheel installs from its file with no index.
    let failed = pipx("--no-index", &["check", "bad.tf"]).expect_code(1);
    assert!(
        failed.stdout.contains("bad.tf:5:3: error[DC101]"),
        "{}",
        failed.stdout
    );
    assert!(
        failed.stderr.contains("installing dagster-concurrency"),
        "pipx reused a venv: {}",
        failed.stderr
    );
}

/// A throwaway git repository for pre-commit.
struct GitRepo(TempDir);

impl GitRepo {
    fn new() -> Self {
        let repo = GitRepo(TempDir::new().expect("temp dir"));
        repo.git(&["init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        Run::of(Command::new("git").args(args).current_dir(self.0.path())).expect_code(0);
    }

    /// Writes `name` and stages it.
    fn stage(&self, name: &str, text: &str) {
        self.write(name, text);
        self.git(&["add", name]);
    }

    /// Writes `name` without staging it.
    fn write(&self, name: &str, text: &str) {
        let path = self.0.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write file");
    }

    /// `pre-commit ARGS` here, with its own home, not run yet.
    fn pre_commit(&self, home: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(packaging_tool("pre-commit"));
        command
            .args(args)
            .env("PRE_COMMIT_HOME", home)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .current_dir(self.0.path());
        command
    }

    /// `pre-commit try-repo <this repository> dagster-concurrency` on the staged files.
    fn try_hook(&self, home: &Path) -> Run {
        let root = repo_root();
        let root = root.to_str().expect("a UTF-8 repository path");
        Run::of(
            self.pre_commit(home, &["try-repo", root, "dagster-concurrency"])
                // The hook builds the wheel with cargo: reuse the workspace's compiled dependencies.
                .env("CARGO_TARGET_DIR", repo_root().join("target")),
        )
    }
}

#[test]
fn pre_commit_installs_the_hook_itself_and_blocks_bad_staged_files() {
    // The hook's build shares the workspace's target directory: let scripts/wheel finish first, so
    // that it has compiled the dependencies and packaged its binary before this build writes its
    // own in the same place.
    wheel();
    let pre_commit_home = TempDir::new().expect("temp dir");
    let repo = GitRepo::new();
    repo.stage("infra/main.tf", CLEAN_TF);
    repo.stage("helm/values.yaml", CLEAN_VALUES);
    repo.stage("plan.json", &plan_json(5));
    repo.stage("web/package.json", r#"{"name": "web", "version": "1.0.0"}"#);
    // Not staged, so not the hook's business.
    repo.write("scratch/bad.tf", &bad_tf());
    let passed = repo.try_hook(pre_commit_home.path());
    assert_eq!(
        passed.code, 0,
        "a clean configuration failed\nstdout:\n{}\nstderr:\n{}",
        passed.stdout, passed.stderr
    );
    assert!(
        passed.stdout.contains("dagster-concurrency")
            && passed.stdout.contains("Passed")
            && passed.stdout.contains("Installing environment"),
        "{}",
        passed.stdout
    );

    repo.stage("infra/main.tf", &bad_tf());
    repo.stage("helm/values.yaml", &bad_values());
    repo.stage("plan.json", &plan_json(-5));
    let failed = repo.try_hook(pre_commit_home.path());
    assert_eq!(
        failed.code, 1,
        "a bad configuration passed\nstdout:\n{}\nstderr:\n{}",
        failed.stdout, failed.stderr
    );
    for finding in [
        "infra/main.tf:5:3: error[DC101]",
        "helm/values.yaml:10:20: error[DC202]",
        "plan.json:8:22: error[DC101]",
    ] {
        assert!(
            failed.stdout.contains(finding),
            "no {finding} in\n{}",
            failed.stdout
        );
    }
    assert!(
        !failed.stdout.contains("scratch/bad.tf"),
        "an unstaged file was checked:\n{}",
        failed.stdout
    );
}

/// The `local` hook of docs/ci.md, which installs the published wheel instead of building it.
fn local_hook_config() -> String {
    format!(
        r#"repos:
  - repo: local
    hooks:
      - id: dagster-concurrency
        name: dagster-concurrency
        entry: dagster-concurrency check
        language: python
        additional_dependencies: [dagster-concurrency=={PROVIDER_VERSION}]
        files: \.(tf|ya?ml|json)$
        require_serial: true
"#
    )
}

#[test]
fn pre_commit_local_hook_installs_the_wheel_without_building() {
    let home = TempDir::new().expect("temp dir");
    let repo = GitRepo::new();
    repo.stage(".pre-commit-config.yaml", &local_hook_config());
    repo.stage("main.tf", &bad_tf());
    repo.stage("values.yaml", CLEAN_VALUES);
    // The wheel's folder stands in for the package index (pre-commit still takes setuptools for
    // its placeholder package from the index).
    let wheels = wheel().parent().expect("the wheel's folder");
    let failed = Run::of(
        repo.pre_commit(home.path(), &["run"])
            .env("PIP_FIND_LINKS", wheels),
    )
    .expect_code(1);
    assert!(
        failed.stdout.contains("main.tf:5:3: error[DC101]")
            && failed.stdout.contains("2 configuration(s): 1 error(s)"),
        "{}",
        failed.stdout
    );
}
