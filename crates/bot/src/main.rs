//! `vani-bot`: Vani's native peer (echo service, tone analyser, load generator).

use std::process::ExitCode;
use std::sync::Arc;

use vani_bot::cli::{self, Command};
use vani_bot::{BotError, Shutdown, echo, load, tone};

fn main() -> ExitCode {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vani-bot: no async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vani-bot: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), BotError> {
    let shutdown = Shutdown::on_signal();
    match command {
        Command::Echo(account, options) => {
            eprintln!(
                "vani-bot: echo service as {} on {}",
                account.aor(),
                account.server
            );
            echo::run(account, options, Arc::default(), shutdown).await
        }
        Command::Tone(account, options, path) => {
            let report = tone::run(account, options, shutdown).await?;
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| BotError::Usage(e.to_string()))?;
            match path {
                Some(path) => std::fs::write(&path, json + "\n").map_err(|e| {
                    BotError::Usage(format!("cannot write {}: {e}", path.display()))
                })?,
                None => println!("{json}"),
            }
            Ok(())
        }
        Command::Load(options, path) => {
            eprintln!(
                "vani-bot: load: {} users, {} calls/s for {:?} against {}{}",
                options.users,
                options.rate,
                options.duration,
                options.target,
                if options.media {
                    " (with media)"
                } else {
                    " (signalling only)"
                }
            );
            let report = load::run(options, shutdown).await?;
            println!("{report}");
            if let Some(path) = path {
                let json = serde_json::to_string_pretty(&report)
                    .map_err(|e| BotError::Usage(e.to_string()))?;
                std::fs::write(&path, json + "\n").map_err(|e| {
                    BotError::Usage(format!("cannot write {}: {e}", path.display()))
                })?;
            }
            Ok(())
        }
    }
}

/// Logs to stderr at the level in `VANI_BOT_LOG` (`info` by default;
/// `debug`, `trace` for the SIP traffic, `warn`, `off`).
fn init_logging() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, metadata: &log::Metadata) -> bool {
            metadata.target().starts_with("vani")
        }
        fn log(&self, record: &log::Record) {
            if self.enabled(record.metadata()) {
                eprintln!(
                    "{:<5} {}: {}",
                    record.level(),
                    record.target(),
                    record.args()
                );
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    let level = std::env::var("VANI_BOT_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(log::LevelFilter::Info);
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
