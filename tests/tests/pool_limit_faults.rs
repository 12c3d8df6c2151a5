//! Faults between the provider and a real `dagster-webserver`, injected by a proxy on
//! 127.0.0.1 (`common/fault_proxy.rs`), through real Terraform CLIs: connection resets before
//! and after Dagster applied the request, an answer cut off midway, a stall past
//! `timeout_seconds`, 500/502/503 pages, the webserver going silent, and a webserver restart
//! between plan and apply.
//!
//! After every command, Terraform's state must hold the limit Dagster holds (read from the
//! webserver directly, not through the provider or the proxy): a command either succeeds with
//! the configured limit in Dagster, or fails with a diagnostic naming the pool, the endpoint
//! and what happened, and a clean apply afterwards converges with nothing left to change.

#[path = "common/fault_proxy.rs"]
mod fault_proxy;

use dagster_e2e::dagster_webserver::DagsterWebserver;
use dagster_e2e::{clis, config, Terraform, Workspace};
use fault_proxy::{Fault, FaultProxy, Operation, Seen};
use serde_json::Value;

/// Every fault, with the name the printed table gives it.
const FAULTS: &[(&str, Fault)] = &[
    ("reset before Dagster", Fault::ResetBefore),
    ("reset after Dagster", Fault::ResetAfter),
    ("answer cut midway", Fault::CutAnswer),
    ("stall past timeout", Fault::Stall),
    (
        "HTTP 500",
        Fault::Status {
            code: 500,
            forwarded: false,
        },
    ),
    (
        "HTTP 502 after Dagster",
        Fault::Status {
            code: 502,
            forwarded: true,
        },
    ),
    (
        "HTTP 503",
        Fault::Status {
            code: 503,
            forwarded: false,
        },
    ),
];

/// `timeout_seconds` of the provider block: what a stall outlasts.
const TIMEOUT_SECONDS: u64 = 3;

/// `retries` of the provider block; every fault is injected one more time than this, so
/// each attempt meets it.
const RETRIES: usize = 1;

fn pool_config(url: &str, pool: &str, limit: Option<i64>) -> String {
    let resource = limit.map_or_else(String::new, |limit| {
        format!("resource \"dagster_pool_limit\" \"this\" {{\n  pool  = \"{pool}\"\n  limit = {limit}\n}}\n\n")
    });
    config(&format!(
        "provider \"dagster\" {{\n  webserver_url   = \"{url}\"\n  timeout_seconds = {TIMEOUT_SECONDS}\n  retries         = {RETRIES}\n}}\n\n{resource}data \"dagster_instance_concurrency\" \"live\" {{}}\n"
    ))
}

/// The limit Terraform's state holds for the pool, `None` without the resource; panics when
/// the object is tainted (Terraform would then believe it half made).
fn state_limit(ws: &Workspace) -> Option<i64> {
    let show = ws.run(&["show", "-json"]).expect_code(0).json();
    let resources = show["values"]["root_module"]["resources"].as_array()?;
    let resource = resources
        .iter()
        .find(|resource| resource["type"] == "dagster_pool_limit")?;
    assert_ne!(resource["tainted"], Value::Bool(true), "tainted: {show}");
    resource["values"]["limit"].as_i64()
}

/// The pool's own limit as Dagster holds it, asked directly (`None`: the default applies).
fn dagster_limit(server: &DagsterWebserver, pool: &str) -> Option<i64> {
    let (limit, using_default) = server.pool_limit(pool);
    (!using_default).then(|| limit.as_i64().expect("a limit"))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The summary of the first error in `stderr`, on one line, with `url` written `URL`.
fn first_summary(stderr: &str, url: &str) -> String {
    let text = one_line(stderr);
    let Some((_, after)) = text.split_once("Error: ") else {
        return String::new();
    };
    let summary = [
        " Dagster webserver GraphQL endpoint",
        " with dagster_",
        " with data.",
    ]
    .iter()
    .fold(after, |text, end| text.split(end).next().unwrap_or(text));
    summary.replace(url, "URL")
}

/// What one faulted command did, for the printed table.
struct Outcome {
    cli: String,
    fault: &'static str,
    step: &'static str,
    succeeded: bool,
    mutations_received: usize,
    /// The first error's summary, the endpoint left out.
    diagnostic: String,
}

/// One Terraform CLI's run of every fault against the shared webserver, through its own proxy.
struct Scenario<'a> {
    server: &'a DagsterWebserver,
    proxy: FaultProxy,
    tf: &'a Terraform,
    outcomes: Vec<Outcome>,
}

