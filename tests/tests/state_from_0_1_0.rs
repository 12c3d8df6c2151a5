//! State written by release 0.1.0 (commit ded508f), kept in `tests/fixtures/state-0.1.0` with
//! the script that made it: the current build plans against each with no changes, on every
//! CLI that can read it (the one that wrote it, and newer ones). The one change allowed is the
//! layout of YAML text in a root output taken from a data source, which has no prior state to
//! keep its text from (keys are no longer all quoted): the output must read as the same YAML,
//! and no resource may change. Terraform 1.0.3 counts such an output change in its exit code.

#[path = "common/state_size.rs"]
mod state_size;

use dagster_e2e::dagster_webserver::DagsterWebserver;
use dagster_e2e::{clis, repo_root, Terraform, Workspace};
use std::path::PathBuf;
use validator::input::values_yaml;
use validator::position::Position;

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/state-0.1.0")
}

/// `1.11.4` as `[1, 11, 4]`, for comparing versions.
fn version(text: &str) -> Vec<u32> {
    text.split('.')
        .map(|part| part.parse().unwrap_or_default())
        .collect()
}

/// Each state file of `config` with the CLIs that may read it (Terraform refuses state written
/// by a newer version than itself).
fn states(config: &str) -> Vec<(PathBuf, Vec<&'static Terraform>)> {
    let dir = fixtures().join(config);
    let mut states: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tfstate"))
        .map(|path| {
            let written_by = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .map(version)
                .unwrap_or_default();
            let readers = clis()
                .iter()
                .filter(|tf| version(&tf.version) >= written_by)
                .collect();
            (path, readers)
        })
        .collect();
    states.sort_by(|(a, _), (b, _)| a.cmp(b));
    assert!(
        states
            .iter()
            .any(|(path, _)| path.ends_with("1.0.3.tfstate")),
        "no state of Terraform 1.0.3 in {}: run make.sh there",
        dir.display()
    );
    states
}

/// Plans `config` against each of its 0.1.0 states; every plan must have nothing to change.
fn plans_without_changes(config: &str, vars: &[String]) {
    let main_tf =
        std::fs::read_to_string(fixtures().join(config).join("main.tf")).expect("main.tf");
    let mut planned = 0;
    for (state, readers) in states(config) {
        for tf in readers {
            let ws = Workspace::new(tf, &main_tf);
            ws.write(
                "terraform.tfstate",
                &std::fs::read_to_string(&state).expect("state fixture"),
            );
            ws.init();
            let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-out=p.tfplan"];
            args.extend(vars.iter().map(String::as_str));
            let plan = ws.run(&args);
            let changes = if plan.code == 2 {
                let shown = ws.run(&["show", "-json", "p.tfplan"]);
                assert_eq!(shown.code, 0, "{}", shown.stderr);
                real_changes(&shown.stdout)
            } else {
                Vec::new()
            };
            assert!(
                matches!(plan.code, 0 | 2) && changes.is_empty(),
                "terraform {} planned changes against {}: {changes:?}\nstdout:\n{}\nstderr:\n{}",
                tf.version,
                state.display(),
                plan.stdout,
                plan.stderr
            );
            planned += 1;
        }
    }
    assert!(planned > 0);
}

/// Whether two JSON strings hold YAML text that reads as the same value.
fn same_yaml(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let parse = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|text| values_yaml::parse(text, Position::START).ok())
    };
    match (parse(a), parse(b)) {
        (Some(Some(a)), Some(Some(b))) => a.same_value(&b),
        (Some(None), Some(None)) => true,
        _ => false,
    }
}

/// What a plan JSON changes beyond outputs whose YAML text reads as the same value.
fn real_changes(plan_json: &str) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_str(plan_json).expect("plan json");
    let mut changes = Vec::new();
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let actions = &change["change"]["actions"];
        if actions != &serde_json::json!(["no-op"]) && actions != &serde_json::json!(["read"]) {
            changes.push(format!("{} {actions}", change["address"]));
        }
    }
    for (name, change) in plan["output_changes"].as_object().into_iter().flatten() {
        let (before, after) = (&change["before"], &change["after"]);
        if before != after && !same_yaml(before, after) {
            changes.push(format!("output {name}: {before} -> {after}"));
        }
    }
    changes
}

