//! The committed `docs/` must be exactly what the generator writes from the current schema,
//! rules and examples, and every resource and data source must have its example.

use std::path::Path;

#[test]
fn committed_docs_match_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let docs = xtask::generate(root).unwrap_or_else(|e| panic!("docs generation failed: {e}"));
    assert!(docs.problems.is_empty(), "{}", docs.problems.join("\n"));
    let stale = xtask::stale(root, &docs.pages);
    assert!(
        stale.is_empty(),
        "docs/ is out of date ({}): run `{}` and commit the result",
        stale
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        xtask::REGENERATE
    );
}
