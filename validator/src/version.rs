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

    /// Parses exact SemVer 2.0 text, as Helm requires of a chart version: `1.12.14`, or with a
    /// pre-release or build suffix (`1.12.9-rc1`, ignored for feature checks). No leading `v`,
    /// no spaces, no leading zeros: Helm compares the text, and `v1.12.14` names no chart.
    pub fn parse(text: &str) -> Option<Self> {
        let version = semver::Version::parse(text).ok()?;
        Some(ChartVersion::new(
            version.major,
            version.minor,
            version.patch,
        ))
    }

    /// Reads a version the way Helm's `--version` constraint does for one exact version: spaces
    /// around it, a leading `v` and leading zeros are accepted (`v1.12.14` selects 1.12.14).
    /// Used for a `helm_release`'s `version` and `--chart-version`, and to suggest the exact text.
    pub fn parse_loose(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
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

    /// The exact SemVer text Helm resolves a loosely written version to (`v1.12.14`,
    /// `01.12.14 ` -> `1.12.14`; a pre-release suffix is kept), or `None` when it names none.
    pub fn exact_text(text: &str) -> Option<String> {
        let version = ChartVersion::parse_loose(text)?;
        let text = text.trim();
        let suffix = text.find(['-', '+']).map_or("", |at| &text[at..]);
        let exact = format!("{version}{suffix}");
        ChartVersion::parse(&exact).map(|_| exact)
    }

    /// True for a version inside the listed range (0.10.0 to [`NEWEST_KNOWN`]) that the Dagster
    /// chart repository never published (see [`RELEASED`]), such as `1.12.99`.
    pub fn never_released(self) -> bool {
        let listed = RELEASED.iter().any(|series| series.holds(self));
        !listed && (RELEASED[0].first()..=NEWEST_KNOWN).contains(&self)
    }
}

/// The released patches of one minor series of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Major version.
    pub major: u64,
    /// Minor version.
    pub minor: u64,
    /// The first and the last released patch.
    pub patches: std::ops::RangeInclusive<u64>,
    /// Patches between them that were never released.
    pub missing: &'static [u64],
}

impl Series {
    const fn new(
        major: u64,
        minor: u64,
        patches: std::ops::RangeInclusive<u64>,
        missing: &'static [u64],
    ) -> Self {
        Series {
            major,
            minor,
            patches,
            missing,
        }
    }

    /// Whether `version` is one of this series' releases.
    fn holds(&self, version: ChartVersion) -> bool {
        (self.major, self.minor) == (version.major, version.minor)
            && self.patches.contains(&version.patch)
            && !self.missing.contains(&version.patch)
    }

    /// The series' first release.
    fn first(&self) -> ChartVersion {
        ChartVersion::new(self.major, self.minor, *self.patches.start())
    }

    /// The series' newest release.
    pub fn last(&self) -> ChartVersion {
        ChartVersion::new(self.major, self.minor, *self.patches.end())
    }
}

/// Every released Dagster chart version from 0.10.0 (the first with the daemon's queued run
/// coordinator) to [`NEWEST_KNOWN`], per minor series.
///
/// The chart is released with Dagster core, version for version. The list is the `dagster`
/// package's release history on PyPI (`pip index versions dagster`, read 2026-12-02), which has
/// no 0.14.18, 1.0.5, 1.1.0, 1.1.16 or 1.8.3; the 1.12 series was checked against the release
/// headings of dagster-io/dagster's CHANGES.md, which says 1.12.16 was yanked from PyPI (its
/// webserver package lacked the web app) after its chart was published, so it counts as released.
pub const RELEASED: &[Series] = &[
    Series::new(0, 10, 0..=9, &[]),
    Series::new(0, 11, 0..=16, &[]),
    Series::new(0, 12, 0..=15, &[]),
    Series::new(0, 13, 0..=19, &[]),
    Series::new(0, 14, 0..=20, &[18]),
    Series::new(0, 15, 0..=10, &[]),
    Series::new(1, 0, 0..=17, &[5]),
    Series::new(1, 1, 1..=21, &[16]),
    Series::new(1, 2, 0..=7, &[]),
    Series::new(1, 3, 0..=14, &[]),
    Series::new(1, 4, 0..=17, &[]),
    Series::new(1, 5, 0..=14, &[]),
    Series::new(1, 6, 0..=14, &[]),
    Series::new(1, 7, 0..=16, &[]),
    Series::new(1, 8, 0..=13, &[3]),
    Series::new(1, 9, 0..=13, &[]),
    Series::new(1, 10, 0..=21, &[]),
    Series::new(1, 11, 0..=16, &[]),
    Series::new(1, 12, 0..=22, &[]),
    Series::new(1, 13, 0..=28, &[]),
];

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
    fn parses_exact_semver_only() {
        assert_eq!(
            ChartVersion::parse("1.12.14"),
            Some(ChartVersion::new(1, 12, 14))
        );
        assert_eq!(
            ChartVersion::parse("1.12.9-rc1"),
            Some(ChartVersion::new(1, 12, 9))
        );
        for bad in [
            "", "1.12", "1.12.x", "latest", "1..2", "1.2.3.4", "-1.2.3", "1.2.+3", "v1.12.14",
            "1.12.14 ", " 1.12.14", "01.12.14", "1.012.14", "1.12.014",
        ] {
            assert_eq!(ChartVersion::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn loose_parsing_reads_what_helm_version_constraints_read() {
        for loose in ["v1.12.14", "1.12.14 ", "01.12.14", "1.12.14-rc1"] {
            assert_eq!(
                ChartVersion::parse_loose(loose),
                Some(ChartVersion::new(1, 12, 14)),
                "{loose:?}"
            );
        }
        assert_eq!(ChartVersion::parse_loose("latest"), None);
        assert_eq!(
            ChartVersion::exact_text(" v01.12.9-rc1 ").as_deref(),
            Some("1.12.9-rc1")
        );
        assert_eq!(
            ChartVersion::exact_text("1.12.14").as_deref(),
            Some("1.12.14")
        );
        assert_eq!(ChartVersion::exact_text("1.12.14-"), None);
    }

    #[test]
    fn never_released_versions() {
        let never = |text: &str| ChartVersion::parse(text).expect("version").never_released();
        for released in ["1.13.28", "1.12.14", "1.12.16", "1.8.13", "1.1.1", "0.10.0"] {
            assert!(!never(released), "{released}");
        }
        for unreleased in ["1.12.99", "1.8.3", "1.1.0", "1.12.23", "1.0.5"] {
            assert!(never(unreleased), "{unreleased}");
        }
        // Outside the listed range: newer ones are DC503's, older ones are not claimed.
        for outside in ["1.13.29", "1.14.0", "2.0.0", "0.9.0"] {
            assert!(!never(outside), "{outside}");
        }
        assert_eq!(RELEASED.last().map(Series::last), Some(NEWEST_KNOWN));
        assert!(RELEASED.windows(2).all(|w| w[0].last() < w[1].first()));
    }

    #[test]
    fn orders_versions() {
        assert!(ChartVersion::new(1, 12, 11) < CONCURRENCY_SECTION_FIXED);
        assert!(ChartVersion::new(1, 9, 0) > BLOCK_OP_RENDERED);
        assert_eq!(NEWEST_KNOWN.to_string(), "1.13.28");
    }
}
