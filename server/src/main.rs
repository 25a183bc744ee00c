//! `samskab`: the Samskab server and its command line.

/// mimalloc instead of glibc's malloc: Automerge allocates and frees many
/// small objects, and a large board loads about a third faster
/// (`bench/results/board-full.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    samskab_server::cli::main()
}
