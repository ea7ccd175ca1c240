//! The network subsystem of a run: its [`Transfers`] and the image pulls in flight from the
//! registry to nodes (`docs/model.md`, "Images"; `docs/network.md`, "Image pulls").
//!
//! A pull moves one image to one node as one transfer (a flow that shares links with every other
//! transfer). A replica that needs the same image on the same node while it is moving joins
//! that pull instead of starting a second flow; every waiter is released when the pull
//! completes. Three calls: [`Network::join`], [`Network::start`], [`Network::complete`].

use super::transfers::{Owner, RowFacts, TransferEvents, TransferKind, Transfers};
use crate::cluster::{Endpoint, LinkModel};
use crate::config::NetworkConfig;
use crate::engine::{EventQueue, SimTime};
use crate::platform::Slot;
use std::collections::HashMap;

/// An image pull in flight to one node.
#[derive(Debug)]
pub struct Pull {
    /// Destination node.
    pub node: u32,
    /// Image id.
    pub image: u32,
    /// Bytes moved.
    pub bytes: u64,
    /// Replicas (slots) waiting for the image, in the order they asked.
    pub waiters: Vec<Slot>,
}

/// The network of one run: transfers and pulls in flight.
#[derive(Debug)]
pub struct Network {
    /// Every transfer of the run (pulls and data transfers).
    pub transfers: Transfers,
    pulls: Vec<Option<Pull>>,
    free: Vec<u32>,
    /// The pull in flight of each `(node, image)`.
    moving: HashMap<(u32, u32), u32>,
    /// `network.storage_choice = "nearest"`.
    pub(super) storage_nearest: bool,
    /// `network.local_io_bytes_per_s`.
    pub(super) local_io_bytes_per_s: f64,
}

impl Network {
    /// The network of a run over `links` configured by `net` (see [`Transfers::new`]).
    pub fn new(links: &LinkModel, net: &NetworkConfig, seed: u64, record: bool) -> Network {
        Network {
            transfers: Transfers::new(links, net.goodput_factor, seed, record),
            pulls: Vec::new(),
            free: Vec::new(),
            moving: HashMap::new(),
            storage_nearest: net.storage_choice == "nearest",
            local_io_bytes_per_s: net.local_io_bytes_per_s,
        }
    }

    /// If `image` is already moving to `node`, `waiter` joins that pull (true).
    pub fn join(&mut self, node: u32, image: u32, waiter: Slot) -> bool {
        match self.moving.get(&(node, image)) {
            Some(&p) => {
                self.pulls[p as usize]
                    .as_mut()
                    .expect("a moving pull is in flight")
                    .waiters
                    .push(waiter);
                true
            }
            None => false,
        }
    }

    /// Starts moving `bytes` of `image` from the registry to `node` for `waiter` (replica id
    /// `replica_id`); its completion comes back as the owner of a finished
    /// [`TransferKind::ImagePull`] transfer (owner [`Owner::Pull`]), to be passed to
    /// [`Network::complete`].
    #[allow(clippy::too_many_arguments)]
    pub fn start<E: TransferEvents>(
        &mut self,
        now: SimTime,
        links: &LinkModel,
        node: u32,
        image: u32,
        bytes: u64,
        waiter: Slot,
        replica_id: u32,
        queue: &mut EventQueue<E>,
    ) -> Result<(), String> {
        let pull = Pull {
            node,
            image,
            bytes,
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
        self.moving.insert((node, image), slot);
        self.transfers.start(
            now,
            links,
            TransferKind::ImagePull,
            Endpoint::Registry,
            Endpoint::Node(node),
            bytes,
            Owner::Pull(slot),
            RowFacts {
                replica_id: Some(replica_id),
                request_id: None,
                image: Some(image),
            },
            queue,
        )
    }

    /// The pull finished: returns it (its node, image and waiters) and frees its slot.
    pub fn complete(&mut self, pull: u32) -> Pull {
        let p = self.pulls[pull as usize].take().expect("pull in flight");
        self.moving.remove(&(p.node, p.image));
        self.free.push(pull);
        p
    }
}
