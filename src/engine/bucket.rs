//! `Bucket`: the growable array behind each radix-heap bucket, with a 16-byte header (one
//! pointer, a `u32` length and a `u32` capacity) instead of a `Vec`'s 24 bytes.
//!
//! The radix heap has 256 buckets per digit position, and a push reads the header of the
//! bucket it files into before writing the entry: the headers of the two positions that near
//! and far events use are 12 KB as `Vec`s, a good part of the 32 KB first-level data cache, and
//! a header read was a miss for about one push in ten (docs/performance.md, "Trace replay",
//! round 7). At 16 bytes, four headers share a cache line instead of two and a half.
//!
//! Only what the heap needs: push, pop, the entries as a slice, clearing, and moving every
//! entry of one bucket into another. Elements are `Copy`, so nothing is ever dropped but the
//! buffer itself.

use std::alloc::{self, Layout};
use std::fmt;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

/// A growable array of `Copy` elements with a 16-byte header (see the module docs).
pub(super) struct Bucket<T: Copy> {
    ptr: NonNull<T>,
    len: u32,
    cap: u32,
}

// SAFETY: a `Bucket` owns its buffer exclusively, like a `Vec<T>`.
unsafe impl<T: Copy + Send> Send for Bucket<T> {}
// SAFETY: shared access only reads, like a `Vec<T>`.
unsafe impl<T: Copy + Sync> Sync for Bucket<T> {}

/// The smallest buffer a bucket allocates (the same first capacity as a `Vec` of 24-byte
/// elements, so a bucket grows through the same sizes).
const MIN_CAPACITY: u32 = 4;

impl<T: Copy> Bucket<T> {
    const _NOT_ZERO_SIZED: () = assert!(std::mem::size_of::<T>() != 0);

    /// An empty bucket; allocates nothing.
    pub(super) const fn new() -> Self {
        Bucket {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }

    /// Number of elements.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.len as usize
    }

    /// Elements the buffer holds without growing.
    #[inline(always)]
    pub(super) fn capacity(&self) -> usize {
        self.cap as usize
    }

    /// Appends `value`.
    #[inline(always)]
    pub(super) fn push(&mut self, value: T) {
        if self.len == self.cap {
            self.grow(self.len as usize + 1);
        }
        // SAFETY: `len < cap` now, so the slot is inside the buffer.
        unsafe { self.ptr.as_ptr().add(self.len as usize).write(value) };
        self.len += 1;
    }

    /// The slot past the last element, now counted in, if the buffer has room; `None` when
    /// the bucket is full, so the caller decides how to make room (the radix heap may swap in
    /// its spare buffer). One capacity test on the hot path, and the caller writes the value
    /// straight into the slot (a value handed in and possibly handed back was staged on the
    /// stack and copied, docs/performance.md "Round 9b").
    ///
    /// The caller must write the slot before the bucket is next read: it is counted in the
    /// length from now on.
    #[inline(always)]
    pub(super) fn push_slot(&mut self) -> Option<&mut MaybeUninit<T>> {
        if self.len == self.cap {
            return None;
        }
        // SAFETY: `len < cap`, so the slot is inside the buffer; `MaybeUninit` lets the caller
        // write it before anything reads it.
        let slot = unsafe {
            &mut *self
                .ptr
                .as_ptr()
                .add(self.len as usize)
                .cast::<MaybeUninit<T>>()
        };
        self.len += 1;
        Some(slot)
    }

