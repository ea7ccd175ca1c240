//! Transfers: bytes moved between two endpoints of the run's topology — image pulls and data
//! downloads and uploads — as flows of the [`FlowTable`] (`docs/network.md`, "Flows").
//!
//! A transfer goes through two events of the engine. At its request it waits the connection
//! set-up (`1.5 × rtt`); its set-up event then activates its flow, and the flow table hands back
//! the new completion time of every flow of the component whose rate changed. Each transfer
//! owns one completion timer, which is scheduled when its flow becomes active and *moved*
//! (never re-pushed) whenever its rate changes. With `network.enabled = false` a transfer takes
//! `bytes / default_bandwidth_mbit` without set-up or sharing.
//!
//! The events themselves belong to the simulation: it names them through [`TransferEvents`], so
//! this module schedules and moves its own timers without knowing the simulation's event type.

use super::flows::{FlowId, FlowTable, BYTES_PER_MBIT};
use super::latency::LatencyMode;
use crate::cluster::{Endpoint, LinkModel};
use crate::engine::rng::{stream_rng, SimRng};
use crate::engine::{EventQueue, SimTime, TimerId};
use crate::metrics::{FlowRow, LinkRow};
use crate::output::columns::diff_secs;

/// A flow whose rate at activation is below this is counted in `runs.low_bandwidth_flows`.
pub const LOW_BANDWIDTH_MBIT: f64 = 0.1;

/// What a transfer moves (the `kind` column of `flows`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferKind {
    /// An image from the registry to a node.
    ImagePull,
    /// A storage item to the replica's node.
    DataDownload,
    /// The replica's output to a storage node.
    DataUpload,
}

impl TransferKind {
    /// The name written to `flows.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::ImagePull => "image_pull",
            TransferKind::DataDownload => "data_download",
            TransferKind::DataUpload => "data_upload",
        }
    }
}

/// Who waits for a transfer, handed back when it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// An image pull in flight (its pull slot in [`super::Network`]).
    Pull(u32),
    /// A replica's setup-phase download (its replica slot).
    Replica(u32),
    /// A request's per-invocation download or upload (its request slot).
    Request(u32),
}

/// The simulation's events for the two steps of a transfer.
pub trait TransferEvents: Copy {
    /// The connection set-up of transfer `t` is over: its flow becomes active.
    fn setup_done(t: u32) -> Self;
    /// Transfer `t` has moved its last byte.
    fn transfer_done(t: u32) -> Self;
}

/// A finished transfer, as the caller needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finished {
    /// What it moved.
    pub kind: TransferKind,
    /// The owner given to [`Transfers::start`].
    pub owner: Owner,
}

#[derive(Clone, Copy, Debug)]
struct Transfer {
    kind: TransferKind,
    owner: Owner,
    source: Endpoint,
    destination: Endpoint,
    bytes: u64,
    requested: SimTime,
    activated: SimTime,
    rtt_ms: f64,
    hops: u32,
    /// The flow in the flow table (`None` when the network model is disabled).
    flow: Option<FlowId>,
    /// The completion timer, once scheduled.
    timer: TimerId,
    /// The replica the transfer serves (`flows.replica_id`).
    replica_id: Option<u32>,
    /// The request the transfer serves (`flows.request_id`).
    request_id: Option<u64>,
    /// The image pulled (`flows.image`).
    image: Option<u32>,
}

/// The transfers of one run, their flows, and the run's flow counters and rows.
#[derive(Clone, Debug)]
pub struct Transfers {
    enabled: bool,
    default_mbit: f64,
    mode: LatencyMode,
    flows: FlowTable,
    slots: Vec<Option<Transfer>>,
    free: Vec<u32>,
    /// Transfer of each flow id.
    owner_of_flow: Vec<u32>,
    /// `net/latency`: per-transfer draws under `network.latency = "sampled"`.
    rng: SimRng,
    record: bool,
    rows: Vec<FlowRow>,
    /// Transfers of at least one byte (`runs.flows`).
    pub count: u64,
    /// Bytes transferred (`runs.flow_bytes`).
    pub bytes: u64,
    /// Flows slower than [`LOW_BANDWIDTH_MBIT`] at activation (`runs.low_bandwidth_flows`).
    pub low_bandwidth: u64,
}

/// Facts of a transfer that only the output rows need.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowFacts {
    /// The replica served.
    pub replica_id: Option<u32>,
    /// The request served (per-invocation data transfers).
    pub request_id: Option<u64>,
    /// The image pulled.
    pub image: Option<u32>,
}

