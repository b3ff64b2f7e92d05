//! The `envgate` command: parses the command line, sets up logs (and traces for a
//! server) and the runtime, and dispatches to the command's module in
//! [`envgate::commands`].

use clap::Parser as _;

use envgate::commands;
use envgate::config::{Cli, Command};
use envgate::traces::{self, Traces};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Only a server sends traces; made before the runtime (the exporter's client blocks).
    let traces = match cli.command {
        Command::Serve(_) => Traces::from_env()?,
        _ => None,
    };
    traces::install(cli.log_format, traces.as_ref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(cli));
    if let Some(traces) = traces {
        traces.shutdown();
    }
    result
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let state_dir = cli.state_dir.as_path();
    match cli.command {
        Command::Serve(args) => commands::serve::run(*args, state_dir).await,
        Command::Migrate(args) => commands::migrate::run(&args, state_dir).await,
        Command::Schema => {
            print!("{}", envgate::graphql::sdl());
            Ok(())
        }
        Command::Token(args) => commands::token::run(args, state_dir),
        Command::License(command) => commands::license::run(command),
        Command::Keys(command) => commands::keys::run(command, state_dir).await,
        Command::Config(command) => {
            // CI reads the exit code: 2 is a dry run whose plan has changes.
            if commands::config::run(command).await? == commands::config::Outcome::ChangesPlanned {
                std::process::exit(2);
            }
            Ok(())
        }
    }
}
