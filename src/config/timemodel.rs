//! Time models (distributions of phase and execution durations) as written in scenario files,
//! optionally per node type (`docs/scenario.md`).
//!
//! A model is written as a one-key table naming the distribution, e.g.
//! `exec = { lognormal = { s = 0.5, scale = 1.0 } }`; per node type as
//! `exec = { default = { constant = { value = 1 } }, by_node_type = { tx2 = { constant = { value = 0.4 } } } }`.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One distribution of durations in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeModel {
    /// Always `value`.
    Constant {
        /// Seconds.
        value: f64,
    },
    /// `low + (high − low)·U`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean in seconds.
        mean: f64,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Normal (negative samples clamp to 0).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// scipy's `lognorm(s, loc, scale)`: `loc + scale·exp(s·Z)`.
    Lognormal {
        /// σ of the underlying normal.
        s: f64,
        /// Shift.
        #[serde(default)]
        loc: f64,
        /// `e^μ`.
        #[serde(default = "one")]
        scale: f64,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Uniform over a list of observed values.
    Empirical {
        /// The observed values.
        values: Vec<f64>,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Inverse CDF by linear interpolation between `(p, value)` points from p = 0 to p = 1.
    Percentiles {
        /// `[p, value]` pairs with increasing p.
        points: Vec<[f64; 2]>,
        /// Optional truncation bounds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
}

fn one() -> f64 {
    1.0
}

impl TimeModel {
    /// The distribution mean (`docs/scenario.md`), used for deterministic estimates.
    pub fn mean(&self) -> f64 {
        let (m, bounds) = match self {
            TimeModel::Constant { value } => return *value,
            TimeModel::Uniform { low, high, bounds } => ((low + high) / 2.0, bounds),
            TimeModel::Exponential { mean, bounds } => (*mean, bounds),
            TimeModel::Normal { mean, bounds, .. } => (*mean, bounds),
            TimeModel::Lognormal {
                s,
                loc,
                scale,
                bounds,
            } => (loc + scale * (s * s / 2.0).exp(), bounds),
            TimeModel::Empirical { values, bounds } => (
                values.iter().sum::<f64>() / values.len().max(1) as f64,
                bounds,
            ),
            TimeModel::Percentiles { points, bounds } => (
                points
                    .windows(2)
                    .map(|w| (w[1][0] - w[0][0]) * (w[0][1] + w[1][1]) / 2.0)
                    .sum(),
                bounds,
            ),
        };
        match bounds {
            Some([lo, hi]) => m.clamp(*lo, *hi),
            None => m,
        }
    }
}

impl TimeModel {
    /// The model of `f × X` for `X` drawn from this one (a node speed factor): every parameter
    /// in seconds is multiplied (a lognormal's `s` is a shape and stays), bounds included, so a
    /// sample of the scaled model is `f` times the sample this model draws from the same
    /// random numbers.
    pub fn scaled(&self, f: f64) -> TimeModel {
        let b = |bounds: &Option<[f64; 2]>| bounds.map(|[lo, hi]| [lo * f, hi * f]);
        match self {
            TimeModel::Constant { value } => TimeModel::Constant { value: value * f },
            TimeModel::Uniform { low, high, bounds } => TimeModel::Uniform {
                low: low * f,
                high: high * f,
                bounds: b(bounds),
            },
            TimeModel::Exponential { mean, bounds } => TimeModel::Exponential {
                mean: mean * f,
                bounds: b(bounds),
            },
            TimeModel::Normal { mean, std, bounds } => TimeModel::Normal {
                mean: mean * f,
                std: std * f,
                bounds: b(bounds),
            },
            TimeModel::Lognormal {
                s,
                loc,
                scale,
                bounds,
            } => TimeModel::Lognormal {
                s: *s,
                loc: loc * f,
                scale: scale * f,
                bounds: b(bounds),
            },
            TimeModel::Empirical { values, bounds } => TimeModel::Empirical {
                values: values.iter().map(|v| v * f).collect(),
                bounds: b(bounds),
            },
            TimeModel::Percentiles { points, bounds } => TimeModel::Percentiles {
                points: points.iter().map(|&[p, v]| [p, v * f]).collect(),
                bounds: b(bounds),
            },
        }
    }
}

/// A time model with optional per-node-type overrides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimeModelSpec {
    /// Model for node types without an entry.
    pub default: Option<TimeModel>,
    /// Models by catalog node type.
    pub by_node_type: BTreeMap<String, TimeModel>,
}

impl TimeModelSpec {
    /// `constant 0`, the default of startup, setup and teardown.
    pub fn zero() -> Self {
        Self::constant(0.0)
    }

    /// `constant 1.0`, the default execution time.
    pub fn one_second() -> Self {
        Self::constant(1.0)
    }

    /// No model at all: a container key left out, until [`TimeModelSpec::or_function_default`]
    /// resolves it (an empty table reads the same).
    pub fn unset() -> Self {
        TimeModelSpec {
            default: None,
            by_node_type: BTreeMap::new(),
        }
    }

    /// True if the spec has no model for any node type.
    pub fn is_unset(&self) -> bool {
        self.default.is_none() && self.by_node_type.is_empty()
    }

    /// A container's spec completed by its function's default (`docs/scenario.md`, "Time
    /// models"): lookup for node type `T` is the container's `by_node_type[T]`, its `default`,
    /// then the function's `by_node_type[T]` and `default`; a container and function without
    /// any model take `builtin`.
    pub fn or_function_default(
        &self,
        function: Option<&TimeModelSpec>,
        builtin: impl FnOnce() -> TimeModelSpec,
    ) -> TimeModelSpec {
        match function {
            _ if self.default.is_some() => self.clone(),
            Some(f) => {
                let mut by_node_type = f.by_node_type.clone();
                by_node_type.extend(self.by_node_type.clone());
                TimeModelSpec {
                    default: f.default.clone(),
                    by_node_type,
                }
            }
            None if self.is_unset() => builtin(),
            None => self.clone(),
        }
    }

    /// A constant model for every node type.
    pub fn constant(value: f64) -> Self {
        TimeModelSpec {
            default: Some(TimeModel::Constant { value }),
            by_node_type: BTreeMap::new(),
        }
    }

    /// The model for a node of type `node_type`: `by_node_type[T]`, then `default`.
    pub fn for_node_type(&self, node_type: &str) -> Option<&TimeModel> {
        self.by_node_type.get(node_type).or(self.default.as_ref())
    }

    /// The spec with the model of each node type `T` in `factors` multiplied by
    /// `factors[T]` ([`TimeModel::scaled`]); node types without a model stay without one.
    pub fn scaled_by_node_type(&self, factors: &BTreeMap<String, f64>) -> TimeModelSpec {
        let mut out = self.clone();
        for (node_type, &f) in factors {
            if f == 1.0 {
                continue;
            }
            if let Some(m) = self.for_node_type(node_type) {
                out.by_node_type.insert(node_type.clone(), m.scaled(f));
            }
        }
        out
    }

    /// Every model in the spec (default first, then by node type in key order).
    pub fn models(&self) -> impl Iterator<Item = (&str, &TimeModel)> {
        self.default
            .iter()
            .map(|m| ("default", m))
            .chain(self.by_node_type.iter().map(|(k, m)| (k.as_str(), m)))
    }
}

const MODEL_NAMES: &[&str] = &[
    "constant",
    "uniform",
    "exponential",
    "normal",
    "lognormal",
    "empirical",
    "percentiles",
];

impl<'de> Deserialize<'de> for TimeModelSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SpecVisitor)
    }
}

