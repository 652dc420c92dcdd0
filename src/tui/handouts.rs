//! Files handed to the places people already look: a client's one-page plan ("Min plan") as
//! text and HTML, and the coming meetings as an iCalendar file. Both go to the home
//! directory under a dated name (mode 0600) and are written to the audit log.

use std::path::PathBuf;

use super::app::{App, Screen};
use crate::i18n::Lang;
use crate::report::ics::{IcsOptions, write_ics};
use crate::report::plan::{PlanFormat, write_plan};
use crate::store::Result;

/// Days of meetings the calendar file holds.
const ICS_DAYS: u32 = 60;

fn home() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default()
}

fn stamp() -> String {
    chrono::Local::now().format("%Y%m%d-%H%M%S").to_string()
}

impl App {
    /// Writes the open client's plan as text and HTML.
    pub(super) fn write_client_plan(&mut self) -> Result<()> {
        let Screen::Workspace(w) = &self.screen else { return Ok(()) };
        let id = w.row.id.clone();
        // The file name carries no name or number, only a short part of the row id.
        let base = home().join(format!("min-plan-{}-{}", &id[id.len().saturating_sub(6)..], stamp()));
        let (txt, html) = (base.with_extension("txt"), base.with_extension("html"));
        let today = self.opts.today;
        let result = write_plan(&mut self.store, &id, today, PlanFormat::Text, &txt)
            .and_then(|_| write_plan(&mut self.store, &id, today, PlanFormat::Html, &html));
        self.status = Some(match (result, self.opts.lang) {
            (Ok(()), Lang::Sv) => format!("Min plan sparad: {} och .txt", html.display()),
            (Ok(()), Lang::En) => format!("Plan written: {} and .txt", html.display()),
            (Err(e), _) => e.to_string(),
        });
        Ok(())
    }

    /// Writes the coming meetings as an iCalendar file.
    pub(super) fn write_meetings_calendar(&mut self) -> Result<()> {
        let out = home().join(format!("sluss-moten-{}.ics", stamp()));
        let mine = match &self.opts.user {
            Some(name) => self.store.contact_by_name(name)?,
            None => None,
        };
        let opts =
            IcsOptions { from: self.opts.today, days: ICS_DAYS, mine, stamp: chrono::Utc::now(), lang: self.opts.lang };
        self.status = Some(match (write_ics(&mut self.store, &opts, &out), self.opts.lang) {
            (Ok(n), Lang::Sv) => format!("{n} möten de närmaste {ICS_DAYS} dagarna: {}", out.display()),
            (Ok(n), Lang::En) => format!("{n} meetings in the next {ICS_DAYS} days: {}", out.display()),
            (Err(e), _) => e.to_string(),
        });
        Ok(())
    }
}
