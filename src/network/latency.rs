//! Latency models of topology edges: constant or shifted lognormal, the named presets, and how a
//! run turns a lognormal into one number (`network.latency = mode | mean | sampled`,
//! `docs/network.md`).

use crate::engine::rng::SimRng;
use rand_distr::{Distribution, StandardNormal};

/// One-way latency of a directed edge, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LatencyModel {
    /// Always `ms`.
    Constant {
        /// Latency in milliseconds.
        ms: f64,
    },
    /// `loc + scale · exp(s · Z)` with `Z` standard normal, in milliseconds.
    Lognormal {
        /// Shape (σ of the underlying normal).
        s: f64,
        /// Shift, ms.
        loc: f64,
        /// Scale, ms.
        scale: f64,
    },
}

/// How lognormal edges are resolved to a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LatencyMode {
    /// The distribution's mode: deterministic, no random draws.
    #[default]
    Mode,
    /// The distribution's mean.
    Mean,
    /// One draw per edge each time a route is used for a transfer.
    Sampled,
}

impl LatencyMode {
    /// Parses `mode`, `mean` or `sampled`.
    pub fn parse(s: &str) -> Option<LatencyMode> {
        match s {
            "mode" => Some(LatencyMode::Mode),
            "mean" => Some(LatencyMode::Mean),
            "sampled" => Some(LatencyMode::Sampled),
            _ => None,
        }
    }
}

/// Names of the lognormal presets, in documentation order.
pub const PRESETS: &[&str] = &["lan", "wlan", "business_isp", "mobile_isp"];

impl LatencyModel {
    /// Zero latency (switch and link attachments).
    pub const ZERO: LatencyModel = LatencyModel::Constant { ms: 0.0 };

    /// Local area network preset.
    pub const LAN: LatencyModel = LatencyModel::Lognormal {
        s: 0.25,
        loc: 0.35,
        scale: 0.16,
    };
    /// Wireless LAN preset.
    pub const WLAN: LatencyModel = LatencyModel::Lognormal {
        s: 0.635,
        loc: 1.18,
        scale: 3.27,
    };
    /// Business internet access preset.
    pub const BUSINESS_ISP: LatencyModel = LatencyModel::Lognormal {
        s: 0.87,
        loc: 5.95,
        scale: 1.21,
    };
    /// Mobile (cellular) backhaul preset.
    pub const MOBILE_ISP: LatencyModel = LatencyModel::Lognormal {
        s: 0.49,
        loc: 16.2,
        scale: 8.02,
    };

    /// The preset called `name` (`lan`, `wlan`, `business_isp`, `mobile_isp`).
    pub fn preset(name: &str) -> Option<LatencyModel> {
        match name {
            "lan" => Some(Self::LAN),
            "wlan" => Some(Self::WLAN),
            "business_isp" => Some(Self::BUSINESS_ISP),
            "mobile_isp" => Some(Self::MOBILE_ISP),
            _ => None,
        }
    }

    /// True when resolving this model under `sampled` draws a random number.
    pub fn is_random(&self) -> bool {
        matches!(self, LatencyModel::Lognormal { .. })
    }

    /// The model's value under `mode` or `mean` (a `sampled` run uses [`Self::sample`] for
    /// transfers and the mode everywhere else).
    pub fn fixed_ms(&self, mode: LatencyMode) -> f64 {
        match *self {
            LatencyModel::Constant { ms } => ms,
            LatencyModel::Lognormal { s, loc, scale } => match mode {
                LatencyMode::Mean => loc + scale * (s * s / 2.0).exp(),
                LatencyMode::Mode | LatencyMode::Sampled => loc + scale * (-(s * s)).exp(),
            },
        }
    }

    /// One draw (a constant draws nothing). Negative draws are clamped to 0.
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match *self {
            LatencyModel::Constant { ms } => ms,
            LatencyModel::Lognormal { s, loc, scale } => {
                let z: f64 = StandardNormal.sample(rng);
                (loc + scale * (s * z).exp()).max(0.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-7
    }

    #[test]
    fn presets_have_the_documented_mode_and_mean() {
        let table = [
            ("lan", 0.500306, 0.515079),
            ("wlan", 3.364889, 5.180433),
            ("business_isp", 6.517633, 7.716624),
            ("mobile_isp", 22.508125, 25.242977),
        ];
        for (name, mode, mean) in table {
            let m = LatencyModel::preset(name).unwrap();
            assert!(close(m.fixed_ms(LatencyMode::Mode), mode), "{name} mode");
            assert!(close(m.fixed_ms(LatencyMode::Mean), mean), "{name} mean");
        }
    }

    #[test]
    fn a_constant_is_the_same_in_every_mode() {
        let c = LatencyModel::Constant { ms: 4.0 };
        let mut rng = crate::engine::rng::stream_rng(1, "net/latency");
        assert_eq!(c.fixed_ms(LatencyMode::Mean), 4.0);
        assert_eq!(c.sample(&mut rng), 4.0);
        assert!(!c.is_random());
    }
}
