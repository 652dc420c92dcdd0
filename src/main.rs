//! The `sluss` binary: parse the command line, run it, map failures to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Readable reports for panics; they carry no store data, only code locations.
    let _ = color_eyre::install();
    let cli = sluss::cli::Cli::parse();
    match sluss::cli::run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("sluss: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