struct SpecVisitor;

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = TimeModelSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a time model such as { constant = { value = 1.0 } }, or { default = <model>, by_node_type = { <type> = <model> } }",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TimeModelSpec, A::Error> {
        let mut spec = TimeModelSpec {
            default: None,
            by_node_type: BTreeMap::new(),
        };
        let mut plain: Option<TimeModel> = None;
        let mut per_type = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "default" => {
                    per_type = true;
                    spec.default = Some(map.next_value::<TimeModel>()?);
                }
                "by_node_type" => {
                    per_type = true;
                    spec.by_node_type = map.next_value()?;
                }
                name if MODEL_NAMES.contains(&name) => {
                    if plain.is_some() {
                        return Err(de::Error::custom(
                            "a time model names exactly one distribution",
                        ));
                    }
                    plain = Some(map.next_value_seed(VariantSeed(name.to_string()))?);
                }
                other => {
                    let mut expected: Vec<&str> = MODEL_NAMES.to_vec();
                    expected.extend(["default", "by_node_type"]);
                    return Err(de::Error::unknown_field(other, leak(expected)));
                }
            }
        }
        match (plain, per_type) {
            (Some(_), true) => Err(de::Error::custom(
                "write either one distribution or `default`/`by_node_type`, not both",
            )),
            (Some(m), false) => {
                spec.default = Some(m);
                Ok(spec)
            }
            (None, true) => Ok(spec),
            (None, false) => Err(de::Error::custom(
                "empty time model: name a distribution (constant, uniform, exponential, normal, lognormal, empirical, percentiles)",
            )),
        }
    }
}

