//! Where plan JSON resources are written. A plan's `configuration` names each module's source
//! directory but holds no file positions, so the `.tf` files of the root module and of local
//! modules are read (once per directory) and a plan finding is placed where the HCL reader finds
//! the same resource and attribute. Roots are tried in order: the plan's own directory, then
//! the directories checked alongside it.

use super::{hcl, parents, Declaration, Origin, Place, Position, ReadOptions, Target};
use crate::rules::Finding;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The `.tf` sources of plan resources, read on demand.
#[derive(Debug, Default)]
pub struct Sources {
    roots: Vec<PathBuf>,
    /// The Terraform targets of each directory read.
    modules: HashMap<PathBuf, Module>,
}

/// The Terraform targets of one directory, with the file each came from, and the first of each
/// name (a plan of thousands of resources looks each up: a search through the list was
/// quadratic).
#[derive(Debug, Default)]
struct Module {
    targets: Vec<(PathBuf, Target)>,
    by_name: HashMap<String, usize>,
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
    pub fn place(&mut self, target: &Target, findings: &mut [Finding<Place>]) {
        let Some(declared) = &target.declared else {
            return;
        };
        if findings.is_empty() {
            return;
        }
        let Some((file, written)) = self.declaration(declared) else {
            for finding in findings {
                finding.at.origin = None;
            }
            return;
        };
        for finding in findings {
            finding.at.origin = Some(Origin {
                path: file.display().to_string(),
                position: written_at(written, &finding.at),
            });
        }
    }

    /// The file and target that declare `declared`, in the first root whose module does.
    fn declaration(&mut self, declared: &Declaration) -> Option<(&Path, &Target)> {
        let dirs: Vec<PathBuf> = self
            .roots
            .iter()
            .map(|root| root.join(&declared.module_dir))
            .collect();
        for dir in &dirs {
            self.modules
                .entry(dir.clone())
                .or_insert_with(|| Module::read(dir));
        }
        dirs.iter().find_map(|dir| {
            let module = self.modules.get(dir)?;
            let (file, target) = &module.targets[*module.by_name.get(&declared.address)?];
            Some((file.as_path(), target))
        })
    }
}

impl Module {
    /// The targets of the `.tf` files directly in `dir` (files that do not parse hold none).
    fn read(dir: &Path) -> Module {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "tf"))
            .collect();
        files.sort();
        let targets: Vec<(PathBuf, Target)> = files
            .into_iter()
            .flat_map(|file| {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                let targets = hcl::read(super::without_bom(&text), &ReadOptions::default())
                    .unwrap_or_default();
                targets.into_iter().map(move |t| (file.clone(), t))
            })
            .collect();
        let mut by_name = HashMap::new();
        for (index, (_, target)) in targets.iter().enumerate() {
            by_name.entry(target.name.clone()).or_insert(index);
        }
        Module { targets, by_name }
    }
}

/// Where `target` (read from HCL) writes what a plan finding is about: the finding's model
/// attribute or its closest written parent, else the same values key, else the block.
fn written_at(target: &Target, place: &Place) -> Position {
    let by_attr = |attr: &str| target.written.iter().find(|w| w.attr == attr);
    place
        .attribute
        .as_ref()
        .map(ToString::to_string)
        .and_then(|attr| {
            std::iter::once(attr.as_str())
                .chain(parents(&attr))
                .find_map(by_attr)
        })
        .or_else(|| target.written.iter().find(|w| w.subject == place.subject))
        .map_or(target.position, |w| w.position)
}
