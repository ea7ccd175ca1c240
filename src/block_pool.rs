//! The global allocator: mimalloc, with freed large blocks (32 KiB – 2 MiB) kept in one small
//! pool and handed out again, so a sweep's steady state stops faulting in fresh pages.
//!
//! Encoding a batch builds a Parquet writer per table, and each dictionary-encoded column of it
//! allocates a 72 KiB hash table, page buffers and compression buffers, all freed when the part is
//! written; a sweep does this ten times per batch. mimalloc serves blocks of this size from whole
//! pages of its arena and gives them back to the arena when they are freed, and the next
//! request often lands on another range of the arena: the resident set grew by ~4 MB a second
//! of fresh, zeroed pages until the freed ones were purged a second later, and a page fault
//! profile put 57 % of a short sweep's faults in the Parquet writer (docs/performance.md, "Sweep
//! memory", round 7). The pool makes the encoder reuse the same blocks from one batch to the
//! next, whichever worker encodes it.
//!
//! Bounded by design: at most [`POOL_BLOCKS`] blocks and [`POOL_BYTES`] bytes are kept (the
//! oldest are freed first), and a request takes a pooled block only if it wastes at most a
//! quarter of it, so the pool never holds much more than one encoder's working set.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::Mutex;

use mimalloc::MiMalloc;

/// The smallest request the pool serves: smaller blocks live in mimalloc's small pages, which its
/// per-thread heaps already reuse.
pub const MIN_BLOCK: usize = 32 << 10;
/// The largest block the pool keeps.
pub const MAX_BLOCK: usize = 2 << 20;
/// The most blocks kept.
pub const POOL_BLOCKS: usize = 128;
/// The most bytes kept.
pub const POOL_BYTES: usize = 8 << 20;

/// The largest alignment the pool serves (mimalloc's natural one; others go straight to it).
const MAX_ALIGN: usize = 16;

extern "C" {
    /// The usable size of a block mimalloc handed out (linked from mimalloc's library).
    fn mi_usable_size(p: *const std::ffi::c_void) -> usize;
}

/// mimalloc with a pool of large freed blocks; see the module docs.
pub struct PooledMiMalloc;

/// Blocks kept for reuse, oldest first, as (address, usable size).
struct Pool {
    blocks: [(usize, usize); POOL_BLOCKS],
    len: usize,
    bytes: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    blocks: [(0, 0); POOL_BLOCKS],
    len: 0,
    bytes: 0,
});

impl Pool {
    /// The most recently kept block of at least `size` bytes that wastes at most a quarter of
    /// itself, taken out of the pool.
    fn take(&mut self, size: usize) -> Option<*mut u8> {
        let most = size + size / 3;
        let i = (0..self.len)
            .rev()
            .find(|&i| (size..=most).contains(&self.blocks[i].1))?;
        let (addr, usable) = self.blocks[i];
        self.blocks.copy_within(i + 1..self.len, i);
        self.len -= 1;
        self.bytes -= usable;
        Some(addr as *mut u8)
    }

    /// Keeps a block, first taking out the oldest blocks (at most `evicted.len()`) while it
    /// does not fit; returns how many were taken out (to be freed by the caller, outside the
    /// lock) and whether the block was kept.
    fn keep(&mut self, addr: usize, usable: usize, evicted: &mut [usize]) -> (usize, bool) {
        let mut n = 0;
        while n < evicted.len()
            && self.len > 0
            && (self.len == POOL_BLOCKS || self.bytes + usable > POOL_BYTES)
        {
            let (old, old_usable) = self.blocks[0];
            self.blocks.copy_within(1..self.len, 0);
            self.len -= 1;
            self.bytes -= old_usable;
            evicted[n] = old;
            n += 1;
        }
        if self.len == POOL_BLOCKS || self.bytes + usable > POOL_BYTES {
            return (n, false);
        }
        self.blocks[self.len] = (addr, usable);
        self.len += 1;
        self.bytes += usable;
        (n, true)
    }
}

fn pooled(layout: &Layout) -> bool {
    layout.align() <= MAX_ALIGN && (MIN_BLOCK..=MAX_BLOCK).contains(&layout.size())
}

