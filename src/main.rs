//! The `cairn` binary: parse the command line and call into the library.

use cairn::config::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("CAIRN_LOG")
                .unwrap_or_else(|_| EnvFilter::new("cairn=info,warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cairn: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cost = cairn::auth::HashCost {
        memory_kib: cli.argon2_memory_kib,
        iterations: cli.argon2_iterations,
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => cairn::server::serve(&cli.data, *args, cost).await?,
            Command::User(command) => cairn::commands::user(&cli.data, command, cost).await?,
            Command::Token(command) => cairn::commands::token(&cli.data, command).await?,
            Command::Check { site, format } => {
                let clean = cairn::commands::check(&cli.data, site.as_deref(), &format)?;
                if !clean {
                    std::process::exit(1);
                }
            }
            Command::Reindex { site } => {
                cairn::commands::reindex(&cli.data, site.as_deref()).await?
            }
        }
        Ok(())
    })
}
