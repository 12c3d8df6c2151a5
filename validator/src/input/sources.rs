//! Where plan JSON resources are written. A plan's `configuration` names each module's source
//! directory but holds no file positions, so the `.tf` files of the root module and of local
//! modules are read (once per directory) and a plan finding is placed where the HCL reader finds
//! the same resource and attribute. Roots are tried in order: the plan's own directory, then
//! the directories checked alongside it.

use super::{hcl, parents, Declaration, Diagnostic, Origin, Position, ReadOptions, Target};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The `.tf` sources of plan resources, read on demand.
#[derive(Debug, Default)]
pub struct Sources {
    roots: Vec<PathBuf>,
    /// The Terraform targets of each directory read, with the file each came from.
    modules: HashMap<PathBuf, Vec<(PathBuf, Target)>>,
}

impl Sources {
    /// Sources found under `roots`, tried in order as the root module's directory.
    pub fn new(roots: Vec<PathBuf>) -> Self {
        Sources {
            roots,
            modules: HashMap::new(),
        }
    }

    /// Gives each finding of a plan `target` the `.tf` place its resource and attribute are
    /// written, when a root holds the module and the module declares the resource.
    pub fn place(&mut self, target: &Target, diagnostics: &mut [Diagnostic]) {
        let Some(declared) = &target.declared else {
            return;
        };
        for diagnostic in diagnostics {
            diagnostic.origin = self.origin(declared, diagnostic);
        }
    }

    fn origin(&mut self, declared: &Declaration, diagnostic: &Diagnostic) -> Option<Origin> {
        for root in self.roots.clone() {
            let dir = root.join(&declared.module_dir);
            let found = self
                .module(&dir)
                .iter()
                .find(|(_, target)| target.name == declared.address);
            if let Some((file, target)) = found {
                let position = written_at(target, diagnostic);
                return Some(Origin {
                    path: file.display().to_string(),
                    position,
                });
            }
        }
        None
    }

    /// The targets of the `.tf` files directly in `dir` (files that do not parse hold none).
    fn module(&mut self, dir: &Path) -> &[(PathBuf, Target)] {
        self.modules.entry(dir.to_path_buf()).or_insert_with(|| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|e| e == "tf"))
                .collect();
            files.sort();
            files
                .into_iter()
                .flat_map(|file| {
                    let text = std::fs::read_to_string(&file).unwrap_or_default();
                    let targets = hcl::read(super::without_bom(&text), &ReadOptions::default())
                        .unwrap_or_default();
                    targets.into_iter().map(move |t| (file.clone(), t))
                })
                .collect()
        })
    }
}

/// Where `target` (read from HCL) writes what a plan finding is about: the finding's model
/// attribute or its closest written parent, else the same values key, else the block.
fn written_at(target: &Target, diagnostic: &Diagnostic) -> Position {
    let by_attr = |attr: &str| target.written.iter().find(|w| w.attr == attr);
    diagnostic
        .attribute
        .as_deref()
        .and_then(|attr| std::iter::once(attr).chain(parents(attr)).find_map(by_attr))
        .or_else(|| {
            target
                .written
                .iter()
                .find(|w| w.subject == diagnostic.subject)
        })
        .map_or(target.position, |w| w.position)
}