#[test]
fn only_yaml_layout_is_forgiven() {
    let plan = |before: &str, after: &str, actions: &str| {
        format!(
            r#"{{"resource_changes":[{{"address":"a.b","change":{{"actions":{actions}}}}}],"output_changes":{{"o":{{"before":{before:?},"after":{after:?}}}}}}}"#
        )
    };
    assert!(real_changes(&plan("\"a\": 1\n", "a: 1\n", r#"["no-op"]"#)).is_empty());
    assert_eq!(
        real_changes(&plan("a: 1\n", "a: 2\n", r#"["no-op"]"#)).len(),
        1
    );
    assert_eq!(
        real_changes(&plan("a: 1\n", "a: 1\n", r#"["update"]"#)).len(),
        1
    );
}

#[test]
fn the_seed_state_of_0_1_0_plans_with_no_changes() {
    plans_without_changes("seed", &[]);
}

#[test]
fn a_full_state_of_0_1_0_plans_with_no_changes() {
    // The pool limit is read back from a live instance: one that holds what 0.1.0 applied.
    let server = DagsterWebserver::start("");
    server.set_pool_limit("warehouse", 4);
    plans_without_changes("full", &[format!("-var=webserver_url={}", server.url)]);
}

/// The seed's 0.1.0 state as 0.1.0 wrote it for a configuration that leaves `chart_version`
/// unset (`null`, schema version 0), with that configuration.
fn unpinned_seed(state: &str) -> (String, String) {
    let main_tf = std::fs::read_to_string(fixtures().join("seed/main.tf")).expect("main.tf");
    let unpinned = main_tf
        .lines()
        .filter(|line| !line.trim_start().starts_with("chart_version"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(
        unpinned.trim(),
        main_tf.trim(),
        "the seed pins chart_version"
    );
    let mut state: serde_json::Value = serde_json::from_str(state).expect("state json");
    for resource in state["resources"].as_array_mut().expect("resources") {
        for instance in resource["instances"].as_array_mut().expect("instances") {
            assert_eq!(instance["schema_version"], 0);
            instance["attributes"]["chart_version"] = serde_json::Value::Null;
        }
    }
    (unpinned, state.to_string())
}

#[test]
fn a_null_chart_version_of_0_1_0_is_upgraded_so_even_refresh_false_plans_no_changes() {
    for (path, readers) in states("seed") {
        let fixture = std::fs::read_to_string(&path).expect("state fixture");
        let (main_tf, state) = unpinned_seed(&fixture);
        for tf in readers {
            let ws = Workspace::new(tf, &main_tf);
            ws.write("terraform.tfstate", &state);
            ws.init();
            let plan = ws.run(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
            assert_eq!(
                plan.code,
                0,
                "terraform {} against {}:\n{}\n{}",
                tf.version,
                path.display(),
                plan.stdout,
                plan.stderr
            );
        }
    }
}

/// The attributes of the one `dagster_concurrency` in a state file.
fn seed_attributes(state: &str) -> serde_json::Value {
    let state: serde_json::Value = serde_json::from_str(state).expect("state json");
    let resource = state["resources"]
        .as_array()
        .and_then(|resources| {
            resources
                .iter()
                .find(|r| r["type"] == "dagster_concurrency")
        })
        .expect("a dagster_concurrency");
    resource["instances"][0]["attributes"].clone()
}

#[test]
fn a_new_seed_state_holds_the_same_outputs_as_0_1_0_in_fewer_bytes() {
    // Every output users may reference keeps its value (YAML text by value: only new resources
    // get today's layout, an existing one keeps its text), in fewer bytes per resource than
    // 0.1.0 wrote (today's YAML layout and no private data: 2,384 B against 2,513 B).
    let main_tf = std::fs::read_to_string(fixtures().join("seed/main.tf")).expect("main.tf");
    for (path, readers) in states("seed") {
        let fixture = std::fs::read_to_string(&path).expect("state fixture");
        let before = state_size::measure(&fixture, "dagster_concurrency");
        let old = seed_attributes(&fixture);
        for tf in readers {
            let ws = Workspace::new(tf, &main_tf);
            ws.init().apply();
            let state =
                std::fs::read_to_string(ws.path().join("terraform.tfstate")).expect("state");
            let new = seed_attributes(&state);
            for output in ["id", "set"] {
                assert_eq!(
                    new[output], old[output],
                    "{output}, terraform {}",
                    tf.version
                );
            }
            for output in ["values_yaml", "instance_yaml"] {
                assert!(
                    same_yaml(&new[output], &old[output]),
                    "{output}, terraform {}: {} against {}",
                    tf.version,
                    new[output],
                    old[output]
                );
            }
            let after = state_size::measure(&state, "dagster_concurrency");
            println!(
                "terraform {}: {} B per resource, {} B in {} | {}",
                tf.version,
                after.per_instance(),
                before.per_instance(),
                path.display(),
                after.shares(0)
            );
            assert!(
                after.per_instance() < before.per_instance(),
                "terraform {}: {} B per resource against {} B in {} ({})",
                tf.version,
                after.per_instance(),
                before.per_instance(),
                path.display(),
                after.shares(0)
            );
        }
    }
}