    /// Removes and returns the last element.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: the slot at the old `len − 1` was written by a push.
        Some(unsafe { self.ptr.as_ptr().add(self.len as usize).read() })
    }

    /// The last element.
    #[inline]
    pub(super) fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }

    /// The elements, in push order.
    #[inline(always)]
    pub(super) fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots are initialised; a dangling pointer is valid for an
        // empty slice.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len as usize) }
    }

    /// A pointer to the first element (dangling when the buffer is unallocated); the first
    /// `len` slots are initialised. For loops that index the buffer without bounds checks.
    #[inline(always)]
    pub(super) fn as_mut_ptr(&mut self) -> *mut T {
        self.ptr.as_ptr()
    }

    /// The elements, in push order, mutably.
    #[inline(always)]
    pub(super) fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as for `as_slice`; `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len as usize) }
    }

    /// Inserts `value` at index `at`, shifting the elements after it up by one.
    ///
    /// # Panics
    /// If `at > len`.
    pub(super) fn insert(&mut self, at: usize, value: T) {
        assert!(at <= self.len(), "insertion index {at} past the end");
        self.push(value);
        self.as_mut_slice()[at..].rotate_right(1);
    }

    /// Forgets every element, keeping the buffer.
    #[inline]
    pub(super) fn clear(&mut self) {
        self.len = 0;
    }

    /// Moves every element of `other` to the end of `self`; `other` is left empty.
    pub(super) fn append(&mut self, other: &mut Bucket<T>) {
        let n = other.len as usize;
        self.reserve(n);
        // SAFETY: `reserve` made room for `n` more; the buffers are distinct allocations.
        unsafe {
            std::ptr::copy_nonoverlapping(
                other.ptr.as_ptr(),
                self.ptr.as_ptr().add(self.len as usize),
                n,
            );
        }
        self.len += n as u32;
        other.len = 0;
    }

    /// Makes room for `extra` more elements.
    fn reserve(&mut self, extra: usize) {
        let needed = self.len as usize + extra;
        if needed > self.cap as usize {
            self.grow(needed);
        }
    }

    /// Grows the buffer to hold at least `needed` elements: doubling, as a `Vec` does.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, needed: usize) {
        let new_cap = needed.max(2 * self.cap as usize).max(MIN_CAPACITY as usize);
        let new_cap = u32::try_from(new_cap).expect("a radix-heap bucket holds below 2^32 entries");
        let new_layout = Layout::array::<T>(new_cap as usize).expect("bucket size overflows");
        let ptr = if self.cap == 0 {
            // SAFETY: the layout has a non-zero size (`T` is not zero-sized, `new_cap ≥ 4`).
            unsafe { alloc::alloc(new_layout) }
        } else {
            let old_layout = Layout::array::<T>(self.cap as usize).expect("allocated before");
            // SAFETY: `ptr` was allocated with `old_layout`; the new size is non-zero.
            unsafe { alloc::realloc(self.ptr.as_ptr().cast(), old_layout, new_layout.size()) }
        };
        self.ptr = match NonNull::new(ptr.cast::<T>()) {
            Some(p) => p,
            None => alloc::handle_alloc_error(new_layout),
        };
        self.cap = new_cap;
    }
}

impl<T: Copy> Default for Bucket<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Drop for Bucket<T> {
    fn drop(&mut self) {
        if self.cap != 0 {
            let layout = Layout::array::<T>(self.cap as usize).expect("allocated before");
            // SAFETY: `ptr` was allocated with this layout; elements are `Copy` (nothing to drop).
            unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

impl<T: Copy> Clone for Bucket<T> {
    fn clone(&self) -> Self {
        let mut b = Bucket::new();
        b.reserve(self.cap as usize);
        // SAFETY: `b` has room for `self.len` elements; the buffers are distinct allocations.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), b.ptr.as_ptr(), self.len as usize)
        };
        b.len = self.len;
        b
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for Bucket<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Bucket<[u64; 3]>>(), 16);
    }

    #[test]
    fn pushes_and_pops_behave_like_a_vec() {
        let mut b = Bucket::new();
        let mut v = Vec::new();
        for i in 0..1_000u64 {
            b.push([i, i * 3, i * 7]);
            v.push([i, i * 3, i * 7]);
            if i % 3 == 0 {
                assert_eq!(b.pop(), v.pop());
            }
            assert_eq!(b.as_slice(), &v[..]);
            assert_eq!(b.last(), v.last());
        }
        assert!(b.capacity() >= b.len());
        b.clear();
        assert_eq!(b.len(), 0);
        assert_eq!(b.pop(), None);
    }

    #[test]
    fn insert_and_as_mut_slice_behave_like_a_vec() {
        let mut b = Bucket::new();
        let mut v = Vec::new();
        for i in 0..200u64 {
            let at = (i as usize * 7) % (v.len() + 1);
            b.insert(at, i);
            v.insert(at, i);
            assert_eq!(b.as_slice(), &v[..]);
        }
        b.as_mut_slice().reverse();
        v.reverse();
        assert_eq!(b.as_slice(), &v[..]);
    }

    #[test]
    fn grows_through_the_same_capacities_as_a_vec() {
        let mut b = Bucket::new();
        let mut v: Vec<[u64; 3]> = Vec::new();
        for i in 0..5_000u64 {
            assert_eq!(b.len() == b.capacity(), v.len() == v.capacity());
            b.push([i; 3]);
            v.push([i; 3]);
            assert_eq!(b.capacity(), v.capacity());
        }
    }

    #[test]
    fn push_slot_counts_in_a_slot_only_when_there_is_room() {
        let mut b = Bucket::new();
        assert!(b.push_slot().is_none(), "an empty bucket has no buffer");
        assert_eq!(b.len(), 0);
        b.push(1u64);
        let cap = b.capacity();
        for i in 1..cap as u64 {
            b.push_slot().expect("room").write(i + 1);
        }
        assert_eq!(b.len(), b.capacity());
        assert!(b.push_slot().is_none());
        assert_eq!(b.len(), cap, "a full bucket counts nothing in");
        assert_eq!(b.capacity(), cap, "it never grows the buffer");
        let expected: Vec<u64> = (1..=cap as u64).collect();
        assert_eq!(b.as_slice(), &expected[..]);
    }

    #[test]
    fn append_moves_every_element_and_clone_copies_them() {
        let mut a = Bucket::new();
        let mut b = Bucket::new();
        for i in 0..10u64 {
            a.push(i);
            b.push(100 + i);
        }
        a.append(&mut b);
        assert_eq!(b.len(), 0);
        let expected: Vec<u64> = (0..10).chain(100..110).collect();
        assert_eq!(a.as_slice(), &expected[..]);
        let c = a.clone();
        assert_eq!(c.as_slice(), a.as_slice());
        assert_eq!(format!("{c:?}"), format!("{expected:?}"));
    }
}
