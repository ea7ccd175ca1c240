//! How a priority's map column becomes its score column (`docs/schedulers.md`, "Formulas"):
//! the reduce kinds, skippy's truncations, and the fused reduce-and-accumulate of the skippy
//! profile. The arithmetic follows skippy-core literally (evaluation order, truncations), so
//! results are bit-identical to it.

/// How a priority's map column becomes its score column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    /// Scores are the map values.
    Identity,
    /// skippy's locality reduce (no subtraction of the minimum in the denominator).
    Locality,
    /// `scale`: minimum → 0, maximum → factor.
    Scale,
    /// `scale_inverse`: minimum → factor, maximum → 0.
    ScaleInverse,
}

/// Truncation toward zero (Python `int()` of a float), for the finite values priorities produce.
///
/// A cast round trip compiles to two instructions on every x86-64, where `f64::trunc` is a libm
/// call without SSE4.1. (For values in (−1, 0) it returns +0.0 instead of −0.0, which compares
/// and adds identically.)
#[inline(always)]
pub fn trunc(x: f64) -> f64 {
    x as i64 as f64
}

/// [`trunc`] for values known to lie in `(−2³¹, 2³¹)` (scores on 0..100): the `i32` round trip
/// has packed SSE2 instructions, so loops using it vectorise.
#[inline(always)]
pub fn trunc_small(x: f64) -> f64 {
    x as i32 as f64
}

/// Where a priority's scores for the feasible nodes are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Col {
    /// Every node has the same (raw, reduced) values; the columns are not written.
    Const(f64, f64),
    /// The reduced values equal the raw column (identity reduce); the reduced column is not
    /// written.
    Identity,
    /// Values in the priority's raw and reduced columns.
    Filled,
}

impl Col {
    /// The (raw, reduced) values of position `i`.
    #[inline]
    pub fn at(self, raw: &[f64], norm: &[f64], i: usize) -> (f64, f64) {
        match self {
            Col::Const(r, v) => (r, v),
            Col::Identity => (raw[i], raw[i]),
            Col::Filled => (raw[i], norm[i]),
        }
    }
}

/// Minimum and maximum of `x` (no NaN), with four independent accumulators.
pub fn min_max(x: &[f64]) -> (f64, f64) {
    let mut mn = [f64::INFINITY; 4];
    let mut mx = [f64::NEG_INFINITY; 4];
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..4 {
            mn[j] = if c[j] < mn[j] { c[j] } else { mn[j] };
            mx[j] = if c[j] > mx[j] { c[j] } else { mx[j] };
        }
    }
    for &v in rest {
        mn[0] = if v < mn[0] { v } else { mn[0] };
        mx[0] = if v > mx[0] { v } else { mx[0] };
    }
    let lo = mn[0].min(mn[1]).min(mn[2].min(mn[3]));
    let hi = mx[0].max(mx[1]).max(mx[2].max(mx[3]));
    (lo, hi)
}

/// Reduces `raw` into `out` (same length) with `factor` = 10 (skippy) or 100 (kubernetes
/// extension scores).
pub fn reduce(kind: Reduce, raw: &[f64], out: &mut [f64], factor: f64) {
    let out = &mut out[..raw.len()];
    match kind {
        Reduce::Identity => out.copy_from_slice(raw),
        Reduce::Scale => {
            let (mn, mx) = min_max(raw);
            let d = mx - mn;
            if d == 0.0 {
                out.fill(0.0);
            } else {
                for (o, &x) in out.iter_mut().zip(raw) {
                    *o = trunc(((x - mn) / d) * factor);
                }
            }
        }
        Reduce::ScaleInverse => {
            let (mn, mx) = min_max(raw);
            let d = mn - mx;
            if d == 0.0 {
                out.fill(0.0);
            } else {
                for (o, &x) in out.iter_mut().zip(raw) {
                    *o = trunc(((x - mx) / d) * factor);
                }
            }
        }
        Reduce::Locality => {
            let (mn, mx) = min_max(raw);
            if mx == 0.0 {
                out.fill(0.0);
            } else {
                // Map values are integers; the product is exact in i64, the division in f64.
                let (mn, mxi) = (mn as i64, mx as i64);
                for (o, &x) in out.iter_mut().zip(raw) {
                    let num = 10 * (mxi - x as i64 + mn);
                    *o = trunc(num as f64 / mx);
                }
            }
        }
    }
}

/// Largest map value for which the locality reduce may run in `f64` (`mx + mn ≤ 2 mx` and
/// `10 × 2 mx < 2⁵³`).
const LOCALITY_F64_EXACT: f64 = 4.5e14;

/// Reduces `raw` (skippy, factor 10) and adds `reduced × weight` to `total`, in one pass per
/// column. The reduced column is written only for `Scale`, `ScaleInverse` and `Locality`;
/// returns where the reduced values are.
pub fn reduce_accumulate(
    kind: Reduce,
    raw: &[f64],
    norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let f = raw.len();
    let (norm, total) = (&mut norm[..f], &mut total[..f]);
    match kind {
        Reduce::Identity => {
            for (t, &v) in total.iter_mut().zip(raw) {
                *t += v * w;
            }
            return Col::Identity;
        }
        Reduce::Scale | Reduce::ScaleInverse => {
            let (mn, mx) = min_max(raw);
            let (base, d) = if kind == Reduce::Scale {
                (mn, mx - mn)
            } else {
                (mx, mn - mx)
            };
            if d == 0.0 {
                return Col::Const(raw[0], 0.0);
            }
            for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                let v = trunc_small(((x - base) / d) * 10.0);
                *o = v;
                *t += v * w;
            }
        }
        Reduce::Locality => {
            let (mn, mx) = min_max(raw);
            if mx == 0.0 {
                return Col::Const(0.0, 0.0);
            }
            if mx <= LOCALITY_F64_EXACT {
                // Integers below 2^53 / 10: `10 × (mx − x + mn)` is exact in f64 as well.
                for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                    let v = trunc_small((10.0 * ((mx - x) + mn)) / mx);
                    *o = v;
                    *t += v * w;
                }
            } else {
                let (mn, mxi) = (mn as i64, mx as i64);
                for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                    let v = trunc((10 * (mxi - x as i64 + mn)) as f64 / mx);
                    *o = v;
                    *t += v * w;
                }
            }
        }
    }
    Col::Filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(kind: Reduce, raw: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; raw.len()];
        reduce(kind, raw, &mut out, 10.0);
        out
    }

    #[test]
    fn locality_reduce_does_not_subtract_the_minimum_in_the_denominator() {
        assert_eq!(red(Reduce::Locality, &[10.0, 12.0]), vec![10.0, 8.0]);
        assert_eq!(red(Reduce::Locality, &[0.0, 800_000.0]), vec![10.0, 0.0]);
        assert_eq!(red(Reduce::Locality, &[0.0, 0.0]), vec![0.0, 0.0]);
    }

    #[test]
    fn scale_and_scale_inverse_truncate_toward_zero() {
        let raw = [50_000.0, 500_000.0, 200_000.0];
        assert_eq!(red(Reduce::ScaleInverse, &raw), vec![10.0, 0.0, 6.0]);
        assert_eq!(red(Reduce::Scale, &raw), vec![0.0, 10.0, 3.0]);
        assert_eq!(red(Reduce::Scale, &[4.0, 4.0]), vec![0.0, 0.0]);
        let mut out = [0.0; 3];
        reduce(Reduce::Scale, &[-3.0, -1.0, -2.5], &mut out, 100.0);
        assert_eq!(out, [0.0, 100.0, 25.0]);
    }
}
