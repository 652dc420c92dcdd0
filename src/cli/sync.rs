//! `sluss export` and `sluss import`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::{Failure, exit};
use crate::store::Store;
use crate::sync::crypto::{self, Decryption, Encryption, SyncConfig};
use crate::sync::{ExportOptions, ImportOptions, ImportProgress, SyncError};

/// Arguments of `sluss export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bundle file to write (must not exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The replica it is for: leave out what that replica's last bundle said it holds.
    #[arg(long, value_name = "REPLICA", conflicts_with = "all")]
    pub to: Option<String>,
    /// Every change, whatever the target holds.
    #[arg(long)]
    pub all: bool,
    /// Only clients whose consent in force covers this organisation (id or exact name).
    #[arg(long, value_name = "ORG")]
    pub for_org: Option<String>,
    /// Encrypt to this age public key (age1…); repeat for several. Default: `recipients` in sync.toml.
    #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY")]
    pub recipients: Vec<String>,
    /// Encrypt with the passphrase in this environment variable instead.
    #[arg(long, value_name = "VAR", conflicts_with = "recipients")]
    pub passphrase_env: Option<String>,
    /// Write the bundle in plain text (only for tests and throwaway data).
    #[arg(long, conflicts_with_all = ["recipients", "passphrase_env"])]
    pub unencrypted: bool,
}

/// Arguments of `sluss import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Age identity file (secret keys) to decrypt with. Default: `identity` in sync.toml.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Decrypt with the passphrase in this environment variable.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Store(s) => s.into(),
            other => {
                let code = if other.is_refusal() { exit::REFUSED } else { exit::FAILED };
                Failure { code, message: other.to_string() }
            }
        }
    }
}

fn encryption(args: &ExportArgs) -> Result<Encryption, SyncError> {
    if let Some(var) = &args.passphrase_env {
        return Ok(Encryption::Passphrase { passphrase: crypto::new_passphrase_from_env(var)?, work_factor: None });
    }
    let keys = if args.recipients.is_empty() && !args.unencrypted {
        SyncConfig::load()?.recipients
    } else {
        args.recipients.clone()
    };
    if !keys.is_empty() {
        return Ok(Encryption::Recipients(crypto::parse_recipients(&keys)?));
    }
    if args.unencrypted {
        return Ok(Encryption::None);
    }
    Err(SyncError::Usage(
        "no key to encrypt to: pass --recipient AGE_PUBLIC_KEY (or list recipients in sync.toml), or --passphrase-env VAR"
            .to_owned(),
    ))
}

/// Runs `sluss export`.
pub fn export(store: &mut Store, args: &ExportArgs, today: NaiveDate) -> Result<ExitCode, Failure> {
    // Written as sluss prints it (lower case, hyphens), so it matches the replica's own id.
    let to = match &args.to {
        None => None,
        Some(peer) => match uuid::Uuid::parse_str(peer) {
            Err(_) => {
                return Err(Failure::refused(format!(
                    "--to {peer} is no replica id: give the id (a UUID) that `sluss import` printed for that machine's bundle"
                )));
            }
            Ok(id) if id.hyphenated().to_string() == store.replica_id() => {
                return Err(Failure::refused(format!(
                    "--to {peer} is this store's own replica: give the id of the machine the bundle is for"
                )));
            }
            Ok(id) => Some(id.hyphenated().to_string()),
        },
    };
    let opts = ExportOptions {
        to: to.clone(),
        all: args.all,
        for_org: args.for_org.clone(),
        encryption: encryption(args)?,
        today,
    };
    let report = crate::sync::export(store, &args.out, &opts)?;
    if let (Some(peer), false) = (&to, report.target_known) {
        eprintln!("note: replica {peer} has sent no bundle here yet, so the bundle holds every change");
    }
    let plain = if args.unencrypted { " (NOT encrypted)" } else { "" };
    match &report.partner {
        Some((org, clients)) => println!(
            "exported {} changes of {clients} consenting clients for organisation {org} to {}{plain}",
            report.changes,
            report.path.display()
        ),
        None => println!("exported {} changes to {}{plain}", report.changes, report.path.display()),
    }
    println!("this replica: {}", store.replica_id());
    Ok(ExitCode::SUCCESS)
}

fn keys(args: &ImportArgs) -> Result<Decryption, SyncError> {
    let mut keys = Decryption::default();
    if let Some(var) = &args.passphrase_env {
        keys.passphrase = Some(crypto::passphrase_from_env(var)?);
    }
    let identity = match &args.identity {
        Some(p) => Some(p.clone()),
        None if keys.passphrase.is_none() => SyncConfig::load()?.identity,
        None => None,
    };
    if let Some(path) = identity {
        keys.identities = crypto::read_identity_file(&path)?;
    }
    Ok(keys)
}

/// Runs `sluss import`.
pub fn import(store: &mut Store, args: &ImportArgs) -> Result<ExitCode, Failure> {
    let opts = ImportOptions { keys: keys(args)? };
    let mut applying = super::progress_printer("applied");
    let mut line_open = false;
    let result = crate::sync::import_with_progress(store, Path::new(&args.file), &opts, &mut |p| {
        let ImportProgress(done, total) = p;
        applying(done as usize, total as usize);
        line_open = done < total;
    });
    // A refusal mid-way starts on a line of its own, not after the progress count (which
    // is only printed on a terminal).
    if result.is_err() && line_open && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!();
    }
    let (header, r) = result?;
    println!("imported {} changes from replica {}: {} new, {} known", header.count, r.source, r.new, r.known);
    println!("rows touched: {}", r.rows_touched);
    println!("conflicts: {} opened, {} closed, {} open", r.conflicts_opened, r.conflicts_closed, r.conflicts_open);
    if header.partial {
        println!("note: a partner bundle (only some clients): this store's knowledge was not raised");
    }
    if r.gap {
        eprintln!(
            "warning: the bundle assumed this store holds changes it does not (restored from a backup?): \
             ask the sender for `sluss export --all`"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `sluss keygen`: a new age identity file (0600) and its public key on stdout.
pub fn keygen(out: &Path) -> Result<ExitCode, Failure> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let secret = age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_owned();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| Failure::refused(format!("cannot create {}: {e}", out.display())))?;
    writeln!(file, "# public key: {public}\n{secret}")
        .map_err(|e| Failure { code: exit::FAILED, message: format!("cannot write {}: {e}", out.display()) })?;
    println!("{public}");
    Ok(ExitCode::SUCCESS)
}
