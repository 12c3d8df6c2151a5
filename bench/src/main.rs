//! `dagster-bench`: measures the provider and the validator against baselines run side by side
//! in the same invocation, and prints the ratios first, then the detail tables (Markdown).
#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use dagster_bench::plugin::Transport;
use dagster_bench::report::{Report, Table};
use dagster_bench::stats::{ms, ratio, Samples};
use dagster_bench::{latency, terraform, throughput};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Benchmarks of terraform-provider-dagster and dagster-concurrency against their baselines.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// A fast smoke run: few repetitions, small inputs.
    #[arg(long)]
    quick: bool,
    /// Only these benchmarks (default: all).
    #[arg(long, value_enum)]
    only: Vec<Bench>,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Size of the generated plan JSON in MB (default 50, 1 with --quick).
    #[arg(long)]
    plan_mb: Option<usize>,
    /// Number of generated values files (default 10000, 200 with --quick).
    #[arg(long)]
    values_files: Option<usize>,
    /// Resource counts of the scale and memory benchmarks (default 1,10,100,500; 1,10 with --quick).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// The `dagster-concurrency` binary.
    #[arg(long, default_value_os_t = dagster_e2e::repo_root().join("target/release/dagster-concurrency"))]
    validator: PathBuf,
    /// The `checkov` executable (scripts/bench installs a pinned one); without it the validator
    /// is measured alone.
    #[arg(long)]
    checkov: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Bench {
    /// `terraform plan` of examples/seed-adr against its pure-HCL twin.
    Seed,
    /// Latency of each protocol call against a bare gRPC round trip.
    Latency,
    /// Where the time of one seed plan goes, per provider process (Terraform's trace log).
    Breakdown,
    /// `plan` and `apply` of 1..500 resources against pure HCL.
    Scale,
    /// The provider's peak RSS during plan and apply, and its binary size.
    Memory,
    /// `dagster-concurrency check` on a large plan JSON and many values files, against checkov.
    Validator,
}

/// Repetitions and sizes of one run.
struct Plan {
    latency_rounds: usize,
    seed_rounds: usize,
    scale_sizes: Vec<usize>,
    scale_rounds: usize,
    plan_json_bytes: usize,
    values_files: usize,
    validator_rounds: usize,
    /// The smaller size of the scaling case (releases or tag limits in one file).
    scaling_small: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                latency_rounds: 20,
                seed_rounds: 3,
                scale_sizes: vec![1, 10],
                scale_rounds: 1,
                plan_json_bytes: 1 << 20,
                values_files: 200,
                validator_rounds: 1,
                scaling_small: 200,
            }
        } else {
            Plan {
                latency_rounds: 200,
                seed_rounds: 11,
                scale_sizes: vec![1, 10, 100, 500],
                scale_rounds: 5,
                plan_json_bytes: 50 << 20,
                values_files: 10_000,
                validator_rounds: 3,
                scaling_small: 2_000,
            }
        }
    }
}

