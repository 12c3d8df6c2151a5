//! Load through real Terraform CLIs: 200 `dagster_pool_limit` applied with `-parallelism=50`
//! against one real `dagster-webserver`, changed and destroyed, every limit read back from
//! Dagster directly; 500 `dagster_concurrency` applied, planned with no drift and destroyed.
//! The state those 500 hold is printed per resource and per attribute. The provider's peak
//! memory (the largest `VmHWM` of its processes, sampled from `/proc` while Terraform runs) and
//! each command's time are printed, never asserted: the machine is shared and noisy.

#[path = "common/state_size.rs"]
mod state_size;

use dagster_e2e::dagster_webserver::DagsterWebserver;
use dagster_e2e::{clis, config, Run, Terraform, Workspace};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How often `/proc` is sampled while Terraform runs. A provider process that lives less than
/// this may be missed; the ones doing the work live for the whole plan or apply.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// The first 15 bytes of the provider's file name: what Linux keeps as a process's `comm`.
const PROVIDER_COMM: &str = "terraform-provi";

/// Every process as `(pid, comm, parent pid)`.
fn processes() -> Vec<(u32, String, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces, so split after its `)`.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (head, rest) = stat.rsplit_once(") ")?;
            let comm = head.split_once(" (")?.1.to_owned();
            let ppid = rest.split_whitespace().nth(1)?.parse::<u32>().ok()?;
            Some((pid, comm, ppid))
        })
        .collect()
}

/// The provider processes descended from `root` (Terraform 1.0.3 runs itself again under a
/// panic wrapper, so its providers are grandchildren).
fn provider_descendants(root: u32) -> Vec<u32> {
    let all = processes();
    let mut tree = vec![root];
    let mut providers = Vec::new();
    while let Some(parent) = tree.pop() {
        for (pid, comm, _) in all.iter().filter(|(_, _, ppid)| *ppid == parent) {
            tree.push(*pid);
            if comm == PROVIDER_COMM {
                providers.push(*pid);
            }
        }
    }
    providers
}

/// `VmHWM` (peak resident memory) of `pid` in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// A finished command, its time, and the largest peak memory of the provider processes
/// Terraform started for it.
struct Measured {
    run: Run,
    seconds: f64,
    provider_peak_kib: u64,
}

/// Runs `terraform ARGS` in `ws`, sampling its provider processes until it exits.
fn measured(ws: &Workspace, args: &[&str]) -> Measured {
    let started = Instant::now();
    let mut child = ws
        .command(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("terraform");
    // Read the pipes on their own threads, so a full pipe never stalls Terraform.
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            text
        })
    };
    let (stdout, stderr) = (read(Box::new(stdout)), read(Box::new(stderr)));
    let mut provider_peak_kib = 0;
    let status = loop {
        for pid in provider_descendants(child.id()) {
            provider_peak_kib = provider_peak_kib.max(peak_kib(pid).unwrap_or(0));
        }
        if let Some(status) = child.try_wait().expect("terraform runs") {
            break status;
        }
        std::thread::sleep(SAMPLE_EVERY);
    };
    let run = Run::from_output(std::process::Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    });
    Measured {
        run,
        seconds: started.elapsed().as_secs_f64(),
        provider_peak_kib,
    }
}

/// Runs a command that must succeed without a warning or an error, and prints its figures.
fn step(ws: &Workspace, what: &str, args: &[&str], code: i32) -> Measured {
    let measured = measured(ws, args);
    let run = &measured.run;
    assert_eq!(
        run.code, code,
        "terraform {} {what}\nstdout:\n{}\nstderr:\n{}",
        ws.terraform.version, run.stdout, run.stderr
    );
    assert!(
        !run.stdout.contains("Warning") && run.stderr.trim().is_empty(),
        "terraform {} {what}\nstdout:\n{}\nstderr:\n{}",
        ws.terraform.version,
        run.stdout,
        run.stderr
    );
    println!(
        "terraform {} | {what} | {:.1} s | provider peak VmHWM {} MiB",
        ws.terraform.version,
        measured.seconds,
        measured.provider_peak_kib.div_ceil(1024)
    );
    measured
}

const POOLS: usize = 200;

fn pool_limits_config(url: &str, prefix: &str, offset: usize) -> String {
    config(&format!(
        "provider \"dagster\" {{\n  webserver_url = \"{url}\"\n}}\n\nresource \"dagster_pool_limit\" \"load\" {{\n  count = {POOLS}\n  pool  = \"{prefix}-${{count.index}}\"\n  limit = count.index + {offset}\n}}\n"
    ))
}

