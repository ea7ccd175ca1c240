//! `cloud_regions`: one switch `internet_<region>` per region with a cloudlet (a switch and
//! racks of servers, `lan` latency, no up/down pair), regions joined by directed edges whose
//! latencies come from a user-given matrix (a CSV `src,dst,latency_ms` or inline rows). The
//! registry attaches to the first region's switch unless `network.registry_attach` says
//! otherwise.

use super::internal;
use super::urban::racks;
use crate::config::{LatencyMatrix, LatencyRow, TopologyConfig};
use crate::network::latency::LatencyModel;
use crate::network::topology::TopologyBuilder;

pub(super) fn build(b: &mut TopologyBuilder, t: &TopologyConfig) -> Result<(), String> {
    let mut region_switch = Vec::new();
    for r in &t.regions {
        region_switch.push(b.switch(format!("internet_{}", r.name)).map_err(internal)?);
    }
    let mut lan = 0u32;
    for (i, r) in t.regions.iter().enumerate() {
        let ty = b.type_index(&r.node_type).ok_or_else(|| {
            format!(
                "topology.regions[{i}].type: unknown node type `{}`",
                r.node_type
            )
        })?;
        let sw = b
            .switch(format!("switch_cloudlet_{}", r.name))
            .map_err(internal)?;
        b.topo
            .graph
            .connect(sw, region_switch[i], LatencyModel::LAN)
            .map_err(internal)?;
        racks(b, sw, ty, r.racks, r.servers_per_rack, &r.name, &mut lan).map_err(internal)?;
    }
    let half = t.matrix_kind == "rtt";
    let rows = match &t.latency_matrix {
        None => Vec::new(),
        Some(LatencyMatrix::Rows(rows)) => rows
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("topology.latency_matrix[{i}]"), r.clone()))
            .collect(),
        Some(LatencyMatrix::File(path)) => {
            let full = t.resolve(path);
            let text = std::fs::read_to_string(&full).map_err(|e| {
                format!(
                    "topology.latency_matrix: cannot read `{}`: {e}",
                    full.display()
                )
            })?;
            parse_csv(&text, &full.display().to_string())?
        }
    };
    for (at, row) in rows {
        let find = |name: &str| {
            t.regions
                .iter()
                .position(|r| r.name == name)
                .ok_or_else(|| format!("{at}: unknown region `{name}`"))
        };
        let s = find(&row.src)?;
        let d = find(&row.dst)?;
        if !(row.latency_ms.is_finite() && row.latency_ms >= 0.0) {
            return Err(format!(
                "{at}: latency must be a finite number >= 0, got {}",
                row.latency_ms
            ));
        }
        let ms = if half {
            row.latency_ms / 2.0
        } else {
            row.latency_ms
        };
        b.topo
            .graph
            .edge(
                region_switch[s],
                region_switch[d],
                LatencyModel::Constant { ms },
            )
            .map_err(internal)?;
    }
    Ok(())
}

/// Rows of a `src,dst,latency_ms` CSV (a first line that is not a row is taken as a header);
/// each row's origin reads `topology.latency_matrix (file line N)`.
fn parse_csv(text: &str, file: &str) -> Result<Vec<(String, LatencyRow)>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("topology.latency_matrix ({file} line {})", i + 1);
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 3 {
            return Err(format!("{at}: expected `src,dst,latency_ms`, got `{line}`"));
        }
        match cols[2].parse::<f64>() {
            Ok(latency_ms) => rows.push((
                at,
                LatencyRow {
                    src: cols[0].to_string(),
                    dst: cols[1].to_string(),
                    latency_ms,
                },
            )),
            Err(_) if i == 0 => {} // header
            Err(_) => return Err(format!("{at}: `{}` is not a number", cols[2])),
        }
    }
    Ok(rows)
}
