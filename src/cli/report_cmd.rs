//! `sluss report`, `sluss ics` and `sluss plan`: thin wrappers over `crate::report`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::{Cli, Failure, exit, load_config};
use crate::domain::enums::AuditAction;
use crate::report::{self, By, Period, ReportError, ics, plan, pseudonymise};
use crate::store::Store;

/// Output format of `sluss report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One figure per line (see docs/follow-up.md).
    Csv,
    /// Tables and series as one JSON document.
    Json,
}

/// Arguments of `sluss report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ReportFormat,
    /// Period: YYYY, YYYY-MM, YYYY-Qn, FROM..TO or all.
    #[arg(long, default_value = "all", value_parser = parse_period)]
    pub period: Period,
    /// Split every figure by office, coordinator or gender (a total column is always there).
    #[arg(long, value_parser = parse_by)]
    pub by: Option<By>,
    /// Write the pseudonymised per-client export for evaluators into the directory --out.
    #[arg(long, requires = "out")]
    pub pseudonymise: bool,
    /// Write to this new file (or directory, with --pseudonymise) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// Arguments of `sluss ics`.
#[derive(Debug, Args)]
pub struct IcsArgs {
    /// Where to write the calendar (a new file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Number of days from today to include.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub days: u32,
    /// Only meetings of your own clients or that you take part in (`user` in config.toml).
    #[arg(long)]
    pub mine: bool,
}

/// Arguments of `sluss plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The client's id (as shown in the client's workspace).
    #[arg(long, value_name = "ID")]
    pub client: String,
    /// Where to write the plan (a new file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// text (printable) or html.
    #[arg(long, default_value = "text", value_parser = parse_plan_format)]
    pub format: plan::PlanFormat,
}

fn parse_period(s: &str) -> Result<Period, String> {
    s.parse()
}

fn parse_by(s: &str) -> Result<By, String> {
    s.parse()
}

fn parse_plan_format(s: &str) -> Result<plan::PlanFormat, String> {
    s.parse()
}

impl From<ReportError> for Failure {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Store(s) => s.into(),
            e @ (ReportError::NoSuchClient(_) | ReportError::Exists(_)) => {
                Failure { code: exit::REFUSED, message: e.to_string() }
            }
            e => Failure { code: exit::FAILED, message: e.to_string() },
        }
    }
}

/// Refuses an output path that exists or whose directory is missing, before any work.
fn check_out(out: &Path) -> Result<(), Failure> {
    if out.exists() {
        return Err(ReportError::Exists(out.to_owned()).into());
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(Failure::refused(format!("the directory {} does not exist: create it first", dir.display())));
    }
    Ok(())
}

/// `sluss report`.
pub fn report(mut store: Store, args: &ReportArgs, cli: &Cli, today: NaiveDate) -> Result<ExitCode, Failure> {
    let lang = cli.lang.or(load_config()?.lang).unwrap_or_default();
    if args.pseudonymise {
        let Some(dir) = &args.out else { return Err(Failure::refused("--pseudonymise needs --out DIR")) };
        let summary = pseudonymise::export(&mut store, dir, today)?;
        println!(
            "wrote {} clients to {} ({} without consent left out)",
            summary.clients,
            dir.join("clients.csv").display(),
            summary.without_consent
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = &args.out {
        check_out(out)?;
    }
    let ind = report::follow_up(&store, args.period, args.by.unwrap_or_default(), today, lang)?;
    let bytes = match args.format {
        ReportFormat::Csv => report::csv::to_csv(&ind)?,
        ReportFormat::Json => report::csv::to_json(&ind),
    };
    match &args.out {
        Some(out) => {
            report::write_private(out, &bytes)?;
            store.audit(
                AuditAction::Export,
                None,
                &crate::i18n::audit_detail::REPORT.fill(&[&args.period, &ind.by.code()]),
            )?;
            println!("report written to {}", out.display());
        }
        None => super::write_stdout(&bytes, "the report")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `sluss ics`.
pub fn ics(mut store: Store, args: &IcsArgs, cli: &Cli, today: NaiveDate) -> Result<ExitCode, Failure> {
    check_out(&args.out)?;
    let config = load_config()?;
    let mine = if args.mine {
        let Some(user) = config.user.as_deref() else {
            return Err(Failure::refused(
                "--mine needs to know who you are: set user = \"Your Name\" in config.toml (as in the directory)",
            ));
        };
        match store.contact_by_name(user)? {
            Some(id) => Some(id),
            None => {
                return Err(Failure::refused(
                    "the user named in config.toml is not in the directory: check the spelling of `user`",
                ));
            }
        }
    } else {
        None
    };
    let opts = ics::IcsOptions {
        from: today,
        days: args.days,
        mine,
        stamp: chrono::Utc::now(),
        lang: cli.lang.or(config.lang).unwrap_or_default(),
    };
    let n = ics::write_ics(&mut store, &opts, &args.out)?;
    println!("wrote {n} meetings to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// `sluss plan`.
pub fn plan(mut store: Store, args: &PlanArgs, today: NaiveDate) -> Result<ExitCode, Failure> {
    check_out(&args.out)?;
    plan::write_plan(&mut store, args.client.trim(), today, args.format, &args.out)?;
    println!("plan written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
