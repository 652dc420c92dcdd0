//! Keeping the screen to the person at it: the privacy key blanks it at once (a colleague
//! walks up, a client sits across the desk), and after a pause without keys the screen locks
//! and asks for the store's passphrase. Whatever was open, a half-filled form included,
//! stays underneath untouched.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use zeroize::Zeroizing;

use super::action::Action;
use super::app::App;
use crate::domain::enums::AuditAction;
use crate::i18n::{Lang, audit_detail};
use crate::store::{Result, Store};

/// Why the screen is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    /// No key for the configured time.
    Idle,
    /// The privacy key, configured to need the passphrase back.
    Privacy,
}

/// The lock screen's state.
pub struct Lock {
    /// Why.
    pub reason: LockReason,
    /// The passphrase being typed (never drawn).
    pub input: Zeroizing<String>,
    /// Wrong passphrases so far.
    pub failures: u32,
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lock").field("reason", &self.reason).field("failures", &self.failures).finish_non_exhaustive()
    }
}

impl App {
    /// Whether the key is the privacy key (checked before anything else gets the key).
    pub(super) fn is_privacy_key(&self, key: &KeyEvent) -> bool {
        self.opts.keymap.keys_for(Action::Privacy).iter().any(|k| k.matches(key))
    }

    /// Handles keys while the screen is blanked or locked; true when the key was used here.
    pub(super) fn guard_key(&mut self, key: KeyEvent) -> bool {
        self.last_key = Instant::now();
        if self.lock.is_some() {
            let _ = self.lock_key(key);
            return true;
        }
        if self.is_privacy_key(&key) {
            if self.privacy {
                self.privacy = false;
            } else if self.opts.privacy_needs_passphrase {
                self.lock_now(LockReason::Privacy);
            } else {
                self.privacy = true;
            }
            return true;
        }
        // While blanked, nothing else reaches the screens underneath.
        self.privacy
    }

    /// Locks the screen now.
    pub fn lock_now(&mut self, reason: LockReason) {
        self.privacy = false;
        self.lock = Some(Lock { reason, input: Zeroizing::new(String::new()), failures: 0 });
        let why = if reason == LockReason::Idle { audit_detail::LOCK_IDLE } else { audit_detail::LOCK_KEY };
        if let Err(e) = self.store.audit(AuditAction::Lock, None, &why.fill(&[])) {
            self.status = Some(e.to_string());
        }
    }

    /// Locks when no key came for the configured time (called from the tick).
    pub(super) fn check_idle(&mut self) {
        if let Some(limit) = self.opts.idle_lock
            && self.lock.is_none()
            && self.last_key.elapsed() >= limit
        {
            self.lock_now(LockReason::Idle);
        }
    }

    fn lock_key(&mut self, key: KeyEvent) -> Result<()> {
        let Some(lock) = &mut self.lock else { return Ok(()) };
        match key.code {
            KeyCode::Enter => {
                if passphrase_opens(&self.store, &lock.input) {
                    let failures = lock.failures;
                    self.lock = None;
                    self.store.audit(AuditAction::Unlock, None, &audit_detail::UNLOCK.fill(&[&failures]))?;
                    if failures > 0 {
                        self.status = Some(match self.opts.lang {
                            Lang::Sv => format!("Upplåst efter {failures} fel lösenfras(er); felen är loggade"),
                            Lang::En => {
                                format!("Unlocked after {failures} wrong passphrase(s); they are in the audit log")
                            }
                        });
                    }
                } else {
                    lock.failures += 1;
                    lock.input.clear();
                    let detail = audit_detail::FAILED_UNLOCK.fill(&[&lock.failures]);
                    self.store.audit(AuditAction::FailedUnlock, None, &detail)?;
                }
            }
            KeyCode::Backspace => {
                lock.input.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => lock.input.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => lock.input.push(c),
            _ => {}
        }
        Ok(())
    }
}

/// Whether `typed` is the store's passphrase. A plain (demo) store has none, so Enter
/// unlocks it. (It used to open the file again with `typed`, which also noted every wrong
/// attempt as a failed open of the store: each was audited twice.)
fn passphrase_opens(store: &Store, typed: &str) -> bool {
    !store.is_encrypted() || store.opened_with(typed)
}

/// The blank screen of the privacy key: nothing from the store, not even the screen's name.
pub fn render_blank(frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Clear, area);
    frame.render_widget(Block::default(), area);
}

/// The lock screen.
pub fn render_lock(app: &App, lock: &Lock, frame: &mut Frame) {
    let theme = &app.opts.theme;
    let sv = app.opts.lang == Lang::Sv;
    let area = frame.area();
    frame.render_widget(Clear, area);
    let why = match (lock.reason, sv) {
        (LockReason::Idle, true) => "Låst efter en stund utan tangenttryck.",
        (LockReason::Idle, false) => "Locked after a while without a key.",
        (LockReason::Privacy, true) => "Låst med sekretesstangenten.",
        (LockReason::Privacy, false) => "Locked with the privacy key.",
    };
    let ask = if app.store.is_encrypted() {
        if sv { "Lösenfras för att låsa upp: " } else { "Passphrase to unlock: " }
    } else if sv {
        "Tryck Enter för att låsa upp: "
    } else {
        "Press Enter to unlock: "
    };
    let mut lines = vec![
        Line::from(Span::styled("sluss", theme.title)),
        Line::from(""),
        Line::from(why),
        Line::from(if sv { "Det som var öppet finns kvar." } else { "What was open is kept." }),
        Line::from(""),
        Line::from(vec![
            Span::styled(ask, theme.header),
            Span::raw("•".repeat(lock.input.chars().count())),
            Span::raw("▏"),
        ]),
    ];
    if lock.failures > 0 {
        lines.push(Line::from(Span::styled(
            if sv {
                format!("Fel lösenfras ({} gånger). Försöken loggas.", lock.failures)
            } else {
                format!("Wrong passphrase ({} times). Attempts are logged.", lock.failures)
            },
            theme.error,
        )));
    }
    let width = area.width.saturating_sub(4).min(64);
    let rect =
        Rect { x: area.x + (area.width - width) / 2, y: area.y + area.height / 4, width, height: 10.min(area.height) };
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).border_style(theme.border_focused)),
        rect,
    );
}