fn lock() -> std::sync::MutexGuard<'static, Pool> {
    // Nothing panics while the lock is held; a poisoned pool is still consistent.
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

// SAFETY: every block handed out is a live mimalloc block of at least the requested size and
// alignment (pooled blocks were allocated by mimalloc for a request of the same alignment class,
// and their usable size is at least `layout.size()`); every block freed goes to mimalloc, which
// frees any of its blocks whatever layout is passed.
unsafe impl GlobalAlloc for PooledMiMalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if pooled(&layout) {
            if let Some(p) = lock().take(layout.size()) {
                return p;
            }
        }
        MiMalloc.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if pooled(&layout) {
            if let Some(p) = lock().take(layout.size()) {
                p.write_bytes(0, layout.size());
                return p;
            }
        }
        MiMalloc.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !pooled(&layout) {
            return MiMalloc.dealloc(ptr, layout);
        }
        let usable = mi_usable_size(ptr.cast());
        if usable > MAX_BLOCK {
            return MiMalloc.dealloc(ptr, layout);
        }
        // The blocks the pool gives up are freed after the lock is released.
        let mut evicted = [0usize; 4];
        let (n, kept) = lock().keep(ptr as usize, usable, &mut evicted);
        for &old in &evicted[..n] {
            MiMalloc.dealloc(old as *mut u8, layout);
        }
        if !kept {
            MiMalloc.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if !pooled(&layout) && !pooled(&new_layout) {
            return MiMalloc.realloc(ptr, layout, new_size);
        }
        // A block that already has room (pooled blocks may be larger than asked) grows in place.
        if new_size <= mi_usable_size(ptr.cast()) && layout.align() <= MAX_ALIGN {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Pool {
        Pool {
            blocks: [(0, 0); POOL_BLOCKS],
            len: 0,
            bytes: 0,
        }
    }

    #[test]
    fn a_request_takes_the_newest_block_that_fits_without_wasting_more_than_a_quarter() {
        let mut pool = empty();
        let mut evicted = [0; 4];
        assert_eq!(pool.keep(0x10, 80 << 10, &mut evicted), (0, true));
        assert_eq!(pool.keep(0x20, 200 << 10, &mut evicted), (0, true));
        assert_eq!(pool.keep(0x30, 72 << 10, &mut evicted), (0, true));
        // 70 KiB: the 72 KiB block is the newest that fits; the 80 KiB one would fit too.
        assert_eq!(pool.take(70 << 10), Some(0x30 as *mut u8));
        assert_eq!(pool.take(70 << 10), Some(0x10 as *mut u8));
        // 100 KiB: 200 KiB would waste half of it.
        assert_eq!(pool.take(100 << 10), None);
        assert_eq!(pool.take(160 << 10), Some(0x20 as *mut u8));
        assert_eq!((pool.len, pool.bytes), (0, 0));
    }

    #[test]
    fn the_pool_gives_up_its_oldest_blocks_past_its_byte_budget() {
        let mut pool = empty();
        let mut evicted = [0; 4];
        let block = 2 << 20;
        for a in [0x10, 0x20, 0x30, 0x40] {
            assert_eq!(pool.keep(a, block, &mut evicted), (0, true));
        }
        assert_eq!(pool.bytes, POOL_BYTES);
        assert_eq!(pool.keep(0x50, block, &mut evicted), (1, true));
        assert_eq!(evicted[0], 0x10);
        assert_eq!(pool.bytes, POOL_BYTES);
        assert_eq!(pool.take(block), Some(0x50 as *mut u8));
    }

    #[test]
    fn only_large_blocks_of_natural_alignment_are_pooled() {
        let layout = |size, align| Layout::from_size_align(size, align).unwrap();
        assert!(!pooled(&layout(MIN_BLOCK - 1, 8)));
        assert!(pooled(&layout(MIN_BLOCK, 8)));
        assert!(pooled(&layout(MAX_BLOCK, 16)));
        assert!(!pooled(&layout(MAX_BLOCK + 1, 8)));
        assert!(!pooled(&layout(MIN_BLOCK, 64)));
    }
}
