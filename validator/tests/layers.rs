//! The validator's modules depend one way, from the readers down to the facts: a module may use
//! the modules of the layers below its own, never one of its own layer or above. The check reads
//! every `crate::` path in `src/` (comments aside), `use` groups included.
//!
//! It does not follow `super::` paths; inside one top-level module they cannot leave it, and no
//! file is deep enough for a `super::` chain to reach the crate root.
//!
//! A second check keeps the constructor of `model::Accepted` to the rule engine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, bottom first.
const LAYERS: &[&[&str]] = &[
    // Chart versions.
    &["version"],
    // The settings (with the configuration the rules accept, which names its chart version),
    // attribute paths and places in text.
    &["model", "path", "position"],
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

/// A source text without its comments.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a source text names with `crate::` paths.
fn crate_modules(text: &str) -> BTreeSet<String> {
    let code = code(text);
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

/// Every `.rs` file under `src/`, with its path relative to `src/`.
fn crate_sources() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("source");
            let relative = file.strip_prefix(&src).expect("under src").to_path_buf();
            (relative, text)
        })
        .collect()
}

/// True for a module's unit-test file (`tests.rs`), compiled only for its tests: like the
/// crate's integration tests it sits above every layer (rendering's tests render what the
/// rules accepted).
fn is_test_file(relative: &Path) -> bool {
    relative.file_name().is_some_and(|name| name == "tests.rs")
}

#[test]
fn every_module_uses_only_layers_below_its_own() {
    let mut wrong = Vec::new();
    for (relative, text) in crate_sources() {
        if is_test_file(&relative) {
            continue;
        }
        let first = relative.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a module name");
        if module == "lib" {
            continue;
        }
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
    assert_eq!(violations("model", "use crate::path;"), ["model -> path"]);
    assert!(violations("model", "use crate::version;").is_empty());
}

/// The files that may seal a configuration as accepted: the rule engine, and the type itself.
fn may_accept(relative: &Path) -> bool {
    relative.starts_with("rules") || relative == Path::new("model/accepted.rs")
}

/// The places in a source text that name the constructor of `Accepted`. A method is only
/// called by its name, so a file that never names it cannot build an `Accepted`.
fn seals(text: &str) -> usize {
    code(text).matches("by_rules").count()
}

/// `Accepted::by_rules` is `pub(crate)` (Rust cannot grant it to `rules` alone); this keeps the
/// rest of the crate from building an accepted configuration the rules never saw.
#[test]
fn only_the_rules_build_an_accepted_configuration() {
    let mut wrong = Vec::new();
    let mut sealed_by_rules = 0;
    for (relative, text) in crate_sources() {
        let count = seals(&text);
        if may_accept(&relative) {
            sealed_by_rules += count;
        } else if count > 0 {
            wrong.push(relative.display().to_string());
        }
    }
    assert!(
        wrong.is_empty(),
        "only src/rules/ may call Accepted::by_rules:\n{}",
        wrong.join("\n")
    );
    // The definition and the rule engine's one call: the check looks for the right name.
    assert!(sealed_by_rules >= 2, "Accepted::by_rules was renamed");
}

#[test]
fn naming_the_seal_in_code_counts_and_in_a_comment_does_not() {
    assert_eq!(seals("let a = Accepted::by_rules(resolved);"), 1);
    assert_eq!(seals("use crate::model::Accepted; // not by_rules"), 0);
    assert!(may_accept(Path::new("rules/accept.rs")));
    assert!(!may_accept(Path::new("render/mod.rs")));
}
