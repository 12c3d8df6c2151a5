//! Workspace tasks. The one task today writes the Terraform registry documentation
//! (`docs/`) from the provider's own schema, the rule registry and `examples/`, so the pages
//! cannot drift from the code: `cargo run -p xtask -- docs`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod markdown;
mod pages;
mod provider_schema;
mod rules_markdown;
mod schema_markdown;
mod template;

use std::fmt;
use std::path::{Path, PathBuf};

pub use pages::{generate, Docs};

/// The command that rewrites the committed docs.
pub const REGENERATE: &str = "cargo run -p xtask -- docs";

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the workspace root (`docs/resources/concurrency.md`).
    pub path: PathBuf,
    /// Full contents.
    pub text: String,
}

/// Why the docs could not be generated.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Reads a file under the workspace root, naming it in the error.
fn read(root: &Path, relative: &str) -> Result<String, Error> {
    std::fs::read_to_string(root.join(relative))
        .map_err(|e| Error::new(format!("cannot read {relative}: {e}")))
}

/// Writes every page under `root` and removes files of the generated folders that no page
/// produces (a resource that is gone); returns how many files changed.
pub fn write(root: &Path, pages: &[Page]) -> Result<usize, Error> {
    let mut changed = 0;
    for page in pages {
        let target = root.join(&page.path);
        if std::fs::read_to_string(&target).ok().as_deref() == Some(page.text.as_str()) {
            continue;
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
        }
        std::fs::write(&target, &page.text)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", page.path.display())))?;
        changed += 1;
    }
    for orphan in orphans(root, pages) {
        std::fs::remove_file(root.join(&orphan))
            .map_err(|e| Error::new(format!("cannot remove {}: {e}", orphan.display())))?;
        changed += 1;
    }
    Ok(changed)
}

/// The generated files whose committed copy under `root` is missing or differs, plus the
/// files of the generated folders that no page produces.
pub fn stale(root: &Path, pages: &[Page]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = pages
        .iter()
        .filter(|page| {
            std::fs::read_to_string(root.join(&page.path))
                .ok()
                .as_deref()
                != Some(page.text.as_str())
        })
        .map(|page| page.path.clone())
        .collect();
    out.extend(orphans(root, pages));
    out
}

/// Files in the folders the generator owns entirely (`docs/resources`, `docs/data-sources`)
/// that no page produces.
fn orphans(root: &Path, pages: &[Page]) -> Vec<PathBuf> {
    pages::GENERATED_FOLDERS
        .iter()
        .flat_map(|folder| {
            std::fs::read_dir(root.join(folder))
                .into_iter()
                .flatten()
                .flatten()
                .map(move |entry| Path::new(folder).join(entry.file_name()))
        })
        .filter(|relative| !pages.iter().any(|page| &page.path == relative))
        .collect()
}
