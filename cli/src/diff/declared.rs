//! What the files given to `diff` declare, and where: the Dagster deployment (one release,
//! values file or `dagster_concurrency` block, rendered as the chart would) and the pools'
//! own limits (`dagster_pool_limit` resources).

use crate::lowercase_first;
use crate::walk::{collect, Source, STDIN};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use validator::drift::{Declared, InstanceLimits, Subject};
use validator::input::pool_limits::{self, PoolLimits};
use validator::input::{self, Kind, Position, ReadOptions, Target, Written};
use validator::model::{Accepted, TagMatch};
use validator::rules::Source as TargetSource;
use validator::rules::{accept, Rejected};

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as named or found.
    pub path: String,
    /// Where in it.
    pub position: Position,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.position)
    }
}

/// The declared limits and where each is written.
#[derive(Debug, Default)]
pub struct DeclaredFiles {
    /// The limits.
    pub declared: Declared,
    /// Where the deployment is declared (its first declaration when several agree).
    deployment: Option<Deployment>,
    /// Where each pool's limit is declared.
    pools_at: BTreeMap<String, Location>,
    /// What was not compared, as `path:line:col: message`.
    pub notes: Vec<String>,
}

/// Where a deployment's limits are written.
#[derive(Debug)]
struct Deployment {
    /// The file and where the release, values or block starts.
    at: Location,
    /// Where each attribute is written.
    written: Vec<Written>,
    /// The key and matching of each tag limit, in order.
    tags: Vec<(String, TagMatch)>,
}

impl Deployment {
    /// Where `target`'s limits are written. The key and matching of each tag limit come from
    /// `accepted`, which `rules::accept` decodes with `TagLimit::matching()`: a matching not
    /// known yet or contradictory leaves the target unaccepted, and `read` says it is not
    /// compared before a deployment is made.
    fn new(target: &Target, accepted: &Accepted, at: Location) -> Self {
        Deployment {
            at,
            written: target.written.clone(),
            tags: accepted
                .tag_limits
                .iter()
                .map(|tag| (tag.key.clone(), tag.matching.clone()))
                .collect(),
        }
    }

    /// Where the first of `attrs` that is written is, else where the deployment starts.
    fn first_written(&self, attrs: &[String]) -> Location {
        let position = attrs.iter().find_map(|attr| {
            self.written
                .iter()
                .find(|written| written.attr == *attr)
                .map(|written| written.position)
        });
        Location {
            path: self.at.path.clone(),
            position: position.unwrap_or(self.at.position),
        }
    }

    /// Where `subject` is declared: its attribute when written (of two equal tag limits, the
    /// last, which is in force), else the deployment's start (a tag limit only deployed).
    fn locate(&self, subject: &Subject) -> Location {
        let attrs: Vec<String> = match subject {
            Subject::MaxConcurrentRuns => vec!["max_concurrent_runs".into()],
            Subject::TagLimit { key, matching } => self
                .tags
                .iter()
                .rposition(|(k, m)| {
                    // The chart drops an empty value under `concurrency.runs`.
                    k == key
                        && (m == matching
                            || (*m == TagMatch::Value(String::new())
                                && *matching == TagMatch::AnyValue))
                })
                .map(|index| format!("tag_concurrency_limit[{index}]"))
                .into_iter()
                .collect(),
            Subject::DefaultPoolLimit => vec!["pools.default_limit".into(), "pools".into()],
            Subject::RunQueue | Subject::PoolLimit(_) => Vec::new(),
        };
        self.first_written(&attrs)
    }
}

/// One file's text and kind; `None` for a file found by a walk that the validator does not
/// read (a `.json` that is not a plan).
fn read_source(source: &Source) -> Result<Option<(String, String, Kind)>, String> {
    let (shown, explicit, bytes) = match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            let read = std::io::stdin().read_to_end(&mut bytes).map(|_| bytes);
            (STDIN.to_owned(), true, read)
        }
        Source::File { path, explicit } => {
            (path.display().to_string(), *explicit, std::fs::read(path))
        }
    };
    let text = bytes
        .map_err(|error| lowercase_first(&error.to_string()))
        .and_then(input::decode)
        .map_err(|error| format!("{shown}: cannot read: {error}"))?;
    let kind = match source {
        Source::Stdin => Kind::sniff(&text),
        Source::File { path, .. } => Kind::detect(path, &text),
    };
    match (kind, explicit) {
        (Some(kind), _) => Ok(Some((shown, text, kind))),
        (None, false) => Ok(None),
        (None, true) => Err(format!(
            "{shown}: not a terraform file, plan json or helm values yaml (by extension or content)"
        )),
    }
}

