//! Which metrics get per-function rows in the `latency_histograms` table
//! (`outputs.histogram_function_metrics`, docs/outputs.md, `latency_histograms`).
//!
//! The all-function rows (`function` null) are always written, for every metric. Per-function
//! rows multiply the table by the number of functions, and with many functions they are most of
//! a sweep's bytes (docs/performance.md, "Histogram bytes"), so they are written only for the
//! metrics listed here: none by default. The `summary` quantiles, computed during the run, are
//! the same whatever this says.

use serde::{Deserialize, Serialize};

use crate::metrics::RunOutput;
use crate::output::tables::HistogramRow;
use crate::platform::HIST_METRICS;

/// A set of [`HIST_METRICS`]: `"all"`, or a list of metric names (`[]`, the default: totals
/// only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MetricsSpec", into = "MetricsSpec")]
pub struct HistogramFunctionMetrics {
    /// Bit `i` set: metric `HIST_METRICS[i]` has per-function rows.
    mask: u8,
}

/// `outputs.histogram_function_metrics` names a metric that does not exist, or is a string
/// other than `"all"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown latency metric `{0}`; expected \"all\" or a list of wait, queue, exec, response, cold_wait, pull")]
pub struct UnknownMetric(pub String);

impl HistogramFunctionMetrics {
    /// No per-function rows: the all-function rows only (the default).
    pub const TOTALS_ONLY: HistogramFunctionMetrics = HistogramFunctionMetrics { mask: 0 };

    /// Per-function rows for every metric.
    pub const ALL: HistogramFunctionMetrics = HistogramFunctionMetrics {
        mask: (1 << HIST_METRICS.len()) - 1,
    };

    /// The set of the named metrics.
    pub fn of<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<HistogramFunctionMetrics, UnknownMetric> {
        let mut mask = 0;
        for name in names {
            let i = HIST_METRICS
                .iter()
                .position(|m| *m == name)
                .ok_or_else(|| UnknownMetric(name.to_string()))?;
            mask |= 1 << i;
        }
        Ok(HistogramFunctionMetrics { mask })
    }

    /// Whether `metric` gets per-function rows.
    pub fn contains(self, metric: &str) -> bool {
        HIST_METRICS
            .iter()
            .position(|m| *m == metric)
            .is_some_and(|i| self.mask & (1 << i) != 0)
    }

    /// Whether `row` belongs in the table: every all-function row, per-function rows of the
    /// listed metrics.
    pub fn keeps(self, row: &HistogramRow) -> bool {
        row.function.is_none() || self.contains(row.metric)
    }

    /// Drops the per-function histogram rows of `output` that this set leaves out (right after
    /// the run, so that a sweep does not hold them until its batch is written).
    pub fn retain_in(self, output: &mut RunOutput) {
        if self != Self::ALL {
            output.histograms.retain(|row| self.keeps(row));
        }
    }

    /// The metric names in [`HIST_METRICS`] order.
    fn names(self) -> Vec<String> {
        HIST_METRICS
            .iter()
            .filter(|m| self.contains(m))
            .map(|m| m.to_string())
            .collect()
    }
}

/// How the key is written in a scenario: `"all"` or a list of names.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum MetricsSpec {
    Keyword(String),
    Names(Vec<String>),
}

impl TryFrom<MetricsSpec> for HistogramFunctionMetrics {
    type Error = UnknownMetric;

    fn try_from(spec: MetricsSpec) -> Result<Self, UnknownMetric> {
        match spec {
            MetricsSpec::Keyword(k) if k == "all" => Ok(Self::ALL),
            MetricsSpec::Keyword(k) => Err(UnknownMetric(k)),
            MetricsSpec::Names(names) => Self::of(names.iter().map(String::as_str)),
        }
    }
}

impl From<HistogramFunctionMetrics> for MetricsSpec {
    fn from(m: HistogramFunctionMetrics) -> MetricsSpec {
        if m == HistogramFunctionMetrics::ALL {
            MetricsSpec::Keyword("all".into())
        } else {
            MetricsSpec::Names(m.names())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_function_rows_stay_and_per_function_rows_only_for_listed_metrics() {
        let response = HistogramFunctionMetrics::of(["response"]).unwrap();
        assert!(response.contains("response") && !response.contains("wait"));
        assert!(!HistogramFunctionMetrics::TOTALS_ONLY.contains("response"));
        assert!(HIST_METRICS
            .iter()
            .all(|m| HistogramFunctionMetrics::ALL.contains(m)));
        assert_eq!(
            HistogramFunctionMetrics::of(["response", "wait", "pull"])
                .unwrap()
                .names(),
            ["wait", "response", "pull"]
        );
    }

    #[test]
    fn unknown_metric_names_are_refused() {
        assert_eq!(
            HistogramFunctionMetrics::of(["respones"]),
            Err(UnknownMetric("respones".into()))
        );
        assert!(HistogramFunctionMetrics::try_from(MetricsSpec::Keyword("none".into())).is_err());
    }
}
