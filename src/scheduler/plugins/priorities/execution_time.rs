//! `ExecutionTime`: minus the estimated execution time on the node's type — the mean of the
//! pod's `exec` model (per node type, compiled once per pod), or in `sample` mode one draw from
//! the `sched` stream per scored node; 0 without a model; `scale`.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::extension::sample_model;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "ExecutionTime",
    scope: Scope::Extension,
    summary: "minus the estimated execution time on the node's type (mean of the pod's exec model, or one draw per node in sample mode); 0 without a model",
    reduce: Reduce::Scale,
    needs: Needs {
        est: true,
        ..Needs::NONE
    },
    sampled: true,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], rng: Option<&mut SimRng>) -> Col {
    let Some(exec) = c.pod.exec else {
        return Col::Const(0.0, 0.0);
    };
    let f = c.facts;
    let raw = &mut raw[..feas.len()];
    match rng {
        Some(rng) => {
            for (r, &n) in raw.iter_mut().zip(feas) {
                let t = f.node_type[n as usize] as usize;
                *r = match exec.for_node_type(&f.type_names[t]) {
                    Some(m) => -sample_model(m, rng),
                    None => 0.0,
                };
            }
        }
        None => {
            let est = &c.scratch.type_est;
            for (r, &n) in raw.iter_mut().zip(feas) {
                *r = est[f.node_type[n as usize] as usize];
            }
        }
    }
    Col::Filled
}
