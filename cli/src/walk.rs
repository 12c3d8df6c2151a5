//! What `check` reads: standard input, the files named, and the files found in the directories
//! named.

use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// Where `check` reads from.
pub enum Source {
    /// A file named on the command line (always read) or found in a directory.
    File {
        /// Its path.
        path: PathBuf,
        /// Named on the command line rather than found by a walk.
        explicit: bool,
    },
    /// Standard input (`-`).
    Stdin,
}

/// How standard input is named in reports.
pub const STDIN: &str = "<stdin>";

/// Directories skipped while walking: Terraform's working data, VCS data, and chart templates
/// (Go templates, not YAML).
fn skipped_directory(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.') || name == "templates" || name == "node_modules"
}

/// Whether a walk reads a file with this name.
fn readable_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("tf" | "yaml" | "yml" | "json")
    )
}

/// Lists what to check: `-` is standard input, other paths on the command line are always
/// read, and directories are walked (following symbolic links, in name order) for the files
/// the validator reads, leaving out what `.gitignore` and `.ignore` files exclude (in a Git
/// repository or not). A symbolic link back to a directory being walked is not followed,
/// and is reported on standard error.
pub fn collect(path: &Path, out: &mut Vec<Source>) {
    if path == Path::new("-") {
        out.push(Source::Stdin);
        return;
    }
    if !path.is_dir() {
        out.push(Source::File {
            path: path.to_path_buf(),
            explicit: true,
        });
        return;
    }
    let walk = WalkBuilder::new(path)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        // Hidden directories are skipped below; a hidden file is read like any other.
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_some_and(|t| t.is_dir()) && skipped_directory(e.path()))
        })
        .build();
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_dir()) => {}
            Ok(entry) if readable_extension(entry.path()) => out.push(Source::File {
                path: entry.into_path(),
                explicit: false,
            }),
            Ok(_) => {}
            Err(error) => walk_error(&error, None, 0, out),
        }
    }
}

/// Reports a walk error: a symbolic link loop on standard error; a directory that cannot be
/// listed, or a broken link to a file the walk reads, as an unreadable file; a malformed
/// ignore file on standard error. `path` and `depth` are what the layers around `error` said.
fn walk_error(error: &ignore::Error, path: Option<&Path>, depth: usize, out: &mut Vec<Source>) {
    match error {
        ignore::Error::WithPath { path, err } => walk_error(err, Some(path), depth, out),
        ignore::Error::WithDepth { depth, err } => walk_error(err, path, *depth, out),
        ignore::Error::Loop { ancestor, child } => eprintln!(
            "warning: {}: a symbolic link loop back to {}: not followed",
            child.display(),
            ancestor.display()
        ),
        ignore::Error::Io(_) => match path {
            Some(failed) if depth == 0 || failed.is_dir() || readable_extension(failed) => out
                .push(Source::File {
                    path: failed.to_path_buf(),
                    explicit: true,
                }),
            _ => {}
        },
        other => eprintln!("warning: {other}"),
    }
}