/// The pools under `prefix` with a limit of their own in Dagster, asked directly.
fn in_dagster(server: &DagsterWebserver, prefix: &str) -> BTreeMap<String, i64> {
    let mut own = server.own_pool_limits();
    own.retain(|pool, _| pool.starts_with(&format!("{prefix}-")));
    own
}

fn expected(prefix: &str, offset: usize) -> BTreeMap<String, i64> {
    (0..POOLS)
        .map(|index| (format!("{prefix}-{index}"), (index + offset) as i64))
        .collect()
}

fn pool_limits_under_load(tf: &Terraform, server: &DagsterWebserver) {
    let prefix = format!("load-{}", tf.version);
    let ws = Workspace::new(tf, &pool_limits_config(&server.url, &prefix, 0));
    ws.init();
    let parallel = ["-parallelism=50", "-no-color"];
    let apply = [&["apply", "-auto-approve"][..], &parallel[..]].concat();
    step(&ws, "apply 200 pool limits", &apply, 0);
    assert_eq!(in_dagster(server, &prefix), expected(&prefix, 0));
    let plan = [&["plan", "-detailed-exitcode"][..], &parallel[..]].concat();
    step(&ws, "plan 200 pool limits (no changes)", &plan, 0);

    ws.write("main.tf", &pool_limits_config(&server.url, &prefix, 1));
    step(&ws, "change 200 pool limits", &apply, 0);
    assert_eq!(in_dagster(server, &prefix), expected(&prefix, 1));
    step(&ws, "plan 200 pool limits (no changes)", &plan, 0);

    let destroy = [&["destroy", "-auto-approve"][..], &parallel[..]].concat();
    step(&ws, "destroy 200 pool limits", &destroy, 0);
    assert_eq!(in_dagster(server, &prefix), BTreeMap::new());
}

#[test]
fn two_hundred_pool_limits_at_parallelism_50_apply_change_and_destroy() {
    let server = DagsterWebserver::start("");
    // One CLI after the other: one webserver, two cores.
    for tf in clis() {
        pool_limits_under_load(tf, &server);
    }
}

const RENDERINGS: usize = 500;

fn renderings_config() -> String {
    config(&format!(
        r#"resource "dagster_concurrency" "load" {{
  count               = {RENDERINGS}
  chart_version       = "1.12.14"
  max_concurrent_runs = count.index + 10

  tag_concurrency_limit {{
    key   = "dagster/backfill"
    limit = 3
  }}

  tag_concurrency_limit {{
    key   = "team"
    value = "team-${{count.index}}"
    limit = 2
  }}
}}
"#
    ))
}

#[test]
fn five_hundred_concurrency_resources_apply_plan_without_drift_and_destroy() {
    std::thread::scope(|scope| {
        for tf in clis() {
            scope.spawn(move || {
                let ws = Workspace::new(tf, &renderings_config());
                ws.init();
                step(
                    &ws,
                    "apply 500 dagster_concurrency",
                    &["apply", "-auto-approve", "-no-color"],
                    0,
                );
                let state = std::fs::read_to_string(ws.path().join("terraform.tfstate"))
                    .expect("state");
                let size = state_size::measure(&state, "dagster_concurrency");
                assert_eq!(size.instances, RENDERINGS, "terraform {}", tf.version);
                println!(
                    "terraform {} | state of 500 dagster_concurrency | {} KiB, {} B per resource | {}",
                    tf.version,
                    state.len().div_ceil(1024),
                    size.per_instance(),
                    size.shares(1)
                );
                let listed = ws.run(&["state", "list"]).expect_code(0).stdout;
                assert_eq!(
                    listed.lines().count(),
                    RENDERINGS,
                    "terraform {}",
                    tf.version
                );
                step(
                    &ws,
                    "plan 500 dagster_concurrency (no changes)",
                    &["plan", "-detailed-exitcode", "-no-color"],
                    0,
                );
                step(
                    &ws,
                    "destroy 500 dagster_concurrency",
                    &["destroy", "-auto-approve", "-no-color"],
                    0,
                );
                let listed = ws.run(&["state", "list"]).expect_code(0).stdout;
                assert_eq!(listed.trim(), "", "terraform {}", tf.version);
            });
        }
    });
}
