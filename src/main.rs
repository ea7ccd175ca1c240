//! The `faasim` binary: the allocators and the entry point; the command line lives in [`cli`].

mod cli;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    keep_c_heap();
    cli::main()
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
