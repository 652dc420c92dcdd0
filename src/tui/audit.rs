//! The Audit screen: who opened, revealed, changed, exported or imported what, and when,
//! newest first, filtered by client, kind, person and period. It is how access is followed
//! up afterwards; the entries themselves are append-only and sync like notes.

use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Row, Table};

use super::app::{App, Pager};
use super::fit::{Cell, Columns};
use crate::domain::enums::AuditAction;
use crate::i18n::Lang;
use crate::store::audit::{AuditFilter, AuditRow};
use crate::store::{Result, Store};

/// Periods `p` cycles through, in days back from today (`None`: all).
const PERIODS: [Option<i64>; 5] = [None, Some(0), Some(7), Some(30), Some(365)];

/// The screen's state.
#[derive(Debug, Clone)]
pub struct AuditScreen {
    /// The filter.
    pub filter: AuditFilter,
    /// The client filtered on, by name.
    pub client_name: Option<String>,
    /// Index into [`PERIODS`].
    pub period: usize,
    /// Visible rows with the client's shown name.
    pub rows: Vec<(AuditRow, String)>,
    /// Window.
    pub pager: Pager,
}

/// A new screen, on one client or on everyone.
pub fn open(store: &Store, client: Option<(String, String)>, height: usize) -> Result<AuditScreen> {
    let (client_id, client_name) = client.unzip();
    let mut s = AuditScreen {
        filter: AuditFilter { client: client_id, ..AuditFilter::default() },
        client_name,
        period: 0,
        rows: Vec::new(),
        pager: Pager::default(),
    };
    load(store, &mut s, height)?;
    Ok(s)
}

/// Reads the window of entries at the pager's offset.
pub fn load(store: &Store, s: &mut AuditScreen, height: usize) -> Result<()> {
    let mut rows = store.audit_entries(&s.filter, s.pager.offset, height + 1)?;
    if rows.len() <= height {
        s.pager.len = Some(s.pager.offset + rows.len());
    }
    rows.truncate(height);
    s.pager.selected = s.pager.selected.min((s.pager.offset + rows.len()).saturating_sub(1));
    s.rows = rows
        .into_iter()
        .map(|r| {
            // Names are looked up for the screen only; a purged client has none left.
            let name = match &r.client_id {
                Some(id) => store.client_row(id)?.map(|c| c.display_name()).unwrap_or_else(|| short(id)),
                None => String::new(),
            };
            Ok((r, name))
        })
        .collect::<Result<_>>()?;
    Ok(())
}

fn short(id: &str) -> String {
    format!("…{}", &id[id.len().saturating_sub(6)..])
}

fn reset(s: &mut AuditScreen) {
    s.pager = Pager::default();
}

/// Next kind of entry (all, then each kind).
pub fn next_kind(s: &mut AuditScreen) {
    s.filter.kind = match s.filter.kind {
        None => AuditAction::ALL.first().copied(),
        Some(k) => AuditAction::ALL.iter().position(|a| *a == k).and_then(|i| AuditAction::ALL.get(i + 1)).copied(),
    };
    reset(s);
}

/// Next period.
pub fn next_period(s: &mut AuditScreen, today: NaiveDate) {
    s.period = (s.period + 1) % PERIODS.len();
    s.filter.from = PERIODS[s.period].map(|days| today - Duration::days(days));
    s.filter.to = None;
    reset(s);
}

/// Only my own entries, or everyone's.
pub fn toggle_mine(s: &mut AuditScreen) {
    s.filter.actor = match s.filter.actor {
        Some(_) => None,
        None => Some(crate::store::audit::current_user()),
    };
    reset(s);
}

/// Everything, for everyone.
pub fn clear(s: &mut AuditScreen) {
    s.filter = AuditFilter::default();
    s.client_name = None;
    s.period = 0;
    reset(s);
}

