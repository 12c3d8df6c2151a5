//! Item 4: `dagster-concurrency check` on a large plan JSON and on many Helm values files,
//! against the same policy written as a checkov custom check, on the same files.

use crate::fixtures;
use crate::stats::Samples;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What one tool reported on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Configurations (resources or values files) checked.
    pub checked: u64,
    /// Configurations with at least one error.
    pub failing: u64,
}

/// One input, timed for both tools.
pub struct Throughput {
    /// `plan JSON` or `values files`.
    pub input: String,
    /// Total bytes.
    pub bytes: u64,
    /// Files.
    pub files: u64,
    /// `dagster-concurrency check`.
    pub validator: Samples,
    /// What the validator reported.
    pub validator_verdict: Verdict,
    /// checkov with the custom check, when checkov is available.
    pub checkov: Option<(Samples, Verdict)>,
}

/// Writes `count` Helm values files for the Dagster chart into `dir`; every tenth has a
/// negative tag limit (an error for both tools).
pub fn write_values_files(dir: &Path, count: usize) -> Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = 0;
    for (i, input) in fixtures::inputs(count).iter().enumerate() {
        let mut yaml = format!(
            "dagsterDaemon:\n  runCoordinator:\n    enabled: true\n    type: QueuedRunCoordinator\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: {}\n        tagConcurrencyLimits:\n",
            input.max_concurrent_runs
        );
        for (t, tag) in input.tags.iter().enumerate() {
            let limit = if i % 10 == 9 && t == 1 {
                -1
            } else {
                i64::from(tag.limit)
            };
            yaml.push_str(&format!(
                "          - key: {:?}\n            limit: {limit}\n",
                tag.key
            ));
        }
        let path = dir.join(format!("values-{i:05}.yaml"));
        std::fs::write(&path, &yaml)?;
        bytes += yaml.len() as u64;
    }
    Ok(bytes)
}

/// The run limit of the broken copies of the large plan (below -1: an error, DC101).
const BROKEN_RUN_LIMIT: i64 = -5;

/// Grows a real plan (`terraform show -json` of a few resources) to at least `target_bytes` by
/// copying its `dagster_concurrency` resources under new addresses, in `planned_values` and in
/// `resource_changes` alike, and writes it compact, as Terraform does. Every tenth copy has an
/// invalid run limit, as an edited or hand-made plan could.
pub fn write_large_plan(seed_plan: &Value, target_bytes: usize, path: &Path) -> Result<u64> {
    let resources = seed_plan
        .pointer("/planned_values/root_module/resources")
        .and_then(Value::as_array)
        .context("the seed plan has no planned resources")?;
    let changes = seed_plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .context("the seed plan has no resource changes")?;
    let per_copy = serde_json::to_string(resources)?.len() + serde_json::to_string(changes)?.len();
    let copies = target_bytes.div_ceil(per_copy.max(1));
    let rename = |item: &Value, copy: usize| -> Value {
        let mut item = item.clone();
        let index = item.get("index").and_then(Value::as_str).unwrap_or("r");
        let new_index = format!("{index}_{copy}");
        let address = format!("dagster_concurrency.c[{new_index:?}]");
        item["index"] = Value::String(new_index);
        item["address"] = Value::String(address);
        item
    };
    let mut grown_resources = Vec::with_capacity(resources.len() * copies);
    let mut grown_changes = Vec::with_capacity(changes.len() * copies);
    for copy in 0..copies {
        // Every tenth copy carries an error both tools must find: a run limit below -1.
        let broken = copy % 10 == 9;
        grown_resources.extend(resources.iter().map(|r| {
            let mut r = rename(r, copy);
            if broken {
                r["values"]["max_concurrent_runs"] = Value::from(BROKEN_RUN_LIMIT);
            }
            r
        }));
        grown_changes.extend(changes.iter().map(|c| {
            let mut c = rename(c, copy);
            if broken {
                c["change"]["after"]["max_concurrent_runs"] = Value::from(BROKEN_RUN_LIMIT);
            }
            c
        }));
    }
    let mut plan = seed_plan.clone();
    plan["planned_values"]["root_module"]["resources"] = Value::Array(grown_resources);
    plan["resource_changes"] = Value::Array(grown_changes);
    let text = serde_json::to_string(&plan)?;
    std::fs::write(path, &text)?;
    Ok(text.len() as u64)
}

