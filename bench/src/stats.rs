//! Summaries of repeated timings: median, nearest-rank percentiles, min and max.

use std::time::Duration;

/// The timings of one measured thing, in the order they were taken.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    /// Records one timing.
    pub fn push(&mut self, sample: Duration) {
        self.0.push(sample);
    }

    /// How many timings there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        sorted
    }

    /// The nearest-rank percentile `p` (0..=100); zero when empty.
    pub fn percentile(&self, p: f64) -> Duration {
        let sorted = self.sorted();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// The median (the lower middle for an even count).
    pub fn median(&self) -> Duration {
        self.percentile(50.0)
    }

    /// The smallest timing.
    pub fn min(&self) -> Duration {
        self.0.iter().min().copied().unwrap_or_default()
    }

    /// The largest timing.
    pub fn max(&self) -> Duration {
        self.0.iter().max().copied().unwrap_or_default()
    }

    /// `median min..max` in milliseconds, for tables.
    pub fn summary_ms(&self) -> String {
        format!(
            "{} ({}..{})",
            ms(self.median()),
            ms(self.min()),
            ms(self.max())
        )
    }
}

/// A duration in milliseconds with a precision that suits its size.
pub fn ms(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    if millis >= 100.0 {
        format!("{millis:.0} ms")
    } else if millis >= 1.0 {
        format!("{millis:.1} ms")
    } else {
        format!("{millis:.3} ms")
    }
}

/// `subject / baseline` of the medians, as `x.xx×`.
pub fn ratio(subject: &Samples, baseline: &Samples) -> String {
    let base = baseline.median().as_secs_f64();
    if base == 0.0 {
        return "n/a".to_owned();
    }
    format!("{:.2}×", subject.median().as_secs_f64() / base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(millis: &[u64]) -> Samples {
        let mut samples = Samples::default();
        for &m in millis {
            samples.push(Duration::from_millis(m));
        }
        samples
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let s = samples(&[5, 1, 4, 2, 3]);
        assert_eq!(s.median(), Duration::from_millis(3));
        assert_eq!(s.percentile(99.0), Duration::from_millis(5));
        assert_eq!(s.min(), Duration::from_millis(1));
        assert_eq!(s.max(), Duration::from_millis(5));
        let hundred = samples(&(1..=100).collect::<Vec<_>>());
        assert_eq!(hundred.percentile(99.0), Duration::from_millis(99));
        assert_eq!(hundred.median(), Duration::from_millis(50));
    }

    #[test]
    fn ratio_of_medians() {
        assert_eq!(
            ratio(&samples(&[30, 31, 29]), &samples(&[10, 9, 11])),
            "3.00×"
        );
        assert_eq!(ratio(&samples(&[1]), &Samples::default()), "n/a");
    }
}
