//! Export and import from the palette: a file prompt, then a passphrase when an export has
//! no age key configured or the bundle to import is protected by one (typed hidden, twice
//! for an export), then the work runs on the next tick so the screen first says what is
//! happening.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroizing;

use super::app::{App, Overlay};
use crate::i18n::Lang;
use crate::store::Result;
use crate::sync::crypto::{self, Decryption, Encryption, Protection, SyncConfig};
use crate::sync::{ExportOptions, ImportOptions, ImportProgress, SyncError};

/// Export or import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// Write a bundle of every change.
    Export,
    /// Apply a bundle.
    Import,
}

/// What the prompt asks now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStage {
    /// The file.
    Path,
    /// The bundle passphrase.
    Passphrase,
    /// The export passphrase again.
    Repeat,
}

/// The prompt's state.
pub struct SyncPrompt {
    /// Export or import.
    pub kind: SyncKind,
    /// What is asked.
    pub stage: SyncStage,
    /// The file typed.
    pub path: String,
    /// The passphrase typed (never drawn).
    pub secret: Zeroizing<String>,
    /// The first passphrase of an export, to compare with the repeat.
    pub first: Zeroizing<String>,
    /// A problem to show under the prompt.
    pub problem: Option<String>,
}

impl std::fmt::Debug for SyncPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncPrompt").field("kind", &self.kind).field("stage", &self.stage).finish_non_exhaustive()
    }
}

/// Work waiting for the next tick.
pub enum Job {
    /// Export to a file.
    Export(PathBuf, Encryption),
    /// Import a file.
    Import(PathBuf, Decryption),
}

/// A file name as typed: `~` stands for the home folder, as in the shell, and a name
/// without a folder is in the folder sluss was started from (made absolute, so a message
/// can say where it looked).
fn typed_path(text: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    let path = match text.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(text)),
        Some(rest) if rest.starts_with('/') => match home() {
            Some(h) => h.join(rest.trim_start_matches('/')),
            None => PathBuf::from(text),
        },
        _ => PathBuf::from(text),
    };
    if path.is_relative() { std::env::current_dir().map(|d| d.join(&path)).unwrap_or(path) } else { path }
}

/// Where an export goes unless the user types another file.
fn default_export_path(replica: &str) -> String {
    let dir = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let short = &replica[replica.len().saturating_sub(6)..];
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M");
    dir.join(format!("sluss-{short}-{stamp}.bundle")).display().to_string()
}

impl App {
    /// Opens the export or import prompt.
    pub(super) fn open_sync_prompt(&mut self, kind: SyncKind) {
        let path = match kind {
            SyncKind::Export => default_export_path(self.store.replica_id()),
            SyncKind::Import => String::new(),
        };
        let prompt = SyncPrompt {
            kind,
            stage: SyncStage::Path,
            path,
            secret: Zeroizing::new(String::new()),
            first: Zeroizing::new(String::new()),
            problem: None,
        };
        self.overlay = Some(Overlay::Sync(Box::new(prompt)));
    }

