//! `cargo bench --bench load [-- FLAGS]`: the load benchmark of the hot paths against
//! their SQL floor (see `bench.rs`, and the README's "Performance" section).

#[allow(dead_code, reason = "the test of the benchmark uses other parts")]
mod bench;

use clap::Parser;

/// Seeds a fresh database, drives the real server over HTTP and the same reads as
/// prepared SQL at the same concurrency, and prints one table.
#[derive(Parser)]
#[command(name = "load")]
struct Cli {
    #[command(flatten)]
    config: bench::Config,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    bench::run(&cli.config, env!("CARGO_BIN_EXE_envgate").as_ref()).await?;
    Ok(())
}