impl Scenario<'_> {
    /// Runs `args` with `fault` injected into `operation` on every attempt, then checks that
    /// state and Dagster agree, that a success left `wanted` in Dagster and that a failure
    /// says what failed; then heals the proxy and converges on `wanted`.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        ws: &Workspace,
        pool: &str,
        (name, fault): (&'static str, Fault),
        step: &'static str,
        operation: Operation,
        args: &[&str],
        wanted: Option<i64>,
    ) {
        let context = format!("terraform {}, {name}, {step}", self.tf.version);
        self.proxy.take_seen();
        self.proxy.inject(operation, fault, RETRIES + 1);
        let run = ws.run(args);
        let seen = self.proxy.take_seen();
        self.proxy.heal();
        let in_dagster = dagster_limit(self.server, pool);
        assert_eq!(
            state_limit(ws),
            in_dagster,
            "{context}: state and Dagster disagree\n{}",
            run.stderr
        );
        let mutations_received = seen
            .iter()
            .filter(|seen| {
                seen.forwarded
                    && matches!(seen.operation, Operation::SetLimit | Operation::DeleteLimit)
            })
            .count();
        let faulted = |seen: &&Seen| seen.fault.is_some();
        assert!(
            seen.iter().filter(faulted).count() >= 1,
            "{context}: no fault struck: {seen:?}"
        );
        assert!(
            mutations_received <= RETRIES + 1,
            "{context}: Dagster received {mutations_received} mutations"
        );
        // A mutation whose answer alone was lost is read back and succeeds; a request Dagster
        // never saw, and every read, fails once its retries meet the fault too.
        let is_mutation = matches!(operation, Operation::SetLimit | Operation::DeleteLimit);
        assert_eq!(
            run.code == 0,
            is_mutation && fault.reaches_dagster(),
            "{context}: {}",
            run.stderr
        );
        if run.code == 0 {
            assert_eq!(
                in_dagster, wanted,
                "{context}: succeeded with the wrong limit"
            );
        } else {
            assert_eq!(run.code, 1, "{context}: {}", run.stderr);
            let stderr = one_line(&run.stderr);
            let what = if operation == Operation::ReadInstance {
                "the instance's concurrency settings".to_owned()
            } else {
                format!("pool \"{pool}\"")
            };
            assert!(stderr.contains(&what), "{context}: {stderr}");
            assert!(
                stderr.contains(&format!("{}/graphql", self.proxy.url)),
                "{context}: {stderr}"
            );
            assert!(!stderr.contains("panic"), "{context}: {stderr}");
            // Healed: the next apply converges, then nothing is left to change.
            let converge = if wanted.is_some() { "apply" } else { "destroy" };
            ws.run(&[converge, "-auto-approve", "-no-color"])
                .expect_code(0);
            assert_eq!(dagster_limit(self.server, pool), wanted, "{context}");
            assert_eq!(state_limit(ws), wanted, "{context}");
        }
        if wanted.is_some() {
            ws.run(&["plan", "-detailed-exitcode", "-no-color"])
                .expect_code(0);
        }
        self.outcomes.push(Outcome {
            cli: self.tf.version.clone(),
            fault: name,
            step,
            succeeded: run.code == 0,
            mutations_received,
            diagnostic: first_summary(&run.stderr, &self.proxy.url),
        });
    }

    /// Create, refresh, update, read the data source and destroy, each under `fault`.
    fn lifecycle(&mut self, fault: (&'static str, Fault), index: usize) {
        let pool = format!("fault-{index}-{}", self.tf.version);
        let url = self.proxy.url.clone();
        let ws = Workspace::new(self.tf, &pool_config(&url, &pool, Some(4)));
        ws.init();
        let apply = ["apply", "-auto-approve", "-no-color"];
        self.step(
            &ws,
            &pool,
            fault,
            "create",
            Operation::SetLimit,
            &apply,
            Some(4),
        );
        let plan = ["plan", "-no-color"];
        self.step(
            &ws,
            &pool,
            fault,
            "refresh",
            Operation::ReadLimit,
            &plan,
            Some(4),
        );
        ws.write("main.tf", &pool_config(&url, &pool, Some(6)));
        self.step(
            &ws,
            &pool,
            fault,
            "update",
            Operation::SetLimit,
            &apply,
            Some(6),
        );
        self.step(
            &ws,
            &pool,
            fault,
            "data source",
            Operation::ReadInstance,
            &apply,
            Some(6),
        );
        let destroy = ["destroy", "-auto-approve", "-no-color"];
        self.step(
            &ws,
            &pool,
            fault,
            "delete",
            Operation::DeleteLimit,
            &destroy,
            None,
        );
    }
}

