//! The `samskab` binary, built inside the tests crate so that its integration
//! tests can run the real server as a separate process (to kill it).
//! It is exactly the code of `server/src/main.rs`.

fn main() -> anyhow::Result<()> {
    samskab_server::cli::main()
}
