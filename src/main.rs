//! The `faasim` binary: the allocator and the entry point; the command line lives in [`cli`].

mod cli;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
