//! Where the time of one `terraform plan` goes, per provider process Terraform starts: from
//! Terraform's own trace log (`TF_LOG=trace`, millisecond timestamps), the start of the process
//! to the handshake, each protocol call (up to the next logged event, so Terraform's own work
//! between calls is counted with the call before it), and shutdown (`Close` to the process's
//! exit). Terraform logs when a call starts, not when it returns: the gaps are what is visible.
//! Inside a call Terraform looks up the provider's schema and logs that as `GetProviderSchema`
//! too (an RPC on 1.0.3 the first time, from its cache on later versions) before making the
//! call's own RPC, so such a lookup is counted with the call that made it. Newer versions log
//! that lookup as `GRPCProvider.v6: returning cached schema: ...`: a note inside the call, counted
//! with it too (a call's name is one word).

use anyhow::{bail, Context, Result};
use std::path::Path;

/// A moment of the log, in milliseconds since midnight UTC.
type Ms = i64;

/// One provider process.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Instance {
    /// Terraform starts the process.
    pub started: Ms,
    /// Terraform has read the handshake and connected (`using plugin`).
    pub handshake: Option<Ms>,
    /// Each call Terraform logs, with when it was logged.
    pub calls: Vec<(String, Ms)>,
    /// Terraform closes the connection (`Close`): the start of shutdown.
    pub close: Option<Ms>,
    /// The process has exited.
    pub exited: Option<Ms>,
}

impl Instance {
    /// `(what, milliseconds)`: the handshake, each call up to the next event, shutdown, and the
    /// whole lifetime.
    pub fn steps(&self) -> Vec<(String, Ms)> {
        let mut steps = vec![];
        let mut previous = self.started;
        if let Some(handshake) = self.handshake {
            steps.push((
                "process start to handshake".to_owned(),
                handshake - self.started,
            ));
            previous = handshake;
        }
        let mut events: Vec<(String, Ms)> = self.calls.clone();
        if let Some(close) = self.close {
            events.push(("Close".to_owned(), close));
        }
        if let Some((_, first)) = events.first() {
            steps.push(("handshake to first call".to_owned(), first - previous));
        }
        for pair in events.windows(2) {
            steps.push((pair[0].0.clone(), pair[1].1 - pair[0].1));
        }
        if let (Some(close), Some(exited)) = (self.close, self.exited) {
            steps.push(("shutdown (Close to exit)".to_owned(), exited - close));
        }
        if let Some(exited) = self.exited {
            steps.push(("lifetime".to_owned(), exited - self.started));
        }
        steps
    }
}

/// The time of a log line (`2026-12-02T05:51:57.582Z [DEBUG] ...`), in ms since midnight.
fn timestamp(line: &str) -> Option<Ms> {
    let clock = line.get(11..23)?;
    let (h, rest) = clock.split_once(':')?;
    let (m, rest) = rest.split_once(':')?;
    let (s, ms) = rest.split_once('.')?;
    let field = |t: &str| t.parse::<i64>().ok();
    Some(((field(h)? * 60 + field(m)?) * 60 + field(s)?) * 1000 + field(ms)?)
}

/// The provider processes of a trace log, in start order. Only protocol 6 calls are counted:
/// they are this provider's (other providers in a configuration speak protocol 5).
pub fn parse(log: &str) -> Vec<Instance> {
    let mut instances: Vec<Instance> = vec![];
    for line in log.lines() {
        let Some(at) = timestamp(line) else { continue };
        let current = instances.last_mut();
        if line.contains("provider: starting plugin:")
            && line.contains("terraform-provider-dagster")
        {
            instances.push(Instance {
                started: at,
                ..Instance::default()
            });
        } else if let Some(instance) = current {
            if line.contains("provider: using plugin:") && instance.handshake.is_none() {
                instance.handshake = Some(at);
            } else if let Some((_, call)) = line.split_once("GRPCProvider.v6: ") {
                let call = call.trim();
                if call.contains(|c: char| c.is_whitespace() || c == ':') {
                    // A note logged inside the current call, not a call.
                    continue;
                }
                let lookup_inside_call = call == "GetProviderSchema"
                    && instance
                        .calls
                        .last()
                        .is_some_and(|(previous, _)| previous != "GetProviderSchema");
                if call == "Close" {
                    instance.close = Some(at);
                } else if !lookup_inside_call {
                    instance.calls.push((call.to_owned(), at));
                }
            } else if line.contains("provider: plugin process exited:")
                && line.contains("terraform-provider-dagster")
            {
                instance.exited = Some(at);
            }
        }
    }
    instances
}

/// Runs `terraform plan` in `dir` (initialised) with a trace log and returns the instances.
pub fn trace_plan(mut command: std::process::Command, dir: &Path) -> Result<Vec<Instance>> {
    let log = dir.join("trace.log");
    let output = command
        .env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log)
        .output()
        .context("cannot run terraform plan")?;
    if !output.status.success() {
        bail!(
            "terraform plan failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = std::fs::read_to_string(&log).context("no trace log")?;
    let _ = std::fs::remove_file(&log);
    Ok(parse(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
2026-12-02T05:51:57.582Z [DEBUG] provider: starting plugin: path=.terraform/providers/registry.terraform.io/dagster-oss/dagster/0.1.0/linux_amd64/terraform-provider-dagster_v0.1.0 args=[]
2026-12-02T05:51:57.601Z [DEBUG] provider: plugin started: path=x pid=7
2026-12-02T05:51:57.605Z [DEBUG] provider: using plugin: version=6
2026-12-02T05:51:57.622Z [TRACE] GRPCProvider.v6: GetProviderSchema
2026-12-02T05:51:57.623Z [TRACE] GRPCProvider: GetProviderSchema
2026-12-02T05:51:57.667Z [TRACE] GRPCProvider.v6: ValidateResourceConfig
2026-12-02T05:51:57.667Z [TRACE] GRPCProvider.v6: GetProviderSchema
2026-12-02T05:51:57.668Z [TRACE] GRPCProvider.v6: returning cached schema: EXTRA_VALUE_AT_END=registry.terraform.io/dagster-oss/dagster
2026-12-02T05:51:57.670Z [TRACE] GRPCProvider.v6: Close
2026-12-02T05:51:57.718Z [INFO]  provider: plugin process exited: plugin=.terraform/providers/registry.terraform.io/dagster-oss/dagster/0.1.0/linux_amd64/terraform-provider-dagster_v0.1.0 id=7
not a log line
";

    #[test]
    fn reads_one_instance_and_its_steps() {
        let instances = parse(LOG);
        assert_eq!(instances.len(), 1);
        let steps = instances[0].steps();
        let get = |what: &str| steps.iter().find(|(w, _)| w == what).map(|(_, ms)| *ms);
        assert_eq!(get("process start to handshake"), Some(23));
        assert_eq!(get("handshake to first call"), Some(17));
        assert_eq!(get("GetProviderSchema"), Some(45));
        // The schema lookup logged inside ValidateResourceConfig, and the note of a cached
        // schema, are counted with it.
        assert_eq!(get("ValidateResourceConfig"), Some(3));
        assert_eq!(
            steps
                .iter()
                .filter(|(w, _)| w == "GetProviderSchema")
                .count(),
            1
        );
        assert!(steps.iter().all(|(what, _)| !what.contains("cached")));
        assert_eq!(get("shutdown (Close to exit)"), Some(48));
        assert_eq!(get("lifetime"), Some(136));
    }
}
