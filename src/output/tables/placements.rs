//! The `placements` table (docs/outputs.md, `placements`): one row per scheduling decision, with
//! the list columns `rejections`, `scores`, `needed_images` and `candidates` and the column kinds
//! that build them.

use std::sync::Arc;

use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields};

use crate::engine::SimTime;
use crate::output::columns::{secs, ColumnKind, OptF64, OptUtf8, RunKey, Utf8, F64, I64};
use crate::output::define::output_table;
use crate::scheduler::{Candidate, ScoreEntry};

output_table! {
    /// One `placements` row (docs/outputs.md, `placements`).
    #[derive(Clone, Debug)]
    pub struct PlacementRow in "placements" {
        /// Decision time.
        pub t: SimTime,
        /// When the replica entered the queue.
        pub queued: SimTime,
        /// Modelled decision latency.
        pub latency: SimTime,
        /// Replica id.
        pub replica_id: u32,
        /// Function id.
        pub function: u32,
        /// Image id.
        pub image: u32,
        /// Scheduler profile name.
        pub profile: &'static str,
        /// 0 for the first image, +1 per fallback.
        pub attempt: u8,
        /// N.
        pub nodes_total: u32,
        /// k.
        pub nodes_to_find: u32,
        /// Rotation index before the decision.
        pub start_index: u32,
        /// Nodes on which predicates ran.
        pub nodes_evaluated: u32,
        /// Feasible nodes.
        pub feasible: u32,
        /// Scored nodes.
        pub scored: u32,
        /// Nodes sharing the maximum.
        pub tie_count: u32,
        /// Chosen node (None when unschedulable).
        pub node: Option<u32>,
        /// Failure reason (None on success).
        pub failure_reason: Option<&'static str>,
        /// First-failing predicate counts, predicate order (shared with other rows of equal
        /// counts: `crate::scheduler::shared_lists`).
        pub rejections: Arc<[(&'static str, u32)]>,
        /// Chosen node's breakdown (empty on failure; shared like `rejections`).
        pub scores: Arc<[ScoreEntry]>,
        /// Chosen node's total (None on failure).
        pub total_score: Option<f64>,
        /// Images not on the chosen node before placement (None on failure).
        pub needed_images: Option<Vec<u32>>,
        /// Node requested/capacity CPU after placement.
        pub node_cpu_requested_frac: Option<f64>,
        /// Node requested/capacity memory after placement.
        pub node_mem_requested_frac: Option<f64>,
        /// The best `scheduler.explain_top_k` candidates, best first (None when that option is 0).
        pub candidates: Option<Vec<Candidate>>,
    }
    columns |run, row| {
        "t_s": F64 = secs(row.t),
        "queued_s": F64 = secs(row.queued),
        "latency_s": F64 = secs(row.latency),
        "replica_id": I64<u32> = row.replica_id,
        "function": Utf8 = run.function(row.function),
        "image": Utf8 = run.image(row.image),
        "profile": Utf8 = row.profile,
        "attempt": I64<u8> = row.attempt,
        "nodes_total": I64<u32> = row.nodes_total,
        "nodes_to_find": I64<u32> = row.nodes_to_find,
        "start_index": I64<u32> = row.start_index,
        "nodes_evaluated": I64<u32> = row.nodes_evaluated,
        "feasible": I64<u32> = row.feasible,
        "scored": I64<u32> = row.scored,
        "tie_count": I64<u32> = row.tie_count,
        "status": Utf8 = if row.node.is_some() { "scheduled" } else { "unschedulable" },
        "node": OptUtf8 = row.node.map(|n| run.node(n)),
        "failure_reason": OptUtf8 = row.failure_reason,
        "rejections": Rejections = &row.rejections[..],
        // A failed decision has no chosen node, hence no breakdown: null, not an empty list.
        "scores": OptScores = row.node.is_some().then_some(&row.scores[..]),
        "total_score": OptF64 = row.total_score,
        "needed_images": OptImageNames = row.needed_images.as_deref().map(|ids| (*run, ids)),
        "node_cpu_requested_frac": OptF64 = row.node_cpu_requested_frac,
        "node_mem_requested_frac": OptF64 = row.node_mem_requested_frac,
        "candidates": OptCandidates = row.candidates.as_deref().map(|c| (*run, c)),
    }
}

/// `List<item>`, with the conventional nullable `item` field.
pub fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

/// Children of `rejections` items: `name`, `count`.
pub fn rejection_fields() -> Fields {
    Fields::from(vec![
        Field::new("name", DataType::Utf8, false),
        Field::new("count", DataType::Int64, false),
    ])
}

/// Children of `scores` items: `name`, `raw`, `normalized`, `weight`, `weighted`.
pub fn score_fields() -> Fields {
    Fields::from(vec![
        Field::new("name", DataType::Utf8, false),
        Field::new("raw", DataType::Float64, false),
        Field::new("normalized", DataType::Float64, false),
        Field::new("weight", DataType::Float64, false),
        Field::new("weighted", DataType::Float64, false),
    ])
}

/// Children of `candidates` items: `node`, `total`, `scores` (items as in `scores`).
pub fn candidate_fields() -> Fields {
    Fields::from(vec![
        Field::new("node", DataType::Utf8, false),
        Field::new("total", DataType::Float64, false),
        Field::new("scores", list_of(DataType::Struct(score_fields())), false),
    ])
}

/// A list column: `offsets` delimit each row's items in `values`; `valid` marks non-null rows.
fn list_array(
    item: DataType,
    offsets: Vec<i32>,
    values: ArrayRef,
    valid: Option<Vec<bool>>,
) -> ArrayRef {
    Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(item, true)),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        values,
        valid.map(NullBuffer::from),
    ))
}

