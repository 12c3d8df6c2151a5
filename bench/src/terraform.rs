//! Items 1, 3 and 5: whole Terraform commands with the provider against the same rendering in
//! pure HCL, interleaved run by run, and the provider's peak memory during them.

use crate::breakdown::{self, Instance};
use crate::fixtures::{self, Input};
use crate::stats::Samples;
use anyhow::{bail, Result};
use dagster_e2e::{Terraform, Workspace, PROVIDER_VERSION, SOURCE};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// GNU time, which records the peak RSS of the process it runs.
const GNU_TIME: &str = "/usr/bin/time";

/// A filesystem mirror holding the provider, optionally wrapped to record its peak RSS.
pub struct Mirror {
    dir: TempDir,
    rss_log: Option<PathBuf>,
}

impl Mirror {
    fn new(binary: &Path, record_rss: bool) -> Result<Self> {
        let dir = TempDir::new()?;
        let target = dir.path().join(format!(
            "registry.terraform.io/{SOURCE}/{PROVIDER_VERSION}/linux_amd64"
        ));
        std::fs::create_dir_all(&target)?;
        let installed = target.join(format!("terraform-provider-dagster_v{PROVIDER_VERSION}"));
        let rss_log = if record_rss {
            // A shell script in place of the binary: GNU time runs the real provider as its
            // child (stdout, the handshake, passes through) and appends its peak RSS in KiB
            // when it exits. It costs a fork and an exec, so only the memory runs use it.
            let log = dir.path().join("rss.log");
            let script = format!(
                "#!/bin/sh\nexec {GNU_TIME} -a -o '{}' -f %M '{}' \"$@\"\n",
                log.display(),
                binary.display()
            );
            std::fs::write(&installed, script)?;
            std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755))?;
            Some(log)
        } else {
            std::fs::copy(binary, &installed)?;
            None
        };
        Ok(Mirror { dir, rss_log })
    }

    /// Peak RSS in KiB of each provider process started so far, and empties the record.
    fn take_rss_kib(&self) -> Result<Vec<u64>> {
        let Some(log) = &self.rss_log else {
            return Ok(vec![]);
        };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        std::fs::write(log, "")?;
        // GNU time adds a line of its own before the figure when the child did not exit 0.
        Ok(text
            .lines()
            .filter_map(|line| line.trim().parse::<u64>().ok())
            .collect())
    }
}

/// A configuration ready to run: a Terraform working directory after `terraform init`.
struct Prepared {
    workspace: Workspace,
}

impl Prepared {
    fn new(terraform: &Terraform, main_tf: &str, mirror: &Mirror) -> Result<Self> {
        let workspace = Workspace::new(terraform, main_tf);
        let prepared = Prepared { workspace };
        let plugin_dir = format!("-plugin-dir={}", mirror.dir.path().display());
        prepared.run(&["init", "-no-color", &plugin_dir])?;
        Ok(prepared)
    }

    fn run(&self, args: &[&str]) -> Result<Duration> {
        let start = Instant::now();
        let run = self.workspace.run(args);
        let elapsed = start.elapsed();
        if run.code != 0 {
            bail!(
                "terraform {} failed in {}:\n{}{}",
                args.join(" "),
                self.workspace.path().display(),
                run.stdout,
                run.stderr
            );
        }
        Ok(elapsed)
    }

    fn plan(&self) -> Result<Duration> {
        self.run(&["plan", "-no-color", "-lock=false"])
    }

