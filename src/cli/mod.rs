//! Command-line interface: argument parsing and the subcommands. `main.rs` only calls [`run`].

mod privacy;
mod report_cmd;
mod summary;
mod sync;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::demo::{self, DemoOptions};
use crate::i18n::Lang;
use crate::passphrase::{self, PassphraseError};
use crate::store::{Key, Store, StoreError};
use crate::tui::AppOptions;
use crate::tui::config::Config;
use crate::tui::theme::{Theme, no_color_from_env};

/// Exit codes, documented in docs/cli.md.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The operation failed (I/O, database, a problem found by `check`).
    pub const FAILED: u8 = 1;
    /// Refused: bad arguments, wrong passphrase, unsafe permissions, existing file, newer schema.
    pub const REFUSED: u8 = 2;
}

/// sluss: coordinate a client's return to society after conditional release.
#[derive(Debug, Parser)]
#[command(name = "sluss", version, about, long_about = None)]
pub struct Cli {
    /// Store file (default: sluss.db in the user's data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Read the passphrase from this file (mode 0600) instead of asking.
    #[arg(long, global = true, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Open a throwaway store of about 60 synthetic clients in a temporary directory.
    #[arg(long)]
    pub demo: bool,
    /// Interface language: sv (default) or en; overrides the config file.
    #[arg(long, global = true)]
    pub lang: Option<Lang>,
    /// Pretend today is this date (for demos and tests).
    #[arg(long, global = true, hide = true, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// What to do; without one, sluss opens the store.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty encrypted store with a new replica id.
    Init,
    /// Fill a new store with synthetic clients, or apply random edits to one (--churn).
    Demo(DemoArgs),
    /// Check the store: integrity, foreign keys, search indexes, change log against tables.
    Check,
    /// Measure the performance budgets on a store (see docs/performance.md).
    Bench {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write an encrypted copy of the store while it is in use.
    Backup {
        /// Where to write the copy (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the changes another replica lacks to an encrypted bundle file (docs/sync.md).
    Export(sync::ExportArgs),
    /// Apply a bundle from another replica, in one transaction: any fault in it leaves the store as it was.
    Import(sync::ImportArgs),
    /// Create an age key pair for bundles: the secret key file (mode 0600) and the public key printed.
    Keygen {
        /// Where to write the identity file (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Follow-up indicators as CSV or JSON, or a pseudonymised export for evaluators.
    Report(report_cmd::ReportArgs),
    /// Upcoming meetings as an iCalendar file (RFC 5545).
    Ics(report_cmd::IcsArgs),
    /// A client's one-page plan ("Min plan") as text or HTML.
    Plan(report_cmd::PlanArgs),
    /// Print the audit log: who opened, revealed, changed, exported or imported what, and when.
    Audit(privacy::AuditArgs),
    /// Change the store's passphrase (asks the old one, then the new one twice).
    Rekey(privacy::RekeyArgs),
    /// Erase the personal data of clients closed long ago, on every replica (gallring).
    Purge(privacy::PurgeArgs),
}

/// Arguments of `sluss demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of clients to generate into a new store.
    #[arg(long, conflicts_with = "churn")]
    pub clients: Option<usize>,
    /// Number of random edits to apply to an existing demo store.
    #[arg(long)]
    pub churn: Option<usize>,
    /// Random seed: the same seed and day give the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Writes a command's output to stdout. A reader that stopped reading (`| head`) ends it
/// quietly, as any Unix filter; println! would panic there.
pub(crate) fn write_stdout(bytes: &[u8], what: &str) -> Result<(), Failure> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure { code: exit::FAILED, message: format!("cannot write {what}: {e}") }),
        Ok(()) => Ok(()),
    }
}

/// A day on the command line: YYYY-MM-DD, or a message saying what is wrong with it.
pub(crate) fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        crate::forms::dates::no_such_day(text, crate::i18n::Lang::En)
            .unwrap_or_else(|| "write the day as YYYY-MM-DD, e.g. 2026-11-23".to_owned())
    })
}

/// An error with the exit code it should end the program with.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// Message for the user.
    pub message: String,
}