/// A rate with two decimals below 10, none above.
fn rate(per_second: f64) -> String {
    if per_second < 10.0 {
        format!("{per_second:.2}")
    } else {
        format!("{per_second:.0}")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

async fn run_latency(report: &mut Report, plan: &Plan) -> Result<()> {
    let binary = dagster_e2e::provider_binary();
    let mut table = Table::new(
        "Protocol calls: client-side latency against the running provider, and the floor",
        &[
            "call (transport)",
            "p50",
            "p99",
            "min",
            "max",
            "p50 / floor",
        ],
    );
    for transport in [Transport::MutualTls, Transport::Plaintext] {
        let measured = latency::measure(&binary, transport, plan.latency_rounds).await?;
        for row in latency::rows(&measured) {
            table.row(row.to_vec());
        }
        if transport == Transport::MutualTls {
            report.headline(
                "provider process start to handshake line p50 / 2 ms goal (mTLS)".to_owned(),
                format!("{:.2}×", measured.startup.median().as_secs_f64() / 0.002),
                ms(measured.startup.median()),
            );
            for (call, samples) in &measured.calls {
                report.headline(
                    format!(
                        "{} p50 / bare gRPC round trip (mTLS, as Terraform)",
                        call.name()
                    ),
                    ratio(samples, &measured.floor_with_nodelay),
                    format!(
                        "{} vs {}",
                        ms(samples.median()),
                        ms(measured.floor_with_nodelay.median())
                    ),
                );
            }
        }
    }
    report.tables.push(table);
    Ok(())
}

fn pair_row(pair: &terraform::Pair) -> Vec<String> {
    let extra = pair.provider.median().as_secs_f64() - pair.hcl.median().as_secs_f64();
    vec![
        pair.command.to_owned(),
        pair.cli.clone(),
        pair.resources.to_string(),
        ratio(&pair.provider, &pair.hcl),
        pair.provider.summary_ms(),
        pair.hcl.summary_ms(),
        format!("{:.1} ms", extra * 1000.0 / pair.resources as f64),
        pair.provider.len().to_string(),
    ]
}

const PAIR_COLUMNS: [&str; 8] = [
    "command",
    "Terraform",
    "resources",
    "provider / HCL",
    "with provider: median (min..max)",
    "pure HCL: median (min..max)",
    "extra per resource",
    "runs",
];

fn pair_headline(report: &mut Report, what: String, pair: &terraform::Pair) {
    report.headline(
        what,
        ratio(&pair.provider, &pair.hcl),
        format!(
            "{} vs {}",
            ms(pair.provider.median()),
            ms(pair.hcl.median())
        ),
    );
}

fn run_seed(report: &mut Report, plan: &Plan) -> Result<()> {
    let binary = dagster_e2e::provider_binary();
    let pairs = terraform::seed(&binary, dagster_e2e::clis(), plan.seed_rounds)?;
    let mut table = Table::new(
        "`terraform plan` of examples/seed-adr: with the provider vs the same rendering in pure HCL",
        &PAIR_COLUMNS,
    );
    for pair in &pairs {
        pair_headline(
            report,
            format!(
                "seed-adr `terraform plan`, provider / pure HCL (Terraform {})",
                pair.cli
            ),
            pair,
        );
        table.row(pair_row(pair));
    }
    report.tables.push(table);
    Ok(())
}

fn run_breakdown(report: &mut Report) -> Result<()> {
    let binary = dagster_e2e::provider_binary();
    for (cli, instances) in terraform::seed_breakdown(&binary, dagster_e2e::clis())? {
        let mut table = Table::new(
            &format!(
                "Breakdown of one seed-adr `terraform plan` (Terraform {cli}), per provider process, from Terraform's trace log (ms; a call lasts until the next logged event)"
            ),
            &["process", "step", "ms"],
        );
        for (i, instance) in instances.iter().enumerate() {
            for (step, ms) in instance.steps() {
                table.row(vec![format!("{}", i + 1), step, ms.to_string()]);
            }
        }
        report.tables.push(table);
    }
    Ok(())
}

fn run_scale(report: &mut Report, plan: &Plan) -> Result<()> {
    let binary = dagster_e2e::provider_binary();
    let pairs = terraform::scale(
        &binary,
        dagster_e2e::clis(),
        &plan.scale_sizes,
        plan.scale_rounds,
    )?;
    let largest = plan.scale_sizes.iter().copied().max().unwrap_or_default();
    let mut table = Table::new(
        "Scale: N `dagster_concurrency` resources (for_each) vs the same renderings in pure HCL",
        &PAIR_COLUMNS,
    );
    for pair in &pairs {
        if pair.resources == largest {
            pair_headline(
                report,
                format!(
                    "{largest} resources `terraform {}`, provider / pure HCL (Terraform {})",
                    pair.command, pair.cli
                ),
                pair,
            );
        }
        table.row(pair_row(pair));
    }
    report.tables.push(table);
    Ok(())
}

fn run_memory(report: &mut Report, plan: &Plan) -> Result<()> {
    let binary = dagster_e2e::provider_binary();
    let size = std::fs::metadata(&binary)?.len();
    let measured = terraform::memory(&binary, dagster_e2e::clis(), &plan.scale_sizes)?;
    let mut table = Table::new(
        "The provider's peak RSS (GNU time around each provider process Terraform starts)",
        &[
            "command",
            "Terraform",
            "resources",
            "provider processes",
            "peak RSS (largest process)",
            "each process",
        ],
    );
    for m in &measured {
        let peak = m.peaks_kib.iter().copied().max().unwrap_or_default();
        table.row(vec![
            m.command.to_owned(),
            m.cli.clone(),
            m.resources.to_string(),
            m.peaks_kib.len().to_string(),
            mib(peak),
            m.peaks_kib
                .iter()
                .map(|&k| mib(k))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    let peak_of = |resources: usize, cli: &str| {
        measured
            .iter()
            .filter(|m| m.command == "plan" && m.resources == resources && m.cli == cli)
            .flat_map(|m| m.peaks_kib.iter().copied())
            .max()
    };
    let smallest = plan.scale_sizes.iter().copied().min().unwrap_or_default();
    let largest = plan.scale_sizes.iter().copied().max().unwrap_or_default();
    for cli in dagster_e2e::clis() {
        if let (Some(small), Some(large)) = (
            peak_of(smallest, &cli.version),
            peak_of(largest, &cli.version),
        ) {
            report.headline(
                format!(
                    "provider peak RSS, plan of {largest} / {smallest} resource(s) (Terraform {})",
                    cli.version
                ),
                format!("{:.2}×", large as f64 / small.max(1) as f64),
                format!("{} vs {}", mib(large), mib(small)),
            );
        }
    }
    table.row(vec![
        "binary size".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        format!("{:.1} MiB ({size} bytes)", size as f64 / 1048576.0),
        binary.display().to_string(),
    ]);
    report.tables.push(table);
    Ok(())
}

/// The cores the validator's thread pool uses by default.
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A validator or checkov run slower than this is reported as a failure, not waited for.
const TOOL_TIMEOUT: Duration = Duration::from_secs(900);

fn run_validator(report: &mut Report, plan: &Plan, args: &Args) -> Result<()> {
    // Not a hidden directory (TempDir's default `.tmp` prefix): checkov skips those.
    let work = tempfile::Builder::new()
        .prefix("dagster-bench-")
        .tempdir()?;
    let checkov = args.checkov.as_ref().map(|executable| throughput::Checkov {
        executable: executable.clone(),
        checks_dir: dagster_e2e::repo_root().join("bench/fixtures/checkov"),
    });
    let cli = dagster_e2e::clis()
        .last()
        .context("no Terraform CLI")?
        .clone();
    let seed = terraform::plan_json(
        &dagster_e2e::provider_binary(),
        &cli,
        &dagster_bench::fixtures::inputs(20),
    )?;
    let plan_path = work.path().join("plan.json");
    let plan_bytes = throughput::write_large_plan(&seed, plan.plan_json_bytes, &plan_path)?;
    let values_dir = work.path().join("values");
    let values_bytes = throughput::write_values_files(&values_dir, plan.values_files)?;
    let inputs = [
        ("plan JSON", plan_path.as_path(), plan_bytes, 1u64, true),
        (
            "values files",
            values_dir.as_path(),
            values_bytes,
            plan.values_files as u64,
            false,
        ),
    ];
    let mut table = Table::new(
        "Validator throughput: `dagster-concurrency check` vs checkov with the same policy as a custom check",
        &[
            "input",
            "size",
            "tool",
            "median (min..max)",
            "MB/s",
            "CPU, median",
            "MB/s of CPU",
            "files/s",
            "configurations checked / failing",
            "runs",
        ],
    );
    for (name, path, bytes, files, is_plan) in inputs {
        let mut validator = Samples::default();
        let mut one_thread = Samples::default();
        let (mut validator_cpu, mut one_thread_cpu) = (Samples::default(), Samples::default());
        let mut checkov_samples = Samples::default();
        let (mut validator_verdict, mut checkov_verdict) = (None, None);
        for round in 0..plan.validator_rounds {
            let run = throughput::run_validator(&args.validator, path, TOOL_TIMEOUT)?;
            validator.push(run.wall);
            validator_cpu.push(run.cpu);
            validator_verdict = Some(run.verdict);
            // The same check on one thread, right after: what every core gains.
            let run = throughput::run_validator_on(&args.validator, path, Some(1), TOOL_TIMEOUT)?;
            one_thread.push(run.wall);
            one_thread_cpu.push(run.cpu);
            anyhow::ensure!(
                Some(run.verdict) == validator_verdict,
                "{name}: one thread found {:?}, every core {validator_verdict:?}",
                run.verdict
            );
            // checkov takes minutes on the full inputs, where a few seconds of noise do not
            // matter: it runs once, in the first round.
            if let (0, Some(checkov)) = (round, &checkov) {
                let (elapsed, verdict) = checkov.run(path, is_plan, TOOL_TIMEOUT)?;
                checkov_samples.push(elapsed);
                checkov_verdict = Some(verdict);
            }
        }
        let size = format!("{:.1} MB, {files} file(s)", bytes as f64 / 1e6);
        let row = |tool: &str,
                   samples: &Samples,
                   cpu: Option<&Samples>,
                   verdict: Option<throughput::Verdict>| {
            let secs = samples.median().as_secs_f64();
            let (cpu_median, cpu_rate) = cpu.map_or((String::new(), String::new()), |cpu| {
                let cpu = cpu.median();
                (ms(cpu), rate(bytes as f64 / 1e6 / cpu.as_secs_f64()))
            });
            vec![
                name.to_owned(),
                size.clone(),
                tool.to_owned(),
                samples.summary_ms(),
                rate(bytes as f64 / 1e6 / secs),
                cpu_median,
                cpu_rate,
                rate(files as f64 / secs),
                verdict.map_or_else(String::new, |v| format!("{} / {}", v.checked, v.failing)),
                samples.len().to_string(),
            ]
        };
        table.row(row(
            "dagster-concurrency check",
            &validator,
            Some(&validator_cpu),
            validator_verdict,
        ));
        table.row(row(
            "dagster-concurrency check, 1 thread",
            &one_thread,
            Some(&one_thread_cpu),
            validator_verdict,
        ));
        report.headline(
            format!("{name} ({size}): dagster-concurrency on 1 thread / on every core ({} cores; above 1: the cores help)", available_cores()),
            ratio(&one_thread, &validator),
            format!("{} vs {}", ms(one_thread.median()), ms(validator.median())),
        );
        if checkov.is_some() {
            table.row(row(
                "checkov (custom check)",
                &checkov_samples,
                None,
                checkov_verdict,
            ));
            report.headline(
                format!("{name} ({size}): checkov / dagster-concurrency wall time (above 1: the validator is faster)"),
                ratio(&checkov_samples, &validator),
                format!(
                    "{} vs {}",
                    ms(checkov_samples.median()),
                    ms(validator.median())
                ),
            );
        }
    }
    report.tables.push(table);
    run_scaling(report, plan, args, work.path())
}

/// The scaling case: check time at N and 10·N releases or tag limits in one file.
fn run_scaling(report: &mut Report, plan: &Plan, args: &Args, dir: &Path) -> Result<()> {
    let measured = dagster_bench::scaling::measure(
        &args.validator,
        dir,
        plan.scaling_small,
        plan.validator_rounds,
        TOOL_TIMEOUT,
    )?;
    let mut table = Table::new(
        "Validator scaling: `dagster-concurrency check` on one file at N and 10·N (linear: about 10x)",
        &["input", "N", "median at N", "median at 10·N", "10·N / N"],
    );
    for case in &measured {
        let growth = ratio(&case.large_time, &case.small_time);
        table.row(vec![
            case.input.to_owned(),
            case.small.to_string(),
            case.small_time.summary_ms(),
            case.large_time.summary_ms(),
            growth.clone(),
        ]);
        report.headline(
            format!(
                "check time for 10x the {} (linear: about 10, quadratic: about 100)",
                case.input
            ),
            growth,
            format!(
                "{} vs {}",
                ms(case.large_time.median()),
                ms(case.small_time.median())
            ),
        );
    }
    report.tables.push(table);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut plan = Plan::new(args.quick);
    if let Some(mb) = args.plan_mb {
        plan.plan_json_bytes = mb << 20;
    }
    if let Some(files) = args.values_files {
        plan.values_files = files;
    }
    if !args.sizes.is_empty() {
        plan.scale_sizes = args.sizes.clone();
    }
    let wanted = |bench: Bench| args.only.is_empty() || args.only.contains(&bench);
    let mut report = Report::default();
    // Quick and cheap first; the protocol latency before the Terraform runs that load the machine.
    if wanted(Bench::Latency) {
        run_latency(&mut report, &plan).await?;
    }
    if wanted(Bench::Seed) {
        run_seed(&mut report, &plan)?;
    }
    if wanted(Bench::Breakdown) {
        run_breakdown(&mut report)?;
    }
    if wanted(Bench::Scale) {
        run_scale(&mut report, &plan)?;
    }
    if wanted(Bench::Memory) {
        run_memory(&mut report, &plan)?;
    }
    if wanted(Bench::Validator) {
        run_validator(&mut report, &plan, &args)?;
    }
    let text = report.markdown();
    println!("{text}");
    if let Some(path) = args.markdown {
        std::fs::write(path, &text)?;
    }
    Ok(())
}