    /// Applies from an empty state, so that every apply creates everything.
    fn apply(&self) -> Result<Duration> {
        for state in ["terraform.tfstate", "terraform.tfstate.backup"] {
            let path = self.workspace.path().join(state);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
        self.run(&["apply", "-auto-approve", "-no-color", "-lock=false"])
    }

    fn outputs(&self) -> serde_json::Value {
        self.workspace.outputs()
    }
}

/// Subject against baseline for one command, one CLI, one size.
pub struct Pair {
    /// `plan` or `apply`.
    pub command: &'static str,
    /// Terraform version.
    pub cli: String,
    /// Number of resources (1 for the seed example).
    pub resources: usize,
    /// With the provider.
    pub provider: Samples,
    /// Pure HCL.
    pub hcl: Samples,
}

/// Times `command` on both configurations `rounds` times, alternating which goes first.
fn interleave(
    rounds: usize,
    subject: &Prepared,
    baseline: &Prepared,
    command: fn(&Prepared) -> Result<Duration>,
) -> Result<(Samples, Samples)> {
    let (mut provider, mut hcl) = (Samples::default(), Samples::default());
    for round in 0..rounds {
        if round % 2 == 0 {
            provider.push(command(subject)?);
            hcl.push(command(baseline)?);
        } else {
            hcl.push(command(baseline)?);
            provider.push(command(subject)?);
        }
    }
    Ok((provider, hcl))
}

/// Fails unless both configurations, applied, output the same renderings.
fn same_outputs(subject: &Prepared, baseline: &Prepared) -> Result<()> {
    subject.apply()?;
    baseline.apply()?;
    let (with_provider, with_hcl) = (subject.outputs(), baseline.outputs());
    if with_provider != with_hcl {
        bail!(
            "the pure-HCL baseline renders differently from the provider:\nprovider: {with_provider}\nhcl: {with_hcl}"
        );
    }
    Ok(())
}

/// Item 1: `terraform plan` of examples/seed-adr against its pure-HCL twin, per CLI.
pub fn seed(binary: &Path, clis: &[Terraform], rounds: usize) -> Result<Vec<Pair>> {
    let mirror = Mirror::new(binary, false)?;
    let seed_tf =
        std::fs::read_to_string(dagster_e2e::repo_root().join("examples/seed-adr/main.tf"))?;
    let mut pairs = vec![];
    for cli in clis {
        let subject = Prepared::new(cli, &seed_tf, &mirror)?;
        let baseline = Prepared::new(cli, &fixtures::seed_hcl_config(), &mirror)?;
        let (provider, hcl) = interleave(rounds, &subject, &baseline, Prepared::plan)?;
        same_outputs(&subject, &baseline)?;
        pairs.push(Pair {
            command: "plan",
            cli: cli.version.clone(),
            resources: 1,
            provider,
            hcl,
        });
    }
    Ok(pairs)
}

/// One traced `terraform plan` of examples/seed-adr per CLI (after an untimed warm-up plan):
/// where its time goes, per provider process.
pub fn seed_breakdown(binary: &Path, clis: &[Terraform]) -> Result<Vec<(String, Vec<Instance>)>> {
    let mirror = Mirror::new(binary, false)?;
    let seed_tf =
        std::fs::read_to_string(dagster_e2e::repo_root().join("examples/seed-adr/main.tf"))?;
    let mut traced = vec![];
    for cli in clis {
        let subject = Prepared::new(cli, &seed_tf, &mirror)?;
        subject.plan()?;
        let command = subject
            .workspace
            .command(&["plan", "-no-color", "-lock=false"]);
        traced.push((
            cli.version.clone(),
            breakdown::trace_plan(command, subject.workspace.path())?,
        ));
    }
    Ok(traced)
}

/// Item 3: `plan` and `apply` of `n` generated resources against the pure-HCL twin, per CLI.
pub fn scale(
    binary: &Path,
    clis: &[Terraform],
    sizes: &[usize],
    rounds: usize,
) -> Result<Vec<Pair>> {
    let mirror = Mirror::new(binary, false)?;
    let mut pairs = vec![];
    for &n in sizes {
        let inputs: Vec<Input> = fixtures::inputs(n);
        for cli in clis {
            let subject = Prepared::new(cli, &fixtures::provider_config(&inputs), &mirror)?;
            let baseline = Prepared::new(cli, &fixtures::hcl_config(&inputs), &mirror)?;
            for (command, run) in [
                ("plan", Prepared::plan as fn(&Prepared) -> Result<Duration>),
                ("apply", Prepared::apply),
            ] {
                let (provider, hcl) = interleave(rounds, &subject, &baseline, run)?;
                pairs.push(Pair {
                    command,
                    cli: cli.version.clone(),
                    resources: n,
                    provider,
                    hcl,
                });
            }
            same_outputs(&subject, &baseline)?;
        }
    }
    Ok(pairs)
}

/// The provider processes of one command and their peak RSS.
pub struct Memory {
    /// `plan` or `apply`.
    pub command: &'static str,
    /// Terraform version.
    pub cli: String,
    /// Number of resources.
    pub resources: usize,
    /// Peak RSS in KiB of each provider process Terraform started, in start order.
    pub peaks_kib: Vec<u64>,
}

/// Items 3 and 5: the provider's peak RSS during one `plan` and one `apply` of `n` resources.
pub fn memory(binary: &Path, clis: &[Terraform], sizes: &[usize]) -> Result<Vec<Memory>> {
    if !Path::new(GNU_TIME).is_file() {
        bail!("{GNU_TIME} (Debian package `time`) is needed to record peak RSS");
    }
    let mirror = Mirror::new(binary, true)?;
    let mut memory = vec![];
    for &n in sizes {
        let config = fixtures::provider_config(&fixtures::inputs(n));
        for cli in clis {
            let subject = Prepared::new(cli, &config, &mirror)?;
            mirror.take_rss_kib()?;
            for (command, run) in [
                ("plan", Prepared::plan as fn(&Prepared) -> Result<Duration>),
                ("apply", Prepared::apply),
            ] {
                run(&subject)?;
                memory.push(Memory {
                    command,
                    cli: cli.version.clone(),
                    resources: n,
                    peaks_kib: mirror.take_rss_kib()?,
                });
            }
        }
    }
    Ok(memory)
}

/// `terraform show -json` of a plan of `inputs` as `dagster_concurrency` resources: the seed of
/// the validator's large plan input.
pub fn plan_json(binary: &Path, cli: &Terraform, inputs: &[Input]) -> Result<serde_json::Value> {
    let mirror = Mirror::new(binary, false)?;
    let subject = Prepared::new(cli, &fixtures::provider_config(inputs), &mirror)?;
    Ok(subject.workspace.plan_json())
}
