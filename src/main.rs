//! The `sluss` binary: parse the command line, run it, map failures to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sluss::alloc::tune();
    // Panics report a code location only, never their message (it may quote personal data).
    sluss::panic::install();
    let cli = sluss::cli::Cli::parse();
    match sluss::cli::run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("sluss: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
