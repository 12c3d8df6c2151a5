//! Dagster chart versions and what each one introduced or broke.

use std::fmt;

/// A chart version `MAJOR.MINOR.PATCH` (chart versions follow Dagster core versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChartVersion {
    /// Major version.
    pub major: u64,
    /// Minor version.
    pub minor: u64,
    /// Patch version.
    pub patch: u64,
}

impl ChartVersion {
    /// Builds a version from its parts.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        ChartVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parses `1.12.14`, also with a leading `v` or a pre-release/build suffix (`1.12.14-rc1`),
    /// which is ignored for feature checks.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let mut next = || -> Option<u64> {
            let part = parts.next()?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let version = ChartVersion::new(next()?, next()?, next()?);
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for ChartVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The newest chart version this build knows; the default target.
pub const NEWEST_KNOWN: ChartVersion = ChartVersion::new(1, 13, 28);

/// First chart whose template renders `block_op_concurrency_limited_runs`.
pub const BLOCK_OP_RENDERED: ChartVersion = ChartVersion::new(1, 8, 13);

/// First chart with the top-level `concurrency` section (`pools`, `runs`).
pub const CONCURRENCY_SECTION: ChartVersion = ChartVersion::new(1, 12, 9);

/// First chart that no longer writes `max_concurrent_runs: -1` into both places when the
/// `concurrency` section is enabled (dagster issue 33225); 1.12.9 to 1.12.11 crash the daemon.
pub const CONCURRENCY_SECTION_FIXED: ChartVersion = ChartVersion::new(1, 12, 12);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(
            ChartVersion::parse("1.12.14"),
            Some(ChartVersion::new(1, 12, 14))
        );
        assert_eq!(
            ChartVersion::parse("v1.8.13"),
            Some(ChartVersion::new(1, 8, 13))
        );
        assert_eq!(
            ChartVersion::parse("1.12.9-rc1"),
            Some(ChartVersion::new(1, 12, 9))
        );
        for bad in [
            "", "1.12", "1.12.x", "latest", "1..2", "1.2.3.4", "-1.2.3", "1.2.+3",
        ] {
            assert_eq!(ChartVersion::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn orders_versions() {
        assert!(ChartVersion::new(1, 12, 11) < CONCURRENCY_SECTION_FIXED);
        assert!(ChartVersion::new(1, 9, 0) > BLOCK_OP_RENDERED);
        assert_eq!(NEWEST_KNOWN.to_string(), "1.13.28");
    }
}
