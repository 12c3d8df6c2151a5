//! `migrate` proven against the real tools: for every corpus file, the `dagster_concurrency`
//! resource that migrate writes is applied by real Terraform CLIs, and Helm's own `--set` parser
//! (the Helm oracle) reads its rendered `set` and the raw entries migrate removed into the same
//! values, apart from the two chart defaults the resource always writes; `migrate --verify`
//! builds the same values as Helm from both; and the rewritten files stay `terraform fmt` clean.

use dagster_e2e::oracle::HelmOracle;
use dagster_e2e::{clis, config, repo_root, Workspace};
use hcl_edit::Span;
use serde_json::{json, Value};
use validator::input::hcl;
use validator::migrate::{migrate, verify, Options};

/// Every corpus file and its text.
fn corpus() -> Vec<(String, String)> {
    let dir = repo_root().join("validator/tests/fixtures/migrate");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "tf"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("corpus file");
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            (name.into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

/// The migration guide's "Before" example: the first `terraform` block of its template.
fn guide_before() -> String {
    let guide =
        std::fs::read_to_string(repo_root().join("xtask/templates/guides/migrating-from-set.md"))
            .expect("guide template");
    let start = guide.find("```terraform\n").expect("a terraform block") + "```terraform\n".len();
    let end = start + guide[start..].find("```").expect("the block ends");
    guide[start..end].to_owned()
}

#[test]
fn migrated_files_stay_terraform_fmt_clean_with_either_line_ending() {
    let mut files = corpus();
    files.push(("the guide's Before".into(), guide_before()));
    for tf in clis() {
        for (file, text) in &files {
            for (ending, text) in [("LF", text.clone()), ("CRLF", text.replace('\n', "\r\n"))] {
                let ws = Workspace::new(tf, &text);
                let fmt = |what: &str| {
                    let run = ws.run(&["fmt", "-check", "-no-color", "main.tf"]);
                    assert_eq!(
                        run.code, 0,
                        "terraform {}: {file} ({ending}) {what}: fmt -check fails: {}{}",
                        tf.version, run.stdout, run.stderr
                    );
                };
                fmt("before migrate");
                let migration = migrate(&text, &Options::default()).expect("parses");
                assert!(!migration.refused_any(), "{file}: {:?}", migration.releases);
                assert_ne!(migration.text, text, "{file}: nothing migrated");
                ws.write("main.tf", &migration.text);
                fmt("after migrate");
            }
        }
    }
}

/// Where an umbrella chart holds the Dagster chart in the corpus.
const UMBRELLA_PREFIX: &str = "dagster.";

/// The raw run-limit entries of the file's helm releases as terraform-provider-helm hands
/// them to Helm (`{name, value, type}`, `set_string` typed `string`), and whether they sit
/// under the umbrella prefix.
fn raw_entries(text: &str) -> (Vec<Value>, bool) {
    let body = hcl::parse(text).expect("corpus parses");
    let mut out = Vec::new();
    let mut umbrella = false;
    let releases = hcl::resources(&body)
        .filter(|block| block.labels.first().map(|l| l.as_str()) == Some("helm_release"));
    for block in releases {
        let (entries, _) = hcl::set_entries(block);
        for entry in entries {
            let literal =
                |expr: Option<&hcl_edit::expr::Expression>| expr.and_then(hcl::literal_string);
            let Some(name) = literal(entry.name) else {
                continue;
            };
            let bare = name.strip_prefix(UMBRELLA_PREFIX);
            umbrella |= bare.is_some();
            let bare = bare.unwrap_or(&name);
            if !(bare.starts_with("dagsterDaemon.runCoordinator")
                || bare.starts_with("concurrency."))
            {
                continue;
            }
            let kind = match entry.family {
                "set_string" => "string".to_owned(),
                _ => literal(entry.kind).unwrap_or_else(|| "auto".into()),
            };
            out.push(json!({"name": name, "value": literal(entry.value).expect("literal value"), "type": kind}));
        }
    }
    (out, umbrella)
}

/// The `dagster_concurrency` blocks of a migrated file, renamed `label`, and its `variable`
/// blocks (which they may refer to).
fn resource_blocks(text: &str, label: &str) -> String {
    let body = hcl::parse(text).expect("migrated file parses");
    let variables = body
        .iter()
        .filter_map(|structure| structure.as_block())
        .filter(|block| block.ident.as_str() == "variable")
        .map(|block| {
            format!(
                "{}\n",
                &text[block.span().expect("parsed block has a span")]
            )
        });
    let resources = hcl::resources(&body)
        .filter(|block| block.labels.first().map(|l| l.as_str()) == Some("dagster_concurrency"))
        .map(|block| {
            let span = block.span().expect("parsed block has a span");
            let name = block.labels.get(1).map(|l| l.as_str()).unwrap_or_default();
            text[span].replacen(
                &format!("\"dagster_concurrency\" \"{name}\""),
                &format!("\"dagster_concurrency\" \"{label}\""),
                1,
            )
        });
    variables.chain(resources).collect()
}

/// The raw entries' values plus the chart defaults the resource always writes.
fn with_defaults(mut tree: Value, umbrella: bool) -> Value {
    let mut node = &mut tree;
    if umbrella {
        node = &mut node[UMBRELLA_PREFIX.trim_end_matches('.')];
    }
    let coordinator = &mut node["dagsterDaemon"]["runCoordinator"];
    if coordinator.get("enabled").is_none() {
        coordinator["enabled"] = json!(true);
    }
    if coordinator.get("type").is_none() {
        coordinator["type"] = json!("QueuedRunCoordinator");
    }
    tree
}

#[test]
fn verify_builds_the_values_helm_builds() {
    let mut helm = HelmOracle::start();
    for (file, text) in corpus() {
        let verifications = verify(&text, &Options::default()).expect("corpus parses");
        assert!(!verifications.is_empty(), "{file}: nothing to verify");
        for verification in verifications {
            assert!(verification.verified(), "{file}: {verification}");
            for (entries, values, what) in [
                (&verification.raw, &verification.raw_values, "raw"),
                (
                    &verification.rendered,
                    &verification.rendered_values,
                    "rendered",
                ),
            ] {
                let trees = helm.build(entries, "");
                assert_eq!(trees.error, None, "{file}: Helm refuses the {what} entries");
                assert_eq!(
                    trees.set_tree.as_ref(),
                    Some(values),
                    "{file}: verify reads the {what} entries {entries:?} unlike Helm"
                );
            }
        }
    }
}

#[test]
fn the_rendered_set_of_every_migrated_file_is_what_the_raw_entries_gave_helm() {
    let files = corpus();
    assert!(files.len() >= 8, "corpus is missing files");
    let mut resources = String::new();
    let mut removed = Vec::new();
    for (index, (file, text)) in files.iter().enumerate() {
        let migration = migrate(text, &Options::default()).expect("corpus parses");
        assert!(!migration.refused_any(), "{file}: {:?}", migration.releases);
        let label = format!("c{index}");
        resources.push_str(&resource_blocks(&migration.text, &label));
        resources.push_str(&format!(
            "\noutput \"{label}\" {{\n  value = dagster_concurrency.{label}.set\n}}\n\n"
        ));
        let (entries, umbrella) = raw_entries(text);
        assert!(!entries.is_empty(), "{file}: no raw entries");
        removed.push((file.clone(), label, entries, umbrella));
    }
    let mut helm = HelmOracle::start();
    let expected: Vec<Value> = removed
        .iter()
        .map(|(file, _, entries, umbrella)| {
            let trees = helm.build(entries, "");
            assert_eq!(trees.error, None, "{file}: Helm refuses the raw entries");
            with_defaults(trees.set_tree.expect("set tree"), *umbrella)
        })
        .collect();
    let text = config(&resources);
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init().apply();
        let outputs = ws.outputs();
        for ((file, label, _, _), expected) in removed.iter().zip(&expected) {
            let rendered = &outputs[label.as_str()]["value"];
            let trees = helm.build(rendered, "");
            assert_eq!(trees.error, None, "{file}: Helm refuses the rendered set");
            assert_eq!(
                trees.set_tree.as_ref(),
                Some(expected),
                "terraform {}: {file}: rendered {rendered:#}",
                tf.version
            );
        }
    }
}
