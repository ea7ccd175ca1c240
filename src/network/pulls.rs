//! Image pulls in flight from the registry to nodes (`docs/model.md`, `docs/network.md`).
//!
//! [`Network`] owns the pulls in flight and the flow counters of the `runs` table. A pull moves
//! one image to one node; a replica that needs the same image on the same node while it is
//! moving joins that pull instead of starting another. Today a transfer is priced without
//! contention (`bytes / bandwidth` of the registry→node link, [`crate::cluster::LinkModel`]) and its
//! completion time is fixed when it starts. A flow model (max-min fair sharing of links) takes
//! this module's place behind the same three calls — [`Network::join`], [`Network::start`],
//! [`Network::complete`] — re-timing completions with the event queue's timer handles.

use crate::cluster::{Endpoint, LinkModel};
use crate::engine::SimTime;
use crate::platform::Slot;

/// An image pull in flight to one node.
#[derive(Debug)]
pub struct Pull {
    /// Destination node.
    pub node: u32,
    /// Image id.
    pub image: u32,
    /// Replicas (slots) waiting for the image, in the order they asked.
    pub waiters: Vec<Slot>,
}

/// A pull that started: complete it with [`Network::complete`] at `done_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullStarted {
    /// Identifies the pull until it completes.
    pub pull: u32,
    /// When the last byte arrives.
    pub done_at: SimTime,
}

/// Pulls in flight and the run's flow counters.
#[derive(Debug, Default)]
pub struct Network {
    pulls: Vec<Option<Pull>>,
    free: Vec<u32>,
    /// Transfers of at least one byte (`runs.flows`).
    pub flows: u64,
    /// Bytes transferred (`runs.flow_bytes`).
    pub flow_bytes: u64,
}

impl Network {
    /// If `image` is already moving to `node`, `waiter` joins that pull (true).
    pub fn join(&mut self, node: u32, image: u32, waiter: Slot) -> bool {
        match self
            .pulls
            .iter_mut()
            .flatten()
            .find(|p| p.node == node && p.image == image)
        {
            Some(p) => {
                p.waiters.push(waiter);
                true
            }
            None => false,
        }
    }

    /// Starts moving `bytes` of `image` from the registry to `node` for `waiter`.
    pub fn start(
        &mut self,
        now: SimTime,
        links: &LinkModel,
        node: u32,
        image: u32,
        bytes: u64,
        waiter: Slot,
    ) -> PullStarted {
        let secs = links.transfer_secs(Endpoint::Registry, Endpoint::Node(node), bytes);
        let pull = Pull {
            node,
            image,
            waiters: vec![waiter],
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.pulls[s as usize] = Some(pull);
                s
            }
            None => {
                self.pulls.push(Some(pull));
                (self.pulls.len() - 1) as u32
            }
        };
        if bytes > 0 {
            self.flows += 1;
            self.flow_bytes += bytes;
        }
        PullStarted {
            pull: slot,
            done_at: now.plus(SimTime::from_secs_f64(secs)),
        }
    }

    /// The pull finished: returns it (its node, image and waiters) and frees its slot.
    pub fn complete(&mut self, pull: u32) -> Pull {
        let p = self.pulls[pull as usize].take().expect("pull in flight");
        self.free.push(pull);
        p
    }
}