impl DeclaredFiles {
    /// Reads every file named or found under a directory named. `Err` is the message of a
    /// usage error: a file that cannot be read, a configuration the rules reject, two
    /// deployments or two limits of one pool that disagree, or nothing declared at all.
    pub fn read(paths: &[PathBuf], options: &ReadOptions) -> Result<Self, String> {
        let mut sources = Vec::new();
        for path in paths {
            collect(path, &mut sources);
        }
        let mut seen = HashSet::new();
        sources.retain(|source| match source {
            Source::File { path, .. } => seen.insert(path.canonicalize().unwrap_or(path.clone())),
            Source::Stdin => true,
        });
        let mut out = DeclaredFiles::default();
        let mut deployments: Vec<(InstanceLimits, Deployment, String, TargetSource)> = Vec::new();
        let mut pools: Option<BTreeMap<String, i64>> = None;
        for source in &sources {
            let Some((shown, text, kind)) = read_source(source)? else {
                continue;
            };
            let at = |position| Location {
                path: shown.clone(),
                position,
            };
            let syntax = |error: input::SyntaxError| format!("{shown}:{error}");
            for target in input::read(kind, &text, options).map_err(syntax)? {
                match accept(&target.config) {
                    Ok(accepted) => deployments.push((
                        InstanceLimits::declared(&accepted),
                        Deployment::new(&target, &accepted, at(target.position)),
                        target.name,
                        target.source,
                    )),
                    Err(Rejected::Unknown) => out.notes.push(format!(
                        "{}: {}: limits known only after apply: not compared",
                        at(target.position),
                        target.name
                    )),
                    Err(Rejected::Errors(_)) => {
                        return Err(format!(
                            "{}: {} is not a valid configuration, so what it deploys is not known: run `dagster-concurrency check {shown}`",
                            at(target.position),
                            target.name
                        ))
                    }
                }
            }
            let read_pools = match kind {
                Kind::Hcl => pool_limits::from_hcl(&text),
                Kind::PlanJson => pool_limits::from_plan_json(&text),
                Kind::ValuesYaml => continue,
            };
            let PoolLimits { limits, notes } = read_pools.map_err(syntax)?;
            let declared = pools.get_or_insert_with(BTreeMap::new);
            for note in notes {
                out.notes
                    .push(format!("{}: {}", at(note.position), note.message));
            }
            for limit in limits {
                let here = at(limit.position);
                match (declared.get(&limit.pool), out.pools_at.get(&limit.pool)) {
                    (Some(&other), Some(first)) if other != limit.limit => {
                        return Err(format!(
                            "{here}: pool {:?} is declared with limit {} here and {other} at {first}: declare each pool once",
                            limit.pool, limit.limit
                        ))
                    }
                    (Some(_), _) => {}
                    (None, _) => {
                        declared.insert(limit.pool.clone(), limit.limit);
                        out.pools_at.insert(limit.pool, here);
                    }
                }
            }
        }
        // What Helm installs is a release or a values file; a `dagster_concurrency` only
        // renders values, so it stands for the deployment when no release is known.
        if deployments.iter().any(|(_, _, _, source)| source.is_raw()) {
            deployments.retain(|(_, _, _, source)| source.is_raw());
        }
        let mut distinct: Vec<(InstanceLimits, Deployment, String)> = Vec::new();
        for (limits, deployment, name, _) in deployments {
            let deployment = (limits, deployment, name);
            if !distinct.iter().any(|known| known.0 == deployment.0) {
                distinct.push(deployment);
            }
        }
        if distinct.len() > 1 {
            let listed: Vec<String> = distinct
                .iter()
                .map(|(_, deployment, name)| format!("{name} at {}", deployment.at))
                .collect();
            return Err(format!(
                "the files declare {} Dagster deployments with different limits ({}): diff the files of one deployment at a time",
                distinct.len(),
                listed.join(", ")
            ));
        }
        if let Some((limits, deployment, _)) = distinct.into_iter().next() {
            out.declared.instance = Some(limits);
            out.deployment = Some(deployment);
        }
        if out.declared.instance.is_none() && pools.as_ref().is_none_or(BTreeMap::is_empty) {
            return Err("nothing to compare: the files declare no Dagster release, values, dagster_concurrency or dagster_pool_limit with known limits".into());
        }
        out.declared.pool_limits = pools;
        Ok(out)
    }
}

impl DeclaredFiles {
    /// Where `subject` is declared: a pool's `dagster_pool_limit`, or the deployment's
    /// attribute; `None` for a pool declared nowhere.
    pub fn locate(&self, subject: &Subject) -> Option<Location> {
        match subject {
            Subject::PoolLimit(pool) => self.pools_at.get(pool).cloned(),
            _ => self
                .deployment
                .as_ref()
                .map(|deployment| deployment.locate(subject)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `diff` reads from one `.tf` file declaring a pool limit and a `dagster_concurrency`
    /// with `tag_limit` as its one tag limit: the notes it prints, or its usage error.
    fn read_with_tag_limit(tag_limit: &str) -> (String, Result<Vec<String>, String>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("main.tf");
        std::fs::write(
            &path,
            format!("variable \"team\" {{}}\n\nresource \"dagster_concurrency\" \"runs\" {{\n  max_concurrent_runs = 5\n\n  tag_concurrency_limit {{\n{tag_limit}  }}\n}}\n\nresource \"dagster_pool_limit\" \"db\" {{\n  pool  = \"db\"\n  limit = 2\n}}\n"),
        )
        .expect("write");
        let read = DeclaredFiles::read(std::slice::from_ref(&path), &ReadOptions::default());
        (
            path.display().to_string(),
            read.map(|files| {
                assert_eq!(files.declared.instance, None, "no deployment is compared");
                files.notes
            }),
        )
    }

    #[test]
    fn a_tag_limit_whose_value_is_not_known_is_not_compared() {
        let (path, read) =
            read_with_tag_limit("    key   = \"team\"\n    value = var.team\n    limit = 1\n");
        assert_eq!(
            read,
            Ok(vec![format!(
                "{path}:3:1: dagster_concurrency.runs: limits known only after apply: not compared"
            )])
        );
    }

    #[test]
    fn a_value_with_a_limit_per_unique_value_is_invalid_so_not_compared() {
        let (path, read) = read_with_tag_limit(
            "    key   = \"team\"\n    value = \"a\"\n    apply_limit_per_unique_value = true\n    limit = 1\n",
        );
        assert_eq!(
            read,
            Err(format!("{path}:3:1: dagster_concurrency.runs is not a valid configuration, so what it deploys is not known: run `dagster-concurrency check {path}`"))
        );
    }
}