/// Runs `command`, returning its wall time and stdout; exit codes 0 and 1 (findings) are success.
fn timed(command: &mut Command, timeout: Duration) -> Result<(Duration, String)> {
    let start = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    let elapsed = start.elapsed();
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "{command:?} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if elapsed > timeout {
        bail!("{command:?} took {elapsed:?}, past the {timeout:?} budget");
    }
    Ok((
        elapsed,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// One timed run of the validator.
#[derive(Debug, Clone, Copy)]
pub struct ValidatorRun {
    /// Wall time.
    pub wall: Duration,
    /// CPU time of the process, user and system (GNU time's `%U` and `%S`, 10 ms resolution):
    /// what it costs apart from waiting for a core on a busy machine.
    pub cpu: Duration,
    /// What it reported.
    pub verdict: Verdict,
}

/// `dagster-concurrency check --format json PATH` on every core.
pub fn run_validator(binary: &Path, path: &Path, timeout: Duration) -> Result<ValidatorRun> {
    run_validator_on(binary, path, None, timeout)
}

/// `dagster-concurrency check --format json PATH` on `threads` threads (rayon's
/// `RAYON_NUM_THREADS`), or on every core when `None`, under GNU time for its CPU time.
pub fn run_validator_on(
    binary: &Path,
    path: &Path,
    threads: Option<usize>,
    timeout: Duration,
) -> Result<ValidatorRun> {
    let times = tempfile::NamedTempFile::new()?;
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%U %S", "-o"])
        .arg(times.path())
        .arg(binary)
        .args(["check", "--format", "json"])
        .arg(path);
    match threads {
        Some(threads) => command.env("RAYON_NUM_THREADS", threads.to_string()),
        None => command.env_remove("RAYON_NUM_THREADS"),
    };
    let (wall, stdout) = timed(&mut command, timeout)?;
    let cpu = cpu_time(&std::fs::read_to_string(times.path())?)?;
    let report: Value = serde_json::from_str(&stdout).context("validator JSON report")?;
    let files = report["files"].as_array().cloned().unwrap_or_default();
    let failing = files
        .iter()
        .map(|file| {
            let errors = file["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["severity"] == "error");
            // Count failing configurations: distinct targets with an error.
            let mut targets: Vec<String> = errors.map(|d| d["target"].to_string()).collect();
            targets.sort();
            targets.dedup();
            targets.len() as u64
        })
        .sum();
    let verdict = Verdict {
        checked: report["totals"]["configurations"]
            .as_u64()
            .unwrap_or_default(),
        failing,
    };
    Ok(ValidatorRun { wall, cpu, verdict })
}

/// User plus system seconds from GNU time's `-f "%U %S"` output (its last line: a line saying
/// the command exited with a non-zero status may come first).
fn cpu_time(output: &str) -> Result<Duration> {
    let line = output.lines().last().unwrap_or_default();
    let seconds: Vec<f64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("GNU time output {line:?}"))?;
    match seconds[..] {
        [user, system] => Ok(Duration::from_secs_f64(user + system)),
        _ => bail!("GNU time output {line:?} is not user and system seconds"),
    }
}

/// The checkov side: a checkov executable and the directory of the custom check.
pub struct Checkov {
    /// `checkov` in its own venv.
    pub executable: PathBuf,
    /// `bench/fixtures/checkov`.
    pub checks_dir: PathBuf,
}

impl Checkov {
    /// checkov's framework and the custom check's id for each input kind.
    fn framework_and_check(plan: bool) -> [&'static str; 2] {
        if plan {
            ["terraform_plan", "CKV_DAGSTER_1"]
        } else {
            ["yaml", "CKV_DAGSTER_2"]
        }
    }

    /// Runs only the custom check over `path` (a file or a directory); time and verdict.
    pub fn run(&self, path: &Path, plan: bool, timeout: Duration) -> Result<(Duration, Verdict)> {
        let mut command = Command::new(&self.executable);
        command
            .arg(if path.is_dir() { "-d" } else { "-f" })
            .arg(path);
        let [framework, check] = Checkov::framework_and_check(plan);
        command
            .args(["--framework", framework, "--check", check])
            .arg("--external-checks-dir")
            .arg(&self.checks_dir)
            .args(["-o", "json", "--quiet", "--compact"])
            .args(["--skip-download", "--no-fail-on-crash"])
            .env("BC_SKIP_MAPPING", "TRUE")
            .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false");
        let (elapsed, stdout) = timed(&mut command, timeout)?;
        Ok((elapsed, checkov_verdict(&stdout)?))
    }
}

/// Passed and failed counts of checkov's JSON output (one report, or a list of them).
fn checkov_verdict(stdout: &str) -> Result<Verdict> {
    let report: Value = serde_json::from_str(stdout.trim()).with_context(|| {
        format!(
            "checkov JSON output: {}",
            stdout.chars().take(300).collect::<String>()
        )
    })?;
    let reports = match report {
        Value::Array(reports) => reports,
        single => vec![single],
    };
    let (mut passed, mut failed) = (0, 0);
    for report in &reports {
        passed += report["summary"]["passed"].as_u64().unwrap_or_default();
        failed += report["summary"]["failed"].as_u64().unwrap_or_default();
    }
    Ok(Verdict {
        checked: passed + failed,
        failing: failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cpu_time_is_user_plus_system() {
        let output = "Command exited with non-zero status 1\n0.25 0.05\n";
        assert_eq!(cpu_time(output).unwrap(), Duration::from_millis(300));
        assert!(cpu_time("0.25\n").is_err());
        assert!(cpu_time("").is_err());
    }

    #[test]
    fn values_files_have_one_error_in_ten() {
        let dir = tempfile::TempDir::new().unwrap();
        write_values_files(dir.path(), 20).unwrap();
        let broken = std::fs::read_to_string(dir.path().join("values-00009.yaml")).unwrap();
        assert!(broken.contains("limit: -1"));
        let clean = std::fs::read_to_string(dir.path().join("values-00008.yaml")).unwrap();
        assert!(!clean.contains("limit: -"));
    }

    #[test]
    fn large_plan_copies_resources_under_new_addresses() {
        let seed = json!({
            "planned_values": {"root_module": {"resources": [
                {"address": "dagster_concurrency.c[\"c0\"]", "index": "c0", "type": "dagster_concurrency", "values": {"max_concurrent_runs": 5}}
            ]}},
            "resource_changes": [
                {"address": "dagster_concurrency.c[\"c0\"]", "index": "c0", "change": {"after_unknown": {}}}
            ]
        });
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("plan.json");
        let bytes = write_large_plan(&seed, 4000, &path).unwrap();
        assert!(bytes >= 2000);
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let resources = plan["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap();
        assert!(resources.len() > 1);
        assert_eq!(resources[1]["address"], "dagster_concurrency.c[\"c0_1\"]");
        assert_eq!(
            plan["resource_changes"][1]["address"],
            "dagster_concurrency.c[\"c0_1\"]"
        );
        assert_eq!(resources[8]["values"]["max_concurrent_runs"], 5);
        assert_eq!(
            resources[9]["values"]["max_concurrent_runs"],
            BROKEN_RUN_LIMIT
        );
    }

    #[test]
    fn checkov_verdict_sums_every_report() {
        let one = r#"{"summary": {"passed": 9, "failed": 1}}"#;
        assert_eq!(
            checkov_verdict(one).unwrap(),
            Verdict {
                checked: 10,
                failing: 1
            }
        );
        let many =
            r#"[{"summary": {"passed": 2, "failed": 0}}, {"summary": {"passed": 1, "failed": 3}}]"#;
        assert_eq!(
            checkov_verdict(many).unwrap(),
            Verdict {
                checked: 6,
                failing: 3
            }
        );
    }
}