fn leak(v: Vec<&'static str>) -> &'static [&'static str] {
    // A handful of bytes once per error message; serde's API wants a static list.
    Box::leak(v.into_boxed_slice())
}

impl<'de> Deserialize<'de> for TimeModel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ModelVisitor)
    }
}

struct ModelVisitor;

impl<'de> Visitor<'de> for ModelVisitor {
    type Value = TimeModel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time model such as { constant = { value = 1.0 } }")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TimeModel, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom("empty time model: name a distribution"));
        };
        if !MODEL_NAMES.contains(&key.as_str()) {
            return Err(de::Error::unknown_variant(&key, MODEL_NAMES));
        }
        let model = map.next_value_seed(VariantSeed(key))?;
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom(
                "a time model names exactly one distribution",
            ));
        }
        Ok(model)
    }
}

/// Deserialises the body of a named variant, after the name was read as a map key.
struct VariantSeed(String);

impl<'de> de::DeserializeSeed<'de> for VariantSeed {
    type Value = TimeModel;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TimeModel, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Constant {
            value: f64,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Uniform {
            low: f64,
            high: f64,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Exponential {
            mean: f64,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Normal {
            mean: f64,
            std: f64,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Lognormal {
            s: f64,
            #[serde(default)]
            loc: f64,
            #[serde(default = "one")]
            scale: f64,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empirical {
            values: Vec<f64>,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Percentiles {
            points: Vec<[f64; 2]>,
            #[serde(default)]
            bounds: Option<[f64; 2]>,
        }
        Ok(match self.0.as_str() {
            "constant" => TimeModel::Constant {
                value: Constant::deserialize(d)?.value,
            },
            "uniform" => {
                let u = Uniform::deserialize(d)?;
                TimeModel::Uniform {
                    low: u.low,
                    high: u.high,
                    bounds: u.bounds,
                }
            }
            "exponential" => {
                let e = Exponential::deserialize(d)?;
                TimeModel::Exponential {
                    mean: e.mean,
                    bounds: e.bounds,
                }
            }
            "normal" => {
                let n = Normal::deserialize(d)?;
                TimeModel::Normal {
                    mean: n.mean,
                    std: n.std,
                    bounds: n.bounds,
                }
            }
            "lognormal" => {
                let l = Lognormal::deserialize(d)?;
                TimeModel::Lognormal {
                    s: l.s,
                    loc: l.loc,
                    scale: l.scale,
                    bounds: l.bounds,
                }
            }
            "empirical" => {
                let e = Empirical::deserialize(d)?;
                TimeModel::Empirical {
                    values: e.values,
                    bounds: e.bounds,
                }
            }
            "percentiles" => {
                let p = Percentiles::deserialize(d)?;
                TimeModel::Percentiles {
                    points: p.points,
                    bounds: p.bounds,
                }
            }
            _ => unreachable!("checked against MODEL_NAMES"),
        })
    }
}
