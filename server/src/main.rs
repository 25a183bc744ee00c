//! `samskab`: the Samskab server and its command line.

fn main() -> anyhow::Result<()> {
    samskab_server::cli::main()
}