impl Transfers {
    /// The transfers of a run over `links`, seeded `seed`; `record` keeps one `flows` row per
    /// transfer.
    pub fn new(links: &LinkModel, goodput_factor: f64, seed: u64, record: bool) -> Transfers {
        Transfers {
            enabled: links.enabled,
            default_mbit: links.default_mbit,
            mode: links.mode,
            flows: FlowTable::new(&links.topology.graph.link_capacity, goodput_factor),
            slots: Vec::new(),
            free: Vec::new(),
            owner_of_flow: Vec::new(),
            rng: stream_rng(seed, "net/latency"),
            record,
            rows: Vec::new(),
            count: 0,
            bytes: 0,
            low_bandwidth: 0,
        }
    }

    /// Transfers in flight.
    pub fn in_flight(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Requests a transfer of `bytes` from `source` to `destination` at `now` for `owner`.
    /// A transfer of 0 bytes completes at `now` (and has no row). Fails when `destination` is
    /// unreachable from `source`.
    #[allow(clippy::too_many_arguments)]
    pub fn start<E: TransferEvents>(
        &mut self,
        now: SimTime,
        links: &LinkModel,
        kind: TransferKind,
        source: Endpoint,
        destination: Endpoint,
        bytes: u64,
        owner: Owner,
        facts: RowFacts,
        queue: &mut EventQueue<E>,
    ) -> Result<(), String> {
        let mut t = Transfer {
            kind,
            owner,
            source,
            destination,
            bytes,
            requested: now,
            // set when the flow becomes active (at once without the network model)
            activated: if self.enabled { SimTime::NEVER } else { now },
            rtt_ms: 0.0,
            hops: 0,
            flow: None,
            timer: TimerId::NONE,
            replica_id: facts.replica_id,
            request_id: facts.request_id,
            image: facts.image,
        };
        if bytes == 0 {
            let id = self.insert(t);
            self.slots[id as usize].as_mut().expect("inserted").timer =
                queue.schedule(now, E::transfer_done(id));
            return Ok(());
        }
        self.count += 1;
        self.bytes += bytes;
        if !self.enabled {
            let secs = bytes as f64 / (self.default_mbit * BYTES_PER_MBIT);
            let id = self.insert(t);
            let timer =
                queue.schedule(now.plus(SimTime::from_secs_f64(secs)), E::transfer_done(id));
            self.slots[id as usize].as_mut().expect("inserted").timer = timer;
            return Ok(());
        }
        let route = links.route(source, destination).ok_or_else(|| {
            format!(
                "{}: no route from {} to {}",
                kind.as_str(),
                endpoint_name(links, source),
                endpoint_name(links, destination)
            )
        })?;
        t.rtt_ms = route.rtt_for_transfer(self.mode, &mut self.rng);
        t.hops = route.hops.len() as u32;
        let flow = self.flows.open(bytes, &route.hops);
        t.flow = Some(flow);
        let id = self.insert(t);
        if self.owner_of_flow.len() <= flow as usize {
            self.owner_of_flow.resize(flow as usize + 1, u32::MAX);
        }
        self.owner_of_flow[flow as usize] = id;
        let setup = SimTime::from_secs_f64(1.5 * t.rtt_ms / 1000.0);
        queue.push(now.plus(setup), E::setup_done(id));
        Ok(())
    }

    /// A read or write of `bytes` on `node`'s own disk at `bytes_per_s`: no flow, no row; it
    /// completes like a transfer, for `owner`.
    #[allow(clippy::too_many_arguments)]
    pub fn start_local<E: TransferEvents>(
        &mut self,
        now: SimTime,
        kind: TransferKind,
        node: u32,
        bytes: u64,
        bytes_per_s: f64,
        owner: Owner,
        queue: &mut EventQueue<E>,
    ) {
        let id = self.insert(Transfer {
            kind,
            owner,
            source: Endpoint::Node(node),
            destination: Endpoint::Node(node),
            bytes: 0,
            requested: now,
            activated: now,
            rtt_ms: 0.0,
            hops: 0,
            flow: None,
            timer: TimerId::NONE,
            replica_id: None,
            request_id: None,
            image: None,
        });
        let at = now.plus(SimTime::from_secs_f64(bytes as f64 / bytes_per_s));
        self.slots[id as usize].as_mut().expect("inserted").timer =
            queue.schedule(at, E::transfer_done(id));
    }

    fn insert(&mut self, t: Transfer) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = Some(t);
                id
            }
            None => {
                self.slots.push(Some(t));
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// The set-up of transfer `id` ended at `now`: its flow competes from now on; the timers of
    /// every flow whose rate changed are moved, its own is scheduled.
    pub fn on_setup_done<E: TransferEvents>(
        &mut self,
        now: SimTime,
        id: u32,
        queue: &mut EventQueue<E>,
    ) {
        let t = self.slots[id as usize]
            .as_mut()
            .expect("transfer in flight");
        t.activated = now;
        let flow = t.flow.expect("a transfer with a set-up has a flow");
        let changed = self.flows.activate(now, flow);
        retime(&mut self.slots, &self.owner_of_flow, changed, queue);
        if self.flows.rate_mbit(flow) < LOW_BANDWIDTH_MBIT {
            self.low_bandwidth += 1;
        }
    }

    /// Transfer `id` has moved its last byte at `now`: its flow leaves its links (the other
    /// flows of its component are re-timed), its row is recorded and its owner returned.
    pub fn on_done<E: TransferEvents>(
        &mut self,
        now: SimTime,
        id: u32,
        queue: &mut EventQueue<E>,
    ) -> Finished {
        let t = self.slots[id as usize].take().expect("transfer in flight");
        self.free.push(id);
        if let Some(flow) = t.flow {
            let changed = self.flows.finish(now, flow);
            retime(&mut self.slots, &self.owner_of_flow, changed, queue);
        }
        if self.record && t.bytes > 0 {
            self.rows.push(row(&t, now));
        }
        Finished {
            kind: t.kind,
            owner: t.owner,
        }
    }

    /// The `flows` rows: finished transfers in completion order, then those still moving (in
    /// slot order, without an end).
    pub fn take_rows(&mut self) -> Vec<FlowRow> {
        let mut rows = std::mem::take(&mut self.rows);
        if self.record {
            rows.extend(
                self.slots
                    .iter()
                    .flatten()
                    .filter(|t| t.bytes > 0)
                    .map(|t| row(t, SimTime::NEVER)),
            );
        }
        rows
    }

    /// One `links` row per link that carried at least one flow, in link-id order, with its
    /// busy time up to `now`.
    pub fn link_rows(&self, links: &LinkModel, now: SimTime) -> Vec<LinkRow> {
        let g = &links.topology.graph;
        (0..g.link_capacity.len() as u32)
            .filter_map(|l| {
                let busy = self.flows.link_busy(l, now);
                let bytes = self.flows.link_bytes(l);
                (bytes > 0 || busy > SimTime::ZERO).then(|| LinkRow {
                    link: l,
                    name: g.name[g.link_vertex[l as usize] as usize].clone(),
                    kind: g.link_kind[l as usize].as_str(),
                    capacity_mbit: g.link_capacity[l as usize],
                    bytes,
                    busy,
                })
            })
            .collect()
    }
}

/// The `flows` row of `t`, ended at `ended` (`NEVER`: still moving).
fn row(t: &Transfer, ended: SimTime) -> FlowRow {
    let mean_rate_mbit = diff_secs(ended, t.activated)
        .filter(|&active| active > 0.0)
        .map(|active| t.bytes as f64 / BYTES_PER_MBIT / active);
    FlowRow {
        requested: t.requested,
        activated: t.activated,
        ended,
        kind: t.kind.as_str(),
        source: node_of(t.source),
        destination: node_of(t.destination),
        bytes: t.bytes,
        hops: t.hops,
        rtt_ms: t.rtt_ms,
        mean_rate_mbit,
        replica_id: t.replica_id,
        request_id: t.request_id,
        image: t.image,
    }
}

/// Moves the completion timer of every flow in `changed` (scheduling it for a flow that has
/// just become active).
fn retime<E: TransferEvents>(
    slots: &mut [Option<Transfer>],
    owner_of_flow: &[u32],
    changed: &[(FlowId, SimTime)],
    queue: &mut EventQueue<E>,
) {
    for &(flow, at) in changed {
        let id = owner_of_flow[flow as usize];
        let t = slots[id as usize]
            .as_mut()
            .expect("a flow's transfer is in flight");
        if !queue.move_to(t.timer, at) {
            t.timer = queue.schedule(at, E::transfer_done(id));
        }
    }
}

/// Node id of an endpoint; `None` for the registry.
fn node_of(e: Endpoint) -> Option<u32> {
    match e {
        Endpoint::Registry => None,
        Endpoint::Node(n) => Some(n),
    }
}

fn endpoint_name(links: &LinkModel, e: Endpoint) -> String {
    match e {
        Endpoint::Registry => "the registry".to_string(),
        Endpoint::Node(n) => format!("node `{}`", links.topology.nodes[n as usize].name),
    }
}
