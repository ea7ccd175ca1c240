//! Kubernetes-style quantities in scenario files: byte sizes (`"58M"`, `"999036Ki"`) and CPU
//! (`"250m"`, `"2"`, or a number of cores).

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A size in bytes. Accepts an integer (bytes) or a string with a unit: `K`, `M`, `G`, `T` are
/// powers of 10³, `Ki`, `Mi`, `Gi`, `Ti` powers of 2¹⁰; decimals are rounded down to whole bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size(pub u64);

/// CPU in millicores. Accepts a string (`"250m"` = 250, `"2"` = 2000, `"0.5"` = 500) or a number
/// of cores (`2` = 2000 m, `0.25` = 250 m), as Kubernetes does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cpu(pub u64);

/// The largest accepted size, 1 PiB: sums of sizes (images on a node, memory of its replicas)
/// must never overflow the 64-bit byte counters.
pub const MAX_SIZE_BYTES: u64 = 1 << 50;

/// The largest accepted CPU quantity, in millicores (one million cores), for the same reason.
pub const MAX_CPU_MILLIS: u64 = 1_000_000_000;

fn capped_size(bytes: u64, shown: &dyn fmt::Display) -> Result<u64, String> {
    if bytes > MAX_SIZE_BYTES {
        return Err(format!(
            "a size must be at most 1Pi ({MAX_SIZE_BYTES} bytes), got {shown}"
        ));
    }
    Ok(bytes)
}

fn capped_cpu(millis: u64, shown: &dyn fmt::Display) -> Result<u64, String> {
    if millis > MAX_CPU_MILLIS {
        return Err(format!(
            "a CPU quantity must be at most 1000000 cores, got {shown}"
        ));
    }
    Ok(millis)
}

/// Parses a size string (see [`Size`]).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| {
        format!("`{s}` is not a size (expected e.g. 58M, 512Mi, 1.5G or a number of bytes)")
    })?;
    let mult: f64 = match unit.trim() {
        "" => 1.0,
        "K" | "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}` (expected K, M, G, T, Ki, Mi, Gi or Ti)"
            ))
        }
    };
    // Integer inputs with binary units are computed exactly to avoid f64 rounding surprises.
    if !num.contains('.') {
        let n: u64 = num.parse().map_err(|_| format!("`{s}` is too large"))?;
        let bytes = n
            .checked_mul(mult as u64)
            .ok_or_else(|| format!("`{s}` is too large"))?;
        return capped_size(bytes, &format_args!("`{s}`"));
    }
    let bytes = value * mult;
    if bytes > MAX_SIZE_BYTES as f64 {
        return capped_size(u64::MAX, &format_args!("`{s}`"));
    }
    Ok(bytes.floor() as u64)
}

/// Parses a CPU string (see [`Cpu`]) into millicores.
pub fn parse_cpu(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Some(m) = t.strip_suffix('m') {
        let millis = m
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a CPU quantity (expected e.g. 250m, 2 or 0.5)"))?;
        return capped_cpu(millis, &format_args!("`{s}`"));
    }
    let cores: f64 = t
        .parse()
        .map_err(|_| format!("`{s}` is not a CPU quantity (expected e.g. 250m, 2 or 0.5)"))?;
    cores_to_millis(cores)
}

fn cores_to_millis(cores: f64) -> Result<u64, String> {
    if !cores.is_finite() || cores < 0.0 {
        return Err(format!(
            "CPU must be a non-negative number of cores, got {cores}"
        ));
    }
    if cores * 1000.0 > MAX_CPU_MILLIS as f64 {
        return capped_cpu(u64::MAX, &cores);
    }
    Ok((cores * 1000.0).round() as u64)
}

struct SizeVisitor;
impl de::Visitor<'_> for SizeVisitor {
    type Value = Size;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a size: a number of bytes or a string such as \"58M\" or \"512Mi\"")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
        let bytes = u64::try_from(v)
            .map_err(|_| E::custom(format!("a size must not be negative, got {v}")))?;
        capped_size(bytes, &v).map(Size).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
        capped_size(v, &v).map(Size).map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Size, E> {
        if v > MAX_SIZE_BYTES as f64 {
            capped_size(u64::MAX, &v).map(Size).map_err(E::custom)
        } else if v.is_finite() && v >= 0.0 {
            Ok(Size(v.floor() as u64))
        } else {
            Err(E::custom(format!(
                "a size must be a non-negative number, got {v}"
            )))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
        parse_size(v).map(Size).map_err(E::custom)
    }
}
impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SizeVisitor)
    }
}
impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

struct CpuVisitor;
impl de::Visitor<'_> for CpuVisitor {
    type Value = Cpu;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CPU quantity: cores as a number, or a string such as \"250m\" or \"2\"")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cpu, E> {
        cores_to_millis(v as f64).map(Cpu).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cpu, E> {
        cores_to_millis(v as f64).map(Cpu).map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cpu, E> {
        cores_to_millis(v).map(Cpu).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cpu, E> {
        parse_cpu(v).map(Cpu).map_err(E::custom)
    }
}
impl<'de> Deserialize<'de> for Cpu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CpuVisitor)
    }
}
impl Serialize for Cpu {
    // Canonical form: the millicore string, which parses back to the same value.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}m", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_strings_follow_the_spec_units() {
        assert_eq!(parse_size("58M").unwrap(), 58_000_000);
        assert_eq!(parse_size("999036Ki").unwrap(), 1_023_012_864);
        assert_eq!(parse_size("16Gi").unwrap(), 17_179_869_184);
        assert_eq!(parse_size("1.5G").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("123").unwrap(), 123);
        assert!(parse_size("5Q").is_err());
    }

    #[test]
    fn cpu_strings_follow_kubernetes_semantics() {
        assert_eq!(parse_cpu("250m").unwrap(), 250);
        assert_eq!(parse_cpu("1").unwrap(), 1000);
        assert_eq!(parse_cpu("0.5").unwrap(), 500);
        assert!(parse_cpu("abc").is_err());
    }
}
