//! The validator's modules depend one way, from the readers down to the facts: a module may use
//! the modules of the layers below its own, never one of its own layer or above. The check reads
//! every `crate::` path in `src/` (comments aside), `use` groups included.
//!
//! It does not follow `super::` paths; inside one top-level module they cannot leave it, and no
//! file is deep enough for a `super::` chain to reach the crate root.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, bottom first.
const LAYERS: &[&[&str]] = &[
    // The settings, attribute paths, chart versions and places in text.
    &["model", "path", "position", "version"],
    // The Dagster chart's facts; the configurations tests share.
    &["chart", "testing"],
    // Helm values as read, with where each node was written.
    &["tree"],
    // Checking and rendering, independent of each other.
    &["render", "rules"],
    // Organisation policy (rules of its own, on the rule engine's machinery), and drift
    // (declared limits, as rendered, against deployed ones).
    &["policy", "drift"],
    // Readers of Terraform HCL, plan JSON and values YAML.
    &["input"],
    // Rewrites raw entries, reading and rendering.
    &["migrate"],
];

/// The layer of a top-level module.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules a source text names with `crate::` paths.
fn crate_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            let mut word = String::new();
            // The first word of each item at the group's own depth is a module.
            for c in group.chars() {
                if c.is_alphanumeric() || c == '_' {
                    word.push(c);
                    continue;
                }
                if !word.is_empty() {
                    if item_start && depth == 0 {
                        found.insert(std::mem::take(&mut word));
                    }
                    item_start = false;
                    word.clear();
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    _ => {}
                }
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(word);
        }
    }
    found
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The uses against the direction in a file of `module`: `module -> used` for each.
fn violations(module: &str, text: &str) -> Vec<String> {
    let own = layer(module).unwrap_or_else(|| panic!("module {module} is in no layer"));
    crate_modules(text)
        .into_iter()
        .filter(|used| used != module)
        .filter(|used| {
            layer(used)
                .unwrap_or_else(|| panic!("{module} uses crate::{used}, which is in no layer"))
                >= own
        })
        .map(|used| format!("{module} -> {used}"))
        .collect()
}

#[test]
fn every_module_uses_only_layers_below_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a module name");
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source");
        for violation in violations(module, &text) {
            wrong.push(format!("{}: {violation}", relative.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the direction:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn an_import_upwards_or_sideways_is_a_violation() {
    let text = "use crate::{\n    model::Setting,\n    render::{helm_set::name_of, Segment},\n};\n\
                // crate::input in a comment\nfn f() { crate::input::read(); }\n";
    assert_eq!(
        violations("rules", text),
        ["rules -> input", "rules -> render"]
    );
    assert!(violations("input", text).is_empty());
    assert_eq!(
        violations("model", "use crate::version;"),
        ["model -> version"]
    );
}