fn offset(len: usize) -> i32 {
    i32::try_from(len).expect("list column exceeds i32 offsets")
}

/// `rejections`: per predicate, the nodes it was the first to reject; never null.
#[derive(Clone, Copy, Debug)]
pub struct Rejections;

impl ColumnKind for Rejections {
    type Value<'a> = &'a [(&'static str, u32)];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Struct(rejection_fields()))
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let mut offsets = vec![0i32];
        let (mut names, mut counts) = (Vec::new(), Vec::new());
        for row in values {
            for &(name, count) in row {
                names.push(name);
                counts.push(count);
            }
            offsets.push(offset(names.len()));
        }
        let fields = rejection_fields();
        let items = StructArray::new(
            fields.clone(),
            vec![
                Utf8::array(names.into_iter()),
                I64::<u32>::array(counts.into_iter()),
            ],
            None,
        );
        list_array(DataType::Struct(fields), offsets, Arc::new(items), None)
    }
}

/// `scores`: the chosen node's score breakdown; null when no node was chosen.
#[derive(Clone, Copy, Debug)]
pub struct OptScores;

impl ColumnKind for OptScores {
    type Value<'a> = Option<&'a [ScoreEntry]>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        list_of(DataType::Struct(score_fields()))
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let mut offsets = vec![0i32];
        let mut valid = Vec::new();
        let mut entries: Vec<&ScoreEntry> = Vec::new();
        for row in values {
            valid.push(row.is_some());
            entries.extend(row.into_iter().flatten());
            offsets.push(offset(entries.len()));
        }
        list_array(
            DataType::Struct(score_fields()),
            offsets,
            score_items(&entries),
            Some(valid),
        )
    }
}

/// The struct items of a score breakdown list, one per entry.
fn score_items(entries: &[&ScoreEntry]) -> ArrayRef {
    let e = || entries.iter();
    Arc::new(StructArray::new(
        score_fields(),
        vec![
            Utf8::array(e().map(|s| s.name)),
            F64::array(e().map(|s| s.raw)),
            F64::array(e().map(|s| s.normalized)),
            F64::array(e().map(|s| s.weight)),
            F64::array(e().map(|s| s.weighted)),
        ],
        None,
    ))
}

/// `candidates`: the best-scored nodes of a decision with their breakdowns, best first; null when
/// `scheduler.explain_top_k` is 0, empty when nothing was scored.
#[derive(Clone, Copy, Debug)]
pub struct OptCandidates;

impl ColumnKind for OptCandidates {
    type Value<'a> = Option<(RunKey<'a>, &'a [Candidate])>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        list_of(DataType::Struct(candidate_fields()))
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let mut offsets = vec![0i32];
        let mut valid = Vec::new();
        let (mut nodes, mut totals) = (Vec::new(), Vec::new());
        let mut score_offsets = vec![0i32];
        let mut entries: Vec<&ScoreEntry> = Vec::new();
        for row in values {
            valid.push(row.is_some());
            if let Some((run, candidates)) = row {
                for c in candidates {
                    nodes.push(run.node(c.node));
                    totals.push(c.total);
                    entries.extend(c.scores.iter());
                    score_offsets.push(offset(entries.len()));
                }
            }
            offsets.push(offset(nodes.len()));
        }
        let scores = list_array(
            DataType::Struct(score_fields()),
            score_offsets,
            score_items(&entries),
            None,
        );
        let fields = candidate_fields();
        let items = StructArray::new(
            fields.clone(),
            vec![
                Utf8::array(nodes.into_iter()),
                F64::array(totals.into_iter()),
                scores,
            ],
            None,
        );
        list_array(
            DataType::Struct(fields),
            offsets,
            Arc::new(items),
            Some(valid),
        )
    }
}

/// `needed_images`: image ids of a run, written as their names; null when the row has none.
#[derive(Clone, Copy, Debug)]
pub struct OptImageNames;

impl ColumnKind for OptImageNames {
    type Value<'a> = Option<(RunKey<'a>, &'a [u32])>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        list_of(DataType::Utf8)
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let mut offsets = vec![0i32];
        let mut valid = Vec::new();
        let mut names = Vec::new();
        for row in values {
            valid.push(row.is_some());
            if let Some((run, ids)) = row {
                names.extend(ids.iter().map(|&id| run.image(id)));
            }
            offsets.push(offset(names.len()));
        }
        list_array(
            DataType::Utf8,
            offsets,
            Utf8::array(names.into_iter()),
            Some(valid),
        )
    }
}
