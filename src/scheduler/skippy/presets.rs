//! Resolution of `scheduler.skippy`: presets and custom predicate / priority lists
//! (`spec/scheduler.md` §1.6).

use super::super::facts::NodeFacts;
use super::super::predicates::{Pred, SKIPPY_PREDICATES};
use super::super::priorities::{Prio, SKIPPY_PRIORITIES};
use crate::config::SkippyConfig;

/// Valid values of `scheduler.skippy.preset`.
pub const PRESETS: &[&str] = &["default", "vanilla", "raith21_skippy", "ga"];

fn check_preset(cfg: &SkippyConfig) -> Result<(), String> {
    if PRESETS.contains(&cfg.preset.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "scheduler.skippy.preset: unknown preset `{}` (valid: {})",
            cfg.preset,
            PRESETS.join(", ")
        ))
    }
}

/// The predicate list, with the implicit `RegistryReachable` last.
pub fn predicates(cfg: &SkippyConfig, facts: &NodeFacts) -> Result<Vec<Pred>, String> {
    check_preset(cfg)?;
    let mut preds = match &cfg.predicates {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Pred::from_spec(
                    p,
                    facts,
                    &format!("scheduler.skippy.predicates[{i}]"),
                    SKIPPY_PREDICATES,
                )
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => {
            let mut v = vec![Pred::PodFitsResources, Pred::no_storage(facts)];
            if cfg.preset != "default" {
                v.extend([
                    Pred::CanRun,
                    Pred::NodeHasAccelerator,
                    Pred::NodeHasFreeGpu {
                        use_vram: cfg.use_vram,
                    },
                    Pred::NodeHasFreeTpu,
                ]);
            }
            v
        }
    };
    if !preds.iter().any(|p| matches!(p, Pred::RegistryReachable)) {
        preds.push(Pred::RegistryReachable);
    }
    Ok(preds)
}

/// The weighted priority list.
pub fn priorities(cfg: &SkippyConfig) -> Result<Vec<(f64, Prio)>, String> {
    check_preset(cfg)?;
    let list = match &cfg.priorities {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, (w, name))| {
                let key = format!("scheduler.skippy.priorities[{i}]");
                let p = Prio::parse(name).ok_or_else(|| {
                    format!(
                        "{key}: unknown priority `{name}` (valid: {})",
                        SKIPPY_PRIORITIES.join(", ")
                    )
                })?;
                Ok((*w, p))
            })
            .collect::<Result<Vec<_>, String>>()?,
        None => {
            let w = &cfg.weights;
            match cfg.preset.as_str() {
                "vanilla" => vec![(1.0, Prio::Balanced), (1.0, Prio::ImageLocality)],
                "raith21_skippy" => vec![
                    (w.balanced, Prio::Balanced),
                    (w.latency, Prio::LatencyAware),
                    (w.locality_type, Prio::LocalityType),
                    (w.data, Prio::DataLocality),
                    (w.capability, Prio::Capability),
                ],
                "ga" => vec![
                    (w.capability_matching, Prio::CapabilityMatching),
                    (w.contention, Prio::Contention),
                    (w.execution_time, Prio::ExecutionTime),
                ],
                _ => vec![
                    (1.0, Prio::Balanced),
                    (1.0, Prio::LatencyAware),
                    (1.0, Prio::LocalityType),
                    (1.0, Prio::DataLocality),
                    (1.0, Prio::Capability),
                ],
            }
        }
    };
    for (i, (w, _)) in list.iter().enumerate() {
        if !w.is_finite() {
            return Err(format!(
                "scheduler.skippy.priorities[{i}]: weight must be finite, got {w}"
            ));
        }
    }
    Ok(list)
}

/// skippy's number of feasible nodes to find (`spec/scheduler.md` §1.2).
pub fn nodes_to_find(n: usize, percentage: f64) -> usize {
    if n < 5 || percentage >= 100.0 {
        return n;
    }
    let mut q = percentage;
    if q <= 0.0 {
        q = (50.0 - n as f64 / 125.0).max(5.0);
    }
    let k = (n as f64 * q / 100.0).trunc() as usize;
    k.max(100)
}
