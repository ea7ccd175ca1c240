//! Resolution of `scheduler.skippy`: presets and custom predicate / priority lists
//! (`docs/schedulers.md`, `skippy`, "Presets"). Names resolve through the plugin registry.

use super::super::plugins::kubernetes::image_arch_available;
use super::super::plugins::predicates::{
    can_run, check_node_label_presence, node_has_accelerator, node_has_free_gpu, node_has_free_tpu,
    pod_fits_resources, registry_reachable, Pred, PredArgs,
};
use super::super::plugins::priorities::{
    balanced_resource as balanced, capability, capability_matching, contention, data_locality,
    execution_time, image_locality, latency_aware_image_locality as latency, locality_type,
    PriorityDef,
};
use super::super::plugins::registry::{self, SKIPPY_PREDICATES, SKIPPY_PRIORITIES};
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
pub fn predicates(cfg: &SkippyConfig) -> Result<Vec<Pred>, String> {
    check_preset(cfg)?;
    let mut preds = match &cfg.predicates {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Pred::from_spec(
                    p,
                    &format!("scheduler.skippy.predicates[{i}]"),
                    SKIPPY_PREDICATES,
                )
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => {
            let mut v = vec![
                Pred::new(&pod_fits_resources::PREDICATE),
                // Without arguments: not a storage node.
                Pred::new(&check_node_label_presence::PREDICATE),
            ];
            // Every preset but `vanilla` (skippy's own predicate set, kept exactly) excludes
            // nodes whose architecture the image has no variant for (`docs/schedulers.md`,
            // "Presets").
            if cfg.preset != "vanilla" {
                v.push(Pred::new(&image_arch_available::FILTER));
            }
            if cfg.preset != "default" {
                let vram = PredArgs {
                    use_vram: cfg.use_vram,
                    ..PredArgs::default()
                };
                v.extend([
                    Pred::new(&can_run::PREDICATE),
                    Pred::new(&node_has_accelerator::PREDICATE),
                    Pred::with_args(&node_has_free_gpu::PREDICATE, vram),
                    Pred::new(&node_has_free_tpu::PREDICATE),
                ]);
            }
            v
        }
    };
    let reachable = &registry_reachable::PREDICATE;
    if !preds.iter().any(|p| p.name() == reachable.name) {
        preds.push(Pred::new(reachable));
    }
    Ok(preds)
}

/// The weighted priority list.
pub fn priorities(cfg: &SkippyConfig) -> Result<Vec<(f64, &'static PriorityDef)>, String> {
    check_preset(cfg)?;
    let list = match &cfg.priorities {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, (w, name))| {
                let key = format!("scheduler.skippy.priorities[{i}]");
                let p = registry::priority(name)
                    .filter(|p| p.scope.in_skippy())
                    .ok_or_else(|| {
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
                "vanilla" => vec![(1.0, &balanced::PRIORITY), (1.0, &image_locality::PRIORITY)],
                "raith21_skippy" => vec![
                    (w.balanced, &balanced::PRIORITY),
                    (w.latency, &latency::PRIORITY),
                    (w.locality_type, &locality_type::PRIORITY),
                    (w.data, &data_locality::PRIORITY),
                    (w.capability, &capability::PRIORITY),
                ],
                "ga" => vec![
                    (w.capability_matching, &capability_matching::PRIORITY),
                    (w.contention, &contention::PRIORITY),
                    (w.execution_time, &execution_time::PRIORITY),
                ],
                _ => vec![
                    (1.0, &balanced::PRIORITY),
                    (1.0, &latency::PRIORITY),
                    (1.0, &locality_type::PRIORITY),
                    (1.0, &data_locality::PRIORITY),
                    (1.0, &capability::PRIORITY),
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

/// skippy's number of feasible nodes to find (`docs/schedulers.md`, `skippy`, "Sampling").
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
