//! A CI job without a reachable Dagster webserver, through real Terraform CLIs, against a
//! `dagster_pool_limit` in state (from the 0.1.0 state fixtures): a refreshing plan fails and
//! says what to do; the documented ways (`-refresh=false`, the data source in a `check` block)
//! plan.

use dagster_e2e::dagster_webserver::free_port;
use dagster_e2e::{clis, config, repo_root, Workspace};
use serde_json::Value;

/// The 0.1.0 state of the full configuration, reduced to its pool limit.
fn pool_limit_state() -> String {
    let path = repo_root().join("tests/fixtures/state-0.1.0/full/1.0.3.tfstate");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("state fixture"))
            .expect("state JSON");
    state["outputs"] = serde_json::json!({});
    let resources = state["resources"].as_array_mut().expect("resources");
    resources.retain(|resource| resource["type"] == "dagster_pool_limit");
    assert_eq!(resources.len(), 1);
    state.to_string()
}

/// A workspace with the pool limit in state and a webserver URL where nothing listens.
fn offline_workspace(tf: &dagster_e2e::Terraform, extra: &str) -> Workspace {
    let main_tf = config(&format!(
        "provider \"dagster\" {{\n  webserver_url = \"http://127.0.0.1:{}\"\n  retries       = 0\n}}\n\nresource \"dagster_pool_limit\" \"warehouse\" {{\n  pool  = \"warehouse\"\n  limit = 4\n}}\n{extra}",
        free_port()
    ));
    let ws = Workspace::new(tf, &main_tf);
    ws.write("terraform.tfstate", &pool_limit_state());
    ws.init();
    ws
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_refreshing_plan_names_the_ways_to_plan_without_the_webserver_and_refresh_false_works() {
    for tf in clis() {
        let ws = offline_workspace(tf, "");
        let plan = ws.run(&["plan", "-no-color"]);
        assert_eq!(plan.code, 1, "terraform {}: {}", tf.version, plan.stdout);
        let stderr = one_line(&plan.stderr);
        assert!(stderr.contains("cannot connect"), "{stderr}");
        assert!(stderr.contains("terraform plan -refresh=false"), "{stderr}");
        assert!(stderr.contains("`check` block"), "{stderr}");
        ws.run(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
    }
}

/// Terraform 1.5 and later: a data source in a `check` block that cannot be read is a warning.
#[test]
fn the_instance_data_source_in_a_check_block_warns_and_outside_one_says_to_move_it() {
    let check = "\ncheck \"dagster_live\" {\n  data \"dagster_instance_concurrency\" \"live\" {}\n\n  assert {\n    condition     = data.dagster_instance_concurrency.live.max_concurrent_runs == 5\n    error_message = \"the deployed Dagster does not run 5 runs at once\"\n  }\n}\n";
    let outside = "\ndata \"dagster_instance_concurrency\" \"live\" {}\n";
    let mut checked = 0;
    for tf in clis() {
        // `-refresh=false` does not skip data sources: the error says to use a `check` block.
        let ws = offline_workspace(tf, outside);
        let plan = ws.run(&["plan", "-refresh=false", "-no-color"]);
        assert_eq!(plan.code, 1, "terraform {}: {}", tf.version, plan.stdout);
        let stderr = one_line(&plan.stderr);
        assert!(stderr.contains("inside a `check` block"), "{stderr}");

        let [major, minor] = [0, 1].map(|i| {
            tf.version
                .split('.')
                .nth(i)
                .and_then(|part| part.parse::<u32>().ok())
                .unwrap_or_default()
        });
        if (major, minor) < (1, 5) {
            continue;
        }
        let ws = offline_workspace(tf, check);
        // The plan goes on; the read is put off to apply, which `-detailed-exitcode` counts as
        // a change (2), not a failure (1).
        let plan = ws.run(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
        assert_eq!(
            plan.code, 2,
            "terraform {}: {}\n{}",
            tf.version, plan.stdout, plan.stderr
        );
        let output = one_line(&format!("{}{}", plan.stdout, plan.stderr));
        assert!(output.contains("Warning"), "{output}");
        assert!(
            output.contains("cannot read the instance's concurrency settings"),
            "{output}"
        );
        checked += 1;
    }
    if checked == 0 {
        eprintln!("no Terraform 1.5 or later on PATH: the check block case was not run");
    }
}