/// The screen's title: what it is filtered on.
pub fn title(app: &App, s: &AuditScreen) -> String {
    let sv = app.opts.lang == Lang::Sv;
    let mut parts = vec![if sv { "Granskningslogg" } else { "Audit log" }.to_owned()];
    if let Some(name) = &s.client_name {
        parts.push(name.clone());
    }
    if let Some(kind) = s.filter.kind {
        parts.push(kind.label(app.opts.lang).to_owned());
    }
    if let Some(actor) = &s.filter.actor {
        parts.push(actor.clone());
    }
    if let Some(days) = PERIODS[s.period] {
        parts.push(match (days, sv) {
            (0, true) => "idag".to_owned(),
            (0, false) => "today".to_owned(),
            (d, true) => format!("{d} dagar"),
            (d, false) => format!("{d} days"),
        });
    }
    parts.join(" · ")
}

/// What an entry says in the Detail column: a change names the field as its form does, in
/// the user's language; other entries show their stored detail.
fn detail(r: &AuditRow, lang: Lang) -> String {
    let Some((entity, field)) = &r.change else {
        use crate::i18n::audit_detail::{SHOWN_ID, SHOWN_PROTECTED, show};
        return match (r.kind, r.detail.as_str()) {
            // The kind says it all; the stored text only restates it. A copy, or a look in
            // the client form, says how.
            (AuditAction::OpenClient, _) => String::new(),
            (AuditAction::RevealId | AuditAction::RevealProtected, d) if SHOWN_ID.is(d) || SHOWN_PROTECTED.is(d) => {
                String::new()
            }
            (_, d) => show(d, lang),
        };
    };
    let name = super::ui::field_name(entity, field, lang);
    match field.as_str() {
        "*" => format!("{name} {}", lang.pick("(ny)", "(new)")),
        "deleted" => format!("{name} {}", lang.pick("(raderad eller återställd)", "(deleted or restored)")),
        _ => name,
    }
}

/// Draws the screen.
pub fn render(app: &App, s: &AuditScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let sv = lang == Lang::Sv;
    // On one client's log the title names the client: its column would only repeat it.
    let per_client = s.filter.client.is_some();
    let mut heads = vec![
        if sv { "När" } else { "When" },
        if sv { "Vad" } else { "What" },
        if sv { "Vem" } else { "Who" },
        if sv { "Dator" } else { "Machine" },
    ];
    let mut widths =
        vec![Constraint::Length(17), Constraint::Length(24), Constraint::Length(12), Constraint::Length(8)];
    if !per_client {
        heads.push(if sv { "Klient" } else { "Client" });
        widths.push(Constraint::Length(20));
    }
    heads.push(if sv { "Detalj" } else { "Detail" });
    widths.push(Constraint::Min(10));
    let header = Row::new(heads.into_iter().map(|h| Cell::from(h).style(theme.header)));
    let cols = Columns::new(area, &widths);
    let mut whole = None;
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, (r, name))| {
            let at = chrono::DateTime::parse_from_rfc3339(&r.at)
                .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| r.at.clone());
            let selected = s.pager.offset + i == s.pager.selected;
            let mut cells = vec![
                Cell::from(format!("{}{at}", if selected { "›" } else { " " })),
                Cell::from(r.kind.label(lang)),
                Cell::from(r.actor.clone()),
                Cell::from(short(&r.replica)),
            ];
            if !per_client {
                cells.push(Cell::from(name.clone()));
            }
            let detail = detail(r, lang);
            // What the columns cut of the selected entry is shown whole on the bottom border
            // (at 80 columns the detail gets ten).
            if selected {
                let (client_col, detail_col) = (cells.len() - 1, cells.len());
                let client_cut = !per_client && cols.cuts(client_col, name);
                if client_cut || cols.cuts(detail_col, &detail) {
                    let parts: Vec<&str> = [client_cut.then_some(name.as_str()), Some(detail.as_str())]
                        .into_iter()
                        .flatten()
                        .filter(|p| !p.is_empty())
                        .collect();
                    whole = Some(parts.join(" · "));
                }
            }
            cells.push(Cell::from(detail));
            cols.row(cells).style(if selected { theme.selected } else { theme.base })
        })
        .collect();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {} ", title(app, s)), theme.title));
    if let Some(whole) = whole {
        let room = usize::from(area.width.saturating_sub(4));
        block = block.title_bottom(Span::styled(format!(" {} ", super::fit::cut(whole.into(), room)), theme.title));
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
