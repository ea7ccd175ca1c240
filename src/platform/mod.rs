//! The FaaS platform's state: functions and their deployments, the replica table and its life
//! cycle states, and load balancing (`docs/model.md`). The event handlers that move this state
//! live in [`crate::sim`].

pub mod balancer;
pub mod functions;
pub mod idle_clock;
pub mod least_loaded;
pub mod replicas;
pub mod usage;

pub use balancer::LoadBalancer;
pub use functions::{FunctionRt, HIST_METRICS};
pub use idle_clock::IdleClock;
pub use least_loaded::LeastLoaded;
pub use replicas::{ReplicaId, ReplicaRef, ReplicaState, ReplicaTable, Slot, NONE};
pub use usage::{Integral, Usage};