#[test]
fn every_fault_on_create_refresh_update_read_and_delete_leaves_state_equal_to_dagster() {
    let server = DagsterWebserver::start("");
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let runs: Vec<_> = clis()
            .iter()
            .map(|tf| {
                let server = &server;
                scope.spawn(move || {
                    let mut scenario = Scenario {
                        server,
                        proxy: FaultProxy::start(&server.url),
                        tf,
                        outcomes: Vec::new(),
                    };
                    for (index, fault) in FAULTS.iter().enumerate() {
                        scenario.lifecycle(*fault, index);
                    }
                    scenario.outcomes
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("a CLI's faults"))
            .collect()
    });
    println!("| terraform | fault | step | outcome | mutations Dagster received | diagnostic |");
    for outcome in &outcomes {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            outcome.cli,
            outcome.fault,
            outcome.step,
            if outcome.succeeded {
                "applied"
            } else {
                "failed, state = Dagster"
            },
            outcome.mutations_received,
            outcome.diagnostic
        );
    }
}

#[test]
fn a_webserver_restarted_or_down_between_plan_and_apply() {
    let mut server = DagsterWebserver::start("");
    for tf in clis() {
        let context = format!("terraform {}", tf.version);
        let pool = format!("restart-{}", tf.version);
        let ws = Workspace::new(tf, &pool_config(&server.url, &pool, Some(4)));
        ws.init().apply();

        // Restarted between plan and apply: the saved plan applies to the new process, and
        // the limit set before the restart was kept in the instance's storage.
        ws.write("main.tf", &pool_config(&server.url, &pool, Some(6)));
        ws.run(&["plan", "-no-color", "-out=tfplan"]).expect_code(0);
        server.restart();
        assert_eq!(dagster_limit(&server, &pool), Some(4), "{context}");
        ws.run(&["apply", "-no-color", "tfplan"]).expect_code(0);
        assert_eq!(dagster_limit(&server, &pool), Some(6), "{context}");
        assert_eq!(state_limit(&ws), Some(6), "{context}");

        // Down between plan and apply: the apply fails saying so, and the state keeps what
        // Dagster holds; once it is back, apply converges.
        ws.write("main.tf", &pool_config(&server.url, &pool, Some(8)));
        ws.run(&["plan", "-no-color", "-out=tfplan"]).expect_code(0);
        server.stop();
        let run = ws.run(&["apply", "-no-color", "tfplan"]);
        server.start_again();
        assert_eq!(run.code, 1, "{context}: {}", run.stdout);
        let stderr = one_line(&run.stderr);
        assert!(
            stderr.contains(&format!("cannot set the limit of pool \"{pool}\" to 8")),
            "{context}: {stderr}"
        );
        assert!(stderr.contains("cannot connect"), "{context}: {stderr}");
        assert!(
            stderr.contains("Check that the webserver is running"),
            "{context}: {stderr}"
        );
        assert_eq!(dagster_limit(&server, &pool), Some(6), "{context}");
        assert_eq!(state_limit(&ws), Some(6), "{context}");
        ws.apply();
        assert_eq!(dagster_limit(&server, &pool), Some(8), "{context}");
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
        ws.run(&["destroy", "-auto-approve", "-no-color"])
            .expect_code(0);
        assert_eq!(dagster_limit(&server, &pool), None, "{context}");
    }
}

#[test]
fn a_webserver_that_goes_silent_after_applying_gets_an_unknown_outcome_and_converges() {
    let server = DagsterWebserver::start("");
    let proxy = FaultProxy::start(&server.url);
    for tf in clis() {
        let context = format!("terraform {}", tf.version);
        let pool = format!("silent-{}", tf.version);
        let ws = Workspace::new(tf, &pool_config(&proxy.url, &pool, Some(4)));
        ws.init();
        // Every request reaches Dagster, and no answer comes back, the read-back's neither.
        proxy.inject(Operation::SetLimit, Fault::Stall, usize::MAX);
        proxy.inject(Operation::ReadLimit, Fault::Stall, usize::MAX);
        let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
        proxy.heal();
        assert_eq!(run.code, 1, "{context}: {}", run.stdout);
        let stderr = one_line(&run.stderr);
        for expected in [
            format!("cannot set the limit of pool \"{pool}\" to 4"),
            format!("no answer within {TIMEOUT_SECONDS} s"),
            "whether Dagster applied the change is unknown".to_owned(),
            "safe to repeat".to_owned(),
        ] {
            assert!(stderr.contains(&expected), "{context}: {stderr}");
        }
        // The one case where state and Dagster differ, and the diagnostic says it may: the
        // next apply sets the same limit again, and nothing is left to change.
        assert_eq!(dagster_limit(&server, &pool), Some(4), "{context}");
        assert_eq!(state_limit(&ws), None, "{context}");
        ws.apply();
        assert_eq!(state_limit(&ws), Some(4), "{context}");
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
    }
}