impl Failure {
    fn refused(message: impl Into<String>) -> Self {
        Failure { code: exit::REFUSED, message: message.into() }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::WrongPassphrase { .. }
            | StoreError::NotFound { .. }
            | StoreError::IsFolder { .. }
            | StoreError::Unencrypted { .. }
            | StoreError::AlreadyExists { .. }
            | StoreError::PermissionsTooOpen { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::Locked
            | StoreError::ReadOnly => exit::REFUSED,
            _ => exit::FAILED,
        };
        Failure { code, message: e.to_string() }
    }
}

impl From<PassphraseError> for Failure {
    fn from(e: PassphraseError) -> Self {
        Failure::refused(e.to_string())
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let today = cli.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    if cli.demo {
        return open_demo(&cli, today);
    }
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => default_store_path()?,
    };
    match &cli.command {
        None => {
            let config = load_config()?;
            let store = open(&path, cli.key_file.as_deref())?;
            interactive(store, &cli, config, today)
        }
        Some(Command::Init) => {
            let key = Key::Passphrase(passphrase::obtain(cli.key_file.as_deref(), true)?);
            let store = Store::create(&path, key)?;
            println!("created {} (replica {})", path.display(), store.replica_id());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo(args)) => demo_command(&cli, args, &path, today),
        Some(Command::Check) => {
            let store = open(&path, cli.key_file.as_deref())?;
            let started = std::time::Instant::now();
            let report = store.check()?;
            println!(
                "checked {} rows against {} changes in {:.1} s",
                report.rows,
                report.changes,
                started.elapsed().as_secs_f64()
            );
            println!("fingerprint {}", store.fingerprint()?);
            if report.is_ok() {
                println!("ok");
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &report.problems {
                    println!("problem: {p}");
                }
                Err(Failure { code: exit::FAILED, message: format!("{} problem(s) found", report.problems.len()) })
            }
        }
        Some(Command::Bench { json }) => {
            let config = load_config()?;
            let started = std::time::Instant::now();
            let store = open(&path, cli.key_file.as_deref())?;
            let opened = started.elapsed();
            let derivation = store.key_derivation_time();
            let opts = app_options(&cli, config, today);
            let report = crate::bench::run(store, opts, (80, 24))?;
            if *json {
                let mut v = report.json();
                v["open_ms"] = serde_json::json!(opened.as_secs_f64() * 1000.0);
                v["key_derivation_ms"] = serde_json::json!(derivation.as_secs_f64() * 1000.0);
                println!("{v:#}");
            } else {
                println!(
                    "open store: {:.1} ms, of which key derivation {:.1} ms",
                    opened.as_secs_f64() * 1000.0,
                    derivation.as_secs_f64() * 1000.0
                );
                print!("{}", report.table());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Backup { out }) => {
            let mut store = open(&path, cli.key_file.as_deref())?;
            store.backup_to(out)?;
            store.audit(
                crate::domain::enums::AuditAction::Backup,
                None,
                &crate::i18n::audit_detail::BACKUP.fill(&[]),
            )?;
            println!("backup written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export(args)) => sync::export(&mut open(&path, cli.key_file.as_deref())?, args, today),
        Some(Command::Import(args)) => sync::import(&mut open(&path, cli.key_file.as_deref())?, args),
        Some(Command::Keygen { out }) => sync::keygen(out),
        Some(Command::Report(args)) => report_cmd::report(open(&path, cli.key_file.as_deref())?, args, &cli, today),
        Some(Command::Ics(args)) => report_cmd::ics(open(&path, cli.key_file.as_deref())?, args, &cli, today),
        Some(Command::Plan(args)) => report_cmd::plan(open(&path, cli.key_file.as_deref())?, args, today),
        Some(Command::Audit(args)) => {
            let lang = cli.lang.unwrap_or_default();
            privacy::audit(&open(&path, cli.key_file.as_deref())?, args, lang)
        }
        Some(Command::Rekey(args)) => privacy::rekey(open(&path, cli.key_file.as_deref())?, args),
        Some(Command::Purge(args)) => privacy::purge(open(&path, cli.key_file.as_deref())?, args, today),
    }
}

fn default_store_path() -> Result<PathBuf, Failure> {
    directories::ProjectDirs::from("se", "sluss", "sluss")
        .map(|d| d.data_dir().join("sluss.db"))
        .ok_or_else(|| Failure::refused("cannot find a home directory: pass --db PATH"))
}

fn open(path: &Path, key_file: Option<&Path>) -> Result<Store, Failure> {
    if path.is_dir() {
        return Err(StoreError::IsFolder { path: path.to_owned() }.into());
    }
    if !path.is_file() {
        return Err(StoreError::NotFound { path: path.to_owned() }.into());
    }
    let key = Key::Passphrase(passphrase::obtain(key_file, false)?);
    Ok(Store::open(path, key)?)
}

/// Prints `label done/total` over itself on a terminal's stderr; nothing when it is not one.
pub(crate) fn progress_printer(label: &'static str) -> impl FnMut(usize, usize) {
    let tty = std::io::stderr().is_terminal();
    move |done, total| {
        if tty {
            eprint!("\r{label} {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    }
}

fn demo_command(cli: &Cli, args: &DemoArgs, path: &Path, today: NaiveDate) -> Result<ExitCode, Failure> {
    if let Some(edits) = args.churn {
        let mut store = open(path, cli.key_file.as_deref())?;
        let started = std::time::Instant::now();
        let changes = demo::churn(&mut store, edits, args.seed, today, &mut progress_printer("edits"))?;
        println!("applied {edits} edits ({changes} changes) in {:.1} s", started.elapsed().as_secs_f64());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(clients) = args.clients else {
        return Err(Failure::refused("say how much: --clients N for a new store, or --churn N to edit one"));
    };
    let key = Key::Passphrase(passphrase::obtain(cli.key_file.as_deref(), true)?);
    let mut store = Store::create(path, key)?;
    let opts = DemoOptions { clients, seed: args.seed, today };
    let report = demo::generate(&mut store, &opts, &mut progress_printer("clients"))?;
    println!(
        "generated {} clients ({} rows, {} changes) in {:.1} s into {}",
        report.clients,
        report.rows,
        report.changes,
        report.elapsed.as_secs_f64(),
        path.display()
    );
    // A fresh store opens the Follow-up screen at once: its cache is built here, not there.
    let started = std::time::Instant::now();
    store.follow_up_catch_up()?;
    println!("follow-up cache built in {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Size of the `--demo` store: enough to fill every dashboard, small enough to read.
const DEMO_CLIENTS: usize = 60;

fn open_demo(cli: &Cli, today: NaiveDate) -> Result<ExitCode, Failure> {
    let dir = tempfile::Builder::new()
        .prefix("sluss-demo-")
        .tempdir()
        .map_err(|e| Failure { code: exit::FAILED, message: format!("cannot create a temporary directory: {e}") })?;
    let path = dir.path().join("demo.db");
    let config = load_config()?;
    let mut store = Store::create(&path, Key::Plaintext)?;
    demo::generate(&mut store, &DemoOptions { clients: DEMO_CLIENTS, seed: 1, today }, &mut |_, _| {})?;
    // The temporary directory, and the demo store in it, goes when this returns.
    interactive(store, cli, config, today)
}

fn load_config() -> Result<Config, Failure> {
    Config::load().map_err(|e| Failure::refused(e.to_string()))
}

/// The interface's options from the command line and the config file.
fn app_options(cli: &Cli, config: Config, today: NaiveDate) -> AppOptions {
    AppOptions {
        lang: cli.lang.or(config.lang).unwrap_or_default(),
        today,
        theme: Theme::new(config.theme, no_color_from_env()),
        keymap: config.keymap,
        views: config.views,
        user: config.user,
        idle_lock: (config.idle_lock_minutes > 0.0)
            .then(|| std::time::Duration::from_secs_f64(config.idle_lock_minutes * 60.0)),
        privacy_needs_passphrase: config.privacy_needs_passphrase,
    }
}

/// Opens the full-screen interface, or prints a summary when output is not a terminal.
fn interactive(store: Store, cli: &Cli, config: Config, today: NaiveDate) -> Result<ExitCode, Failure> {
    let lang = cli.lang.or(config.lang).unwrap_or_default();
    if !std::io::stdout().is_terminal() {
        summary::print(&store, today, lang)?;
        return Ok(ExitCode::SUCCESS);
    }
    let opts = app_options(cli, config, today);
    crate::tui::run(store, opts).map_err(|e| Failure { code: exit::FAILED, message: format!("terminal: {e}") })?;
    Ok(ExitCode::SUCCESS)
}
