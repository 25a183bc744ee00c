//! The `samskab` binary, built inside the tests crate so that its integration
//! tests (and the load benchmarks) can run the real server as a separate
//! process (to kill it). It is exactly the code of `server/src/main.rs`,
//! allocator included.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    samskab_server::cli::main()
}
