//! How `dagster-concurrency check` time grows with the size of one file: N and 10·N Dagster
//! releases in one `.tf` file, and N and 10·N tag limits in one `dagster_concurrency` block.
//! Linear work shows as a time ratio near 10; the quadratic readers of issue 11 showed near 100.

use crate::stats::Samples;
use crate::throughput;
use anyhow::Result;
use std::path::Path;
use std::time::Duration;

/// One input shape, measured at two sizes.
pub struct Scaling {
    /// What grows, e.g. `releases in one .tf file`.
    pub input: &'static str,
    /// The smaller count; the larger is ten times it.
    pub small: usize,
    /// Wall times at the smaller count.
    pub small_time: Samples,
    /// Wall times at ten times the count.
    pub large_time: Samples,
}

/// `count` Dagster `helm_release` resources with raw `set` entries (a tag limit of 0 in each:
/// one warning per release, so placing findings is measured too).
pub fn releases_tf(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                r#"resource "helm_release" "dagster_{i}" {{
  chart   = "dagster"
  version = "1.12.14"
  set {{
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = 5
  }}
  set {{
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
    value = "team-{i}"
  }}
  set {{
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "0"
  }}
}}
"#
            )
        })
        .collect()
}

/// One `dagster_concurrency` block with `count` distinct tag limits of 0 (a warning each).
pub fn tag_limits_tf(count: usize) -> String {
    let limits: String = (0..count)
        .map(|i| {
            format!("  tag_concurrency_limit {{\n    key   = \"team-{i}\"\n    limit = 0\n  }}\n")
        })
        .collect();
    format!("resource \"dagster_concurrency\" \"many\" {{\n  chart_version       = \"1.12.14\"\n  max_concurrent_runs = 5\n{limits}}}\n")
}

/// Writes a file of one shape at a given count.
type Generator = fn(usize) -> String;

/// Times `check` on both shapes at `small` and ten times `small`, `rounds` times each.
pub fn measure(
    binary: &Path,
    dir: &Path,
    small: usize,
    rounds: usize,
    timeout: Duration,
) -> Result<Vec<Scaling>> {
    let shapes: [(&'static str, Generator); 2] = [
        ("releases in one .tf file", releases_tf),
        ("tag limits in one block", tag_limits_tf),
    ];
    let mut out = Vec::new();
    for (input, write) in shapes {
        let mut times = [Samples::default(), Samples::default()];
        for (samples, count) in times.iter_mut().zip([small, small * 10]) {
            let path = dir.join(format!("scaling-{count}.tf"));
            std::fs::write(&path, write(count))?;
            for _ in 0..rounds {
                samples.push(throughput::run_validator(binary, &path, timeout)?.wall);
            }
        }
        let [small_time, large_time] = times;
        out.push(Scaling {
            input,
            small,
            small_time,
            large_time,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_hold_the_counts_asked_for() {
        assert_eq!(
            releases_tf(3).matches("resource \"helm_release\"").count(),
            3
        );
        assert_eq!(
            tag_limits_tf(4).matches("tag_concurrency_limit {").count(),
            4
        );
    }
}
