//! The CPU integral of a replica's computing requests, kept in its compute line
//! (docs/performance.md, "Round 9b: the CPU integral and the expiry in the compute line").
//!
//! Under isolated CPUs each request computing on a replica uses the container's
//! `cpu_per_invocation` (`docs/scenario.md`, resource accounting), so this part of the replica's
//! used CPU is `cpu × computing` and its integral since time 0 is
//! `I(t) = acc + cpu × computing × t`, where a start at `s` subtracts `cpu × s` from `acc` and an
//! end at `e` adds `cpu × e`. No "since" time and no multiply-add of the old value: a start and a
//! completion each write two fields of the line they already hold.
//!
//! `acc` alone may be "negative" (every running request has subtracted its start); it is kept
//! modulo 2^96 in 12 bytes (so that the computing count fits beside it), and `I(t)`, the true
//! non-negative integral, is exact as long as it is below 2^96 millicore·ns (2.5 × 10^9
//! core·years). Integer sums are exact, so every value equals the eager [`crate::platform::Integral`]
//! the platform's usage kept before.

use crate::engine::SimTime;

/// 2^96 − 1: the accumulator's modulus minus one.
const MASK: u128 = (1u128 << 96) - 1;

/// The in-line CPU integral of a replica's computing requests (16 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ComputingCpu {
    /// `acc` mod 2^96, low 64 bits.
    acc_low: u64,
    /// `acc` mod 2^96, high 32 bits.
    acc_high: u32,
    /// Requests computing now (under isolated CPUs; a worker held through a data transfer is
    /// executing but not computing).
    computing: u32,
}

impl ComputingCpu {
    /// No request computing and a zero integral.
    pub const ZERO: ComputingCpu = ComputingCpu {
        acc_low: 0,
        acc_high: 0,
        computing: 0,
    };

    #[inline(always)]
    fn acc(&self) -> u128 {
        (self.acc_high as u128) << 64 | self.acc_low as u128
    }

    #[inline(always)]
    fn set_acc(&mut self, acc: u128) {
        self.acc_low = acc as u64;
        self.acc_high = (acc >> 64) as u32;
    }

    /// A request using `cpu` millicores starts computing at `now`.
    #[inline(always)]
    pub fn start(&mut self, now: SimTime, cpu: u32) {
        self.set_acc(self.acc().wrapping_sub(cpu as u128 * now.0 as u128));
        self.computing += 1;
    }

    /// A request using `cpu` millicores ends computing at `now` (none computing: nothing, as
    /// after [`ComputingCpu::freeze`]).
    #[inline(always)]
    pub fn end(&mut self, now: SimTime, cpu: u32) {
        debug_assert!(self.computing > 0, "no request computing");
        if self.computing > 0 {
            self.set_acc(self.acc().wrapping_add(cpu as u128 * now.0 as u128));
            self.computing -= 1;
        }
    }

    /// Requests computing now.
    #[inline]
    pub fn computing(&self) -> u32 {
        self.computing
    }

    /// The used CPU now, millicores, of requests using `cpu` each.
    #[inline]
    pub fn value(&self, cpu: u32) -> u64 {
        cpu as u64 * self.computing as u64
    }

    /// `I(now)`, millicore·ns, of requests using `cpu` each (`now` ≥ the last change).
    #[inline]
    pub fn at(&self, now: SimTime, cpu: u32) -> u128 {
        let running = cpu as u128 * self.computing as u128 * now.0 as u128;
        self.acc().wrapping_add(running) & MASK
    }

    /// The replica stops at `now`: its integral stays `I(now)` from then on (no request
    /// computes any more); returns it.
    pub fn freeze(&mut self, now: SimTime, cpu: u32) -> u128 {
        let i = self.at(now, cpu);
        self.set_acc(i);
        self.computing = 0;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Integral;

    /// A deterministic stream of small numbers.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn it_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<ComputingCpu>(), 16);
    }

    #[test]
    fn one_request_integrates_its_cpu_over_its_computing_time() {
        let s = SimTime::from_secs_f64;
        let mut c = ComputingCpu::default();
        c.start(s(2.0), 500);
        assert_eq!(c.value(500), 500);
        assert_eq!(c.at(s(3.0), 500), 500 * 1_000_000_000);
        c.end(s(5.0), 500);
        assert_eq!((c.computing(), c.value(500)), (0, 0));
        // 500 m for 3 s, constant afterwards.
        assert_eq!(c.at(s(9.0), 500), 1500 * 1_000_000_000);
    }

    #[test]
    fn it_equals_the_eager_integral_on_random_starts_and_ends() {
        for (seed, cpu) in [(1u64, 250u32), (2, 1), (3, 4_000_000), (4, u32::MAX)] {
            let mut rng = seed;
            let (mut c, mut eager) = (ComputingCpu::default(), Integral::default());
            let mut t = SimTime::ZERO;
            for step in 0..5_000 {
                t = t.plus(SimTime(lcg(&mut rng) % 4 * 999_999_937));
                if c.computing() > 0 && lcg(&mut rng) % 2 == 0 {
                    c.end(t, cpu);
                    eager.sub(t, cpu as u64);
                } else {
                    c.start(t, cpu);
                    eager.add(t, cpu as u64);
                }
                assert_eq!(c.value(cpu), eager.value(), "step {step}");
                assert_eq!(c.at(t, cpu), eager.at(t), "seed {seed}, step {step}");
            }
            let later = t.plus(SimTime(123_456_789));
            assert_eq!(c.at(later, cpu), eager.at(later));
        }
    }

    #[test]
    fn a_frozen_integral_stays_constant() {
        let s = SimTime::from_secs_f64;
        let mut c = ComputingCpu::default();
        c.start(s(1.0), 100);
        c.start(s(2.0), 100);
        // 100 m over [1, 4] s and 100 m over [2, 4] s.
        assert_eq!(c.freeze(s(4.0), 100), 500 * 1_000_000_000);
        assert_eq!(c.at(s(10.0), 100), 500 * 1_000_000_000);
        assert_eq!(c.value(100), 0);
    }

    #[test]
    fn integrals_beyond_two_to_the_sixty_four_are_exact() {
        // u32::MAX millicores for 10^4 s is about 4.3 × 10^22 millicore·ns.
        let mut c = ComputingCpu::default();
        let mut eager = Integral::default();
        let t = SimTime(10_000 * 1_000_000_000);
        c.start(SimTime(7), u32::MAX);
        eager.add(SimTime(7), u32::MAX as u64);
        assert!(eager.at(t) > u64::MAX as u128);
        assert_eq!(c.at(t, u32::MAX), eager.at(t));
        c.end(t, u32::MAX);
        eager.sub(t, u32::MAX as u64);
        assert_eq!(c.at(t.plus(t), u32::MAX), eager.at(t.plus(t)));
    }
}
