//! The node-type catalog: capacities and attributes of the device types faas-sim and ether know
//! (`docs/scenario.md`), extendable from the scenario.

use crate::config::{Labels, NodeTypeConfig};

/// Accelerator kind of a node type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accelerator {
    /// No accelerator.
    None,
    /// A GPU.
    Gpu,
    /// A TPU.
    Tpu,
}

impl Accelerator {
    /// Label value (`NONE`, `GPU`, `TPU`).
    pub fn label(self) -> &'static str {
        match self {
            Accelerator::None => "NONE",
            Accelerator::Gpu => "GPU",
            Accelerator::Tpu => "TPU",
        }
    }

    /// Parses a label value.
    pub fn parse(s: &str) -> Option<Accelerator> {
        match s {
            "NONE" | "none" | "" => Some(Accelerator::None),
            "GPU" | "gpu" => Some(Accelerator::Gpu),
            "TPU" | "tpu" => Some(Accelerator::Tpu),
            _ => None,
        }
    }
}

/// One catalog entry.
#[derive(Clone, Debug)]
pub struct NodeType {
    /// Type name (`rpi3`, `server`, …).
    pub name: String,
    /// Architecture string.
    pub arch: String,
    /// CPU capacity in millicores.
    pub cpu_millis: u64,
    /// Memory capacity in bytes.
    pub memory_bytes: u64,
    /// Accelerator kind.
    pub accelerator: Accelerator,
    /// GPU memory in MB (0 without GPU).
    pub vram_mb: u32,
    /// `edge` or `cloud`.
    pub locality: String,
    /// Access-link bandwidth used for transfers to and from the node, Mbit/s.
    pub link_mbit: f64,
    /// Extra labels.
    pub labels: Labels,
}

fn entry(
    name: &str,
    arch: &str,
    cores: u64,
    mem: u64,
    acc: Accelerator,
    vram: u32,
    loc: &str,
) -> NodeType {
    NodeType {
        name: name.to_string(),
        arch: arch.to_string(),
        cpu_millis: cores * 1000,
        memory_bytes: mem,
        accelerator: acc,
        vram_mb: vram,
        locality: loc.to_string(),
        link_mbit: 1000.0,
        labels: Labels::new(),
    }
}

/// The built-in catalog, in a fixed documented order (docs/scenario.md).
pub fn builtin_catalog() -> Vec<NodeType> {
    use Accelerator::*;
    vec![
        entry("rpi3", "arm32", 4, 1_023_012_864, None, 0, "edge"),
        entry("rpi4", "arm32v7", 4, 1_000_000_000, None, 0, "edge"),
        entry("rockpi", "aarch64", 6, 4_000_000_000, None, 0, "edge"),
        entry("coral", "aarch64", 4, 1_000_000_000, Tpu, 0, "edge"),
        entry("nano", "aarch64", 4, 4_144_386_048, Gpu, 4000, "edge"),
        entry("tx2", "aarch64", 4, 8_240_386_048, Gpu, 8000, "edge"),
        entry("nx", "aarch64", 6, 8_240_386_048, Gpu, 8000, "edge"),
        entry("nuc", "x86", 4, 17_179_869_184, None, 0, "edge"),
        entry("xeoncpu", "x86", 4, 8_363_810_816, None, 0, "cloud"),
        entry("xeongpu", "x86", 4, 8_363_810_816, Gpu, 6000, "cloud"),
        entry("cloudvm", "x86", 4, 8_363_810_816, None, 0, "cloud"),
        entry("server", "x86", 88, 188_000_000_000, None, 0, "cloud"),
    ]
}

impl NodeType {
    /// A catalog entry from a scenario's `topology.node_types.<name>`.
    pub fn from_config(name: &str, c: &NodeTypeConfig) -> Result<NodeType, String> {
        let accelerator = Accelerator::parse(&c.accelerator)
            .ok_or_else(|| format!("expected NONE, GPU or TPU, got `{}`", c.accelerator))?;
        Ok(NodeType {
            name: name.to_string(),
            arch: c.arch.clone(),
            cpu_millis: c.cpu.0,
            memory_bytes: c.memory.0,
            accelerator,
            vram_mb: c.vram_mb,
            locality: c.locality.clone(),
            link_mbit: c.link_mbit,
            labels: c.labels.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_spec_capacities() {
        let cat = builtin_catalog();
        let rpi3 = cat.iter().find(|t| t.name == "rpi3").unwrap();
        assert_eq!((rpi3.cpu_millis, rpi3.memory_bytes), (4000, 1_023_012_864));
        let server = cat.iter().find(|t| t.name == "server").unwrap();
        assert_eq!(server.cpu_millis, 88_000);
        assert_eq!(cat.len(), 12);
    }
}
