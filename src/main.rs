//! The `faasim` binary: the allocators and the entry point; the command line lives in [`cli`].

mod block_pool;
mod cli;

/// mimalloc, with large freed blocks pooled for reuse ([`block_pool`]).
#[global_allocator]
static GLOBAL: block_pool::PooledMiMalloc = block_pool::PooledMiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    keep_c_heap();
    cli::main()
}

/// Keeps the kernel from backing the process's memory with 2 MiB transparent huge pages.
///
/// mimalloc reserves its arena as one large mapping and advises the kernel to use huge pages
/// for it (`MADV_HUGEPAGE`), so the first touch of any 4 KiB of a 2 MiB range faults in, and
/// zeroes, the whole 2 MiB. A sweep's live heap is small (9 MB at its peak for `--jobs 2` on short
/// runs) but spread over many such ranges by the threads' separate heaps, so its resident set
/// grew in 2 MiB steps to about twice what it used and varied with timing from one sweep to the
/// next: 59–76 MB for short-1000 at `--jobs 2`, against 35–42 MB with 4 KiB pages, for the same
/// CPU time (docs/performance.md, "Sweep memory"). `PR_SET_THP_DISABLE` applies to the whole
/// process, mappings made before the call included, and is inherited by nothing but children.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of this process's address
    // space; it touches no memory of ours. A kernel without it returns an error, which changes
    // nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Stops the C library's allocator from handing freed memory back to the kernel.
///
/// Rust allocations go to mimalloc, but ZSTD (inside the Parquet writer) allocates through the
/// C library: a compression and a decompression context for every column chunk written, a few
/// hundred kB each. By default glibc gives such blocks back to the kernel when they are freed (a
/// trimmed heap top, or `munmap` of a large block) and the next column chunk faults the same
/// memory in again, zeroed. That was 87 % of a short sweep's page faults, and in a sweep the
/// threads fault into one shared address space (docs/performance.md, "Page faults and the C
/// heap"). The contexts are the only large C allocations, so keeping them costs a few MB at most.
fn keep_c_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator parameters; it is called before any other thread
    // exists.
    unsafe {
        // Blocks up to glibc's largest threshold (32 MiB) come from the heap, not from `mmap`.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        // A heap keeps up to 256 MiB of free memory at its top instead of trimming it.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}