    /// Keys in the prompt.
    pub(super) fn sync_prompt_key(&mut self, key: KeyEvent) -> Result<()> {
        let lang = self.opts.lang;
        let Some(Overlay::Sync(p)) = &mut self.overlay else { return Ok(()) };
        let field: &mut String = match p.stage {
            SyncStage::Path => &mut p.path,
            _ => &mut p.secret,
        };
        match key.code {
            KeyCode::Esc => self.overlay = None,
            KeyCode::Backspace => {
                field.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => field.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => field.push(c),
            KeyCode::Enter => {
                p.problem = None;
                let config = match SyncConfig::load() {
                    Ok(c) => c,
                    Err(e) => {
                        p.problem = Some(e.on_screen(lang));
                        return Ok(());
                    }
                };
                let path = typed_path(p.path.trim());
                let shown = path.display();
                match (p.kind, &p.stage) {
                    (_, SyncStage::Path) if p.path.trim().is_empty() => {
                        p.problem = Some(lang.pick("Skriv en fil", "Type a file name").to_owned());
                    }
                    (SyncKind::Export, SyncStage::Path)
                        if !path.parent().is_none_or(|d| d.as_os_str().is_empty() || d.is_dir()) =>
                    {
                        let folder = path.parent().map(|d| d.display().to_string()).unwrap_or_default();
                        p.problem = Some(match lang {
                            Lang::Sv => format!("Mappen {folder} finns inte: skriv en mapp som finns"),
                            Lang::En => format!("No folder {folder}: type one that exists"),
                        });
                    }
                    (_, SyncStage::Path) if path.is_dir() => {
                        p.problem = Some(match lang {
                            Lang::Sv => format!("{shown} är en mapp: skriv filens namn i den"),
                            Lang::En => format!("{shown} is a folder: type the file's name in it"),
                        });
                    }
                    (SyncKind::Export, SyncStage::Path) if path.exists() => {
                        p.problem = Some(match lang {
                            Lang::Sv => format!("{shown} finns redan: välj ett annat namn"),
                            Lang::En => format!("{shown} exists: choose another name"),
                        });
                    }
                    (SyncKind::Import, SyncStage::Path) if !path.is_file() => {
                        p.problem = Some(match lang {
                            Lang::Sv => format!("Filen finns inte: {shown}"),
                            Lang::En => format!("There is no such file: {shown}"),
                        });
                    }
                    (SyncKind::Export, SyncStage::Path) if !config.recipients.is_empty() => {
                        match crypto::parse_recipients(&config.recipients) {
                            Ok(r) => self.queue(Job::Export(path, Encryption::Recipients(r))),
                            Err(e) => p.problem = Some(e.on_screen(lang)),
                        }
                    }
                    // The file's header says what opens it: a plain bundle needs nothing, one
                    // to age keys the identity file in sync.toml, only one to a passphrase the
                    // passphrase.
                    (SyncKind::Import, SyncStage::Path) => match crypto::protection(&path) {
                        Err(e) => p.problem = Some(e.on_screen(lang)),
                        Ok(Protection::None) => self.queue(Job::Import(path, Decryption::default())),
                        Ok(Protection::Passphrase) => p.stage = SyncStage::Passphrase,
                        Ok(Protection::Recipients) => match &config.identity {
                            None => p.problem = Some(SyncError::NeedKey(Protection::Recipients).on_screen(lang)),
                            Some(file) => match crypto::read_identity_file(file) {
                                Ok(identities) => {
                                    self.queue(Job::Import(path, Decryption { identities, passphrase: None }))
                                }
                                Err(e) => p.problem = Some(e.on_screen(lang)),
                            },
                        },
                    },
                    (_, SyncStage::Path) => p.stage = SyncStage::Passphrase,
                    // Only a new bundle's passphrase has a minimum: an existing one opens with
                    // whatever it was made with.
                    (SyncKind::Export, SyncStage::Passphrase)
                        if p.secret.chars().count() < crate::passphrase::MIN_LEN =>
                    {
                        let min = crate::passphrase::MIN_LEN;
                        p.problem = Some(match lang {
                            Lang::Sv => format!("Minst {min} tecken"),
                            Lang::En => format!("At least {min} characters"),
                        });
                    }
                    (SyncKind::Export, SyncStage::Passphrase) => {
                        p.first = std::mem::take(&mut p.secret);
                        p.stage = SyncStage::Repeat;
                    }
                    (SyncKind::Export, SyncStage::Repeat) if *p.secret != *p.first => {
                        p.secret.clear();
                        p.first.clear();
                        p.stage = SyncStage::Passphrase;
                        p.problem = Some(
                            lang.pick(
                                "Lösenfraserna skilde sig: skriv dem igen",
                                "The passphrases differ: type them again",
                            )
                            .to_owned(),
                        );
                    }
                    (SyncKind::Export, _) => {
                        let passphrase = Zeroizing::new(p.secret.to_string());
                        self.queue(Job::Export(path, Encryption::Passphrase { passphrase, work_factor: None }));
                    }
                    (SyncKind::Import, _) => {
                        let passphrase = Some(Zeroizing::new(p.secret.to_string()));
                        self.queue(Job::Import(path, Decryption { identities: Vec::new(), passphrase }));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn queue(&mut self, job: Job) {
        let lang = self.opts.lang;
        self.status = Some(match &job {
            Job::Export(..) => lang.pick("Exporterar…", "Exporting…").to_owned(),
            Job::Import(..) => lang.pick("Kontrollerar och importerar…", "Checking and importing…").to_owned(),
        });
        self.overlay = None;
        self.pending = Some(job);
    }

    /// Runs a queued export or import (called when no key came, after the screen said what
    /// is about to happen).
    pub(super) fn run_pending(&mut self, progress: &mut dyn FnMut(&str)) -> Result<()> {
        let Some(job) = self.pending.take() else { return Ok(()) };
        let lang = self.opts.lang;
        self.status = Some(match job {
            Job::Export(path, encryption) => {
                let opts = ExportOptions { to: None, all: true, for_org: None, encryption, today: self.opts.today };
                match crate::sync::export(&mut self.store, &path, &opts) {
                    Ok(r) => match lang {
                        Lang::Sv => format!("Exporterade {} ändringar till {}", r.changes, r.path.display()),
                        Lang::En => format!("Exported {} changes to {}", r.changes, r.path.display()),
                    },
                    Err(e) => format!("{}{}", lang.pick("Exporten avbröts: ", "Export stopped: "), e.on_screen(lang)),
                }
            }
            Job::Import(path, keys) => {
                let keys_were_passphrase = keys.passphrase.is_some();
                let opts = ImportOptions { keys };
                let imported = crate::sync::import_with_progress(&mut self.store, &path, &opts, &mut |p| {
                    progress(&import_progress(lang, p))
                });
                match imported {
                    Ok((_, r)) => {
                        self.refresh()?;
                        match lang {
                            Lang::Sv => format!(
                                "Importerade {} nya ändringar ({} kända); konflikter: {} nya, {} lösta, {} öppna",
                                r.new, r.known, r.conflicts_opened, r.conflicts_closed, r.conflicts_open
                            ),
                            Lang::En => format!(
                                "Imported {} new changes ({} known); conflicts: {} new, {} resolved, {} open",
                                r.new, r.known, r.conflicts_opened, r.conflicts_closed, r.conflicts_open
                            ),
                        }
                    }
                    Err(e) => {
                        // The prompt comes back with the file kept, so a mistyped passphrase
                        // costs one retype, not the whole path; any other problem goes back to
                        // the file.
                        let retype = keys_were_passphrase && matches!(e, SyncError::WrongKey | SyncError::NeedKey(_));
                        let problem = if retype {
                            lang.pick(
                                "Fel lösenfras eller nyckel: skriv lösenfrasen igen",
                                "Wrong passphrase or key: type the passphrase again",
                            )
                            .to_owned()
                        } else {
                            format!(
                                "{}{}",
                                lang.pick("Inget importerades: ", "Nothing was imported: "),
                                e.on_screen(lang)
                            )
                        };
                        self.overlay = Some(Overlay::Sync(Box::new(SyncPrompt {
                            kind: SyncKind::Import,
                            stage: if retype { SyncStage::Passphrase } else { SyncStage::Path },
                            path: path.display().to_string(),
                            secret: Zeroizing::new(String::new()),
                            first: Zeroizing::new(String::new()),
                            problem: Some(problem.clone()),
                        })));
                        problem
                    }
                }
            }
        });
        Ok(())
    }
}

/// How far an import is, for the frame drawn while it runs: "Importerar 65536 av 390732
/// ändringar…".
fn import_progress(lang: Lang, ImportProgress(done, total): ImportProgress) -> String {
    match lang {
        Lang::Sv => format!("Importerar {done} av {total} ändringar…"),
        Lang::En => format!("Importing {done} of {total} changes…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_is_read_as_the_shell_would() {
        let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
        assert_eq!(typed_path("~/in/x.bundle"), home.join("in/x.bundle"));
        assert_eq!(typed_path("~"), home);
        assert_eq!(typed_path("/tmp/x.bundle"), PathBuf::from("/tmp/x.bundle"));
        assert_eq!(typed_path("x.bundle"), std::env::current_dir().unwrap().join("x.bundle"));
        // Only a leading ~ is the home folder.
        assert_eq!(typed_path("/a/~/b"), PathBuf::from("/a/~/b"));
        assert_eq!(typed_path("~other/x"), std::env::current_dir().unwrap().join("~other/x"));
    }
}
