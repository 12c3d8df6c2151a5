//! Paths into Helm values: one step at a time, and the prefix under which an umbrella chart
//! holds the Dagster chart's values.

/// One step of a values path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Splits a values prefix into its segments; `None` when a segment is empty.
pub fn prefix_segments(prefix: &str) -> Option<Vec<String>> {
    if prefix.is_empty() {
        return Some(Vec::new());
    }
    let segments: Vec<String> = prefix.split('.').map(str::to_owned).collect();
    segments.iter().all(|s| !s.is_empty()).then_some(segments)
}

/// Deepest prefix Helm accepts: strvals refuses names nested deeper than 30 levels, and the
/// deepest rendered name below the prefix has 8.
pub const MAX_PREFIX_SEGMENTS: usize = 22;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_split_on_dots() {
        assert_eq!(prefix_segments(""), Some(vec![]));
        assert_eq!(
            prefix_segments("a.b"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(prefix_segments("a..b"), None);
        assert_eq!(prefix_segments(".a"), None);
    }
}
