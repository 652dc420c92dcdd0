//! The Conflicts screen: fields two replicas changed without seeing each other's change.
//! Each shows the value before (base), mine and theirs with who and when; the caseworker
//! keeps one or types a new value, and the choice is a normal change that syncs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use serde_json::Value;

use super::app::{App, Pager};
use super::fit::{Cell, Columns};
use crate::i18n::Lang;
use crate::store::entities::{self, FieldKind};
use crate::store::{Conflict, ConflictValue, Resolution, Result, Store};

/// Open conflicts, with the names of their clients.
#[derive(Debug, Clone)]
pub struct ConflictsScreen {
    /// The conflicts, by table and row.
    pub rows: Vec<(Conflict, String)>,
    /// Selection.
    pub pager: Pager,
    /// A new value being typed for the selected conflict.
    pub input: Option<String>,
}

/// Loads every open conflict (there are few: each is a field two people edited offline).
pub fn load(store: &Store) -> Result<ConflictsScreen> {
    let mut rows = Vec::new();
    for c in store.open_conflicts(None)? {
        let name = match &c.client_id {
            Some(id) => store.client_row(id)?.map(|r| r.display_name()).unwrap_or_default(),
            None => String::new(),
        };
        rows.push((c, name));
    }
    let pager = Pager { len: Some(rows.len()), ..Pager::default() };
    Ok(ConflictsScreen { rows, pager, input: None })
}

/// A value as the user reads it.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "–".to_owned(),
        Value::Bool(true) => "ja".to_owned(),
        Value::Bool(false) => "nej".to_owned(),
        Value::String(s) => s.replace('\n', " / "),
        other => other.to_string(),
    }
}

/// Reads a typed value for the conflicting field, by the field's kind; the write path
/// checks it further (lengths, codes, references).
pub fn parse_value(c: &Conflict, text: &str, today: chrono::NaiveDate) -> std::result::Result<Value, String> {
    let text = crate::forms::clean_text(text);
    let kind = entities::entity(&c.id.entity).and_then(|e| e.field(&c.id.field)).map(|f| f.kind);
    if text.is_empty() {
        return Ok(Value::Null);
    }
    Ok(match kind {
        Some(FieldKind::Int(..)) => {
            Value::from(text.parse::<i64>().map_err(|_| "skriv ett heltal / type a whole number")?)
        }
        Some(FieldKind::Bool) => Value::Bool(matches!(text.to_lowercase().as_str(), "ja" | "j" | "yes" | "y" | "1")),
        Some(FieldKind::Date) => match crate::forms::dates::parse_date(&text, today) {
            Some(d) => Value::String(d.to_string()),
            None => return Err(crate::forms::dates::date_hint(Lang::Sv).to_owned()),
        },
        _ => Value::String(text),
    })
}

impl App {
    /// Keeps mine (`theirs == false`) or theirs for the selected conflict.
    pub(super) fn keep_conflict_value(&mut self, theirs: bool) -> Result<()> {
        let super::app::Screen::Conflicts(s) = &self.screen else { return Ok(()) };
        let Some((c, _)) = s.rows.get(s.pager.selected) else { return Ok(()) };
        let chosen: Option<&ConflictValue> = if theirs { c.theirs() } else { c.mine().or_else(|| Some(c.winner())) };
        let Some(v) = chosen else { return Ok(()) };
        let (id, change) = (c.id.clone(), v.change_id.clone());
        let author = crate::store::audit::current_user();
        self.store.resolve_conflict(&author, &id, Resolution::Keep(change))?;
        self.after_resolve()
    }

    /// Writes the typed value for the selected conflict.
    pub(super) fn resolve_with_typed(&mut self) -> Result<()> {
        let today = self.opts.today;
        let super::app::Screen::Conflicts(s) = &mut self.screen else { return Ok(()) };
        let (Some((c, _)), Some(text)) = (s.rows.get(s.pager.selected), s.input.clone()) else { return Ok(()) };
        match parse_value(c, &text, today) {
            Ok(value) => {
                let id = c.id.clone();
                s.input = None;
                let author = crate::store::audit::current_user();
                self.store.resolve_conflict(&author, &id, Resolution::Value(value))?;
                self.after_resolve()
            }
            Err(message) => {
                self.status = Some(message);
                Ok(())
            }
        }
    }

    fn after_resolve(&mut self) -> Result<()> {
        let selected = match &self.screen {
            super::app::Screen::Conflicts(s) => s.pager.selected,
            _ => 0,
        };
        let mut fresh = load(&self.store)?;
        fresh.pager.selected = selected.min(fresh.rows.len().saturating_sub(1));
        self.screen = super::app::Screen::Conflicts(fresh);
        self.refresh()?;
        self.status = Some(match self.opts.lang {
            Lang::Sv => "Konflikten är löst; lösningen följer med nästa export".to_owned(),
            Lang::En => "Conflict resolved; the choice goes out with the next export".to_owned(),
        });
        Ok(())
    }
}

fn who(v: Option<&ConflictValue>) -> String {
    v.map(|v| {
        let replica = &v.replica[v.replica.len().saturating_sub(6)..];
        let at = v.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
        format!("{} — {} @{replica}, {at}", show(&v.value), v.author)
    })
    .unwrap_or_else(|| "–".to_owned())
}

/// Draws the screen.
pub fn render(app: &App, s: &ConflictsScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    // The value the tables show until someone resolves the conflict (last writer wins).
    let in_effect = |c: &Conflict, v: Option<&ConflictValue>| {
        let shown = v.is_some_and(|v| std::ptr::eq(v, c.winner()));
        Span::styled(if shown { lang.pick("  ← gäller nu", "  ← in effect") } else { "" }, theme.ok)
    };
    let [list, detail] = Layout::vertical([Constraint::Min(4), Constraint::Length(7)]).areas(area);
    let header = Row::new(
        [
            lang.pick("Klient", "Client"),
            lang.pick("Fält", "Field"),
            lang.pick("Mitt", "Mine"),
            lang.pick("Deras", "Theirs"),
        ]
        .map(|h| Cell::from(h).style(theme.header)),
    );
    let height = usize::from(list.height.saturating_sub(3)).max(1);
    let offset = s.pager.selected.saturating_sub(height - 1);
    let widths = [Constraint::Percentage(25); 4];
    let cols = Columns::new(list, &widths);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, (c, name))| {
            let mark = if i == s.pager.selected { "› " } else { "  " };
            cols.row(vec![
                Cell::from(format!("{mark}{name}")),
                Cell::from(match crate::forms::field_label(&c.id.entity, &c.id.field, lang) {
                    Some((form, field)) => format!("{form} · {field}"),
                    None => format!("{}.{}", c.id.entity, c.id.field),
                }),
                Cell::from(c.mine().map(|v| show(&v.value)).unwrap_or_else(|| "–".to_owned())),
                Cell::from(c.theirs().map(|v| show(&v.value)).unwrap_or_else(|| "–".to_owned())),
            ])
            .style(if i == s.pager.selected { theme.selected } else { theme.base })
        })
        .collect();
    let title = format!(" {} ({}) ", lang.pick("Konflikter", "Conflicts"), s.rows.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title));
    if s.rows.is_empty() {
        let text = lang.pick(
            "Inga öppna konflikter här. En annan dator ser sina tills den fått en fil härifrån.",
            "No open conflicts here. Another machine sees its own until it imports a file from here.",
        );
        frame.render_widget(Paragraph::new(text).block(block).wrap(ratatui::widgets::Wrap { trim: true }), list);
    } else {
        frame.render_widget(Table::new(rows, widths).header(header).block(block), list);
    }
    let Some((c, _)) = s.rows.get(s.pager.selected) else { return };
    let label = |t: &'static str| Span::styled(format!("{t:<8}"), theme.muted);
    let mut lines = vec![
        Line::from(vec![
            label(lang.pick("Före", "Base")),
            Span::raw(c.base.as_ref().map(show).unwrap_or_else(|| "–".to_owned())),
        ]),
        // On a machine that wrote neither value (one that relays), the value in effect has
        // the line "mine" would have.
        match c.mine() {
            Some(mine) => {
                Line::from(vec![label(lang.pick("Mitt", "Mine")), Span::raw(who(Some(mine))), in_effect(c, Some(mine))])
            }
            None => Line::from(vec![
                label(lang.pick("Gäller", "Shown")),
                Span::raw(who(Some(c.winner()))),
                in_effect(c, Some(c.winner())),
            ]),
        },
        Line::from(vec![label(lang.pick("Deras", "Theirs")), Span::raw(who(c.theirs())), in_effect(c, c.theirs())]),
    ];
    match &s.input {
        Some(text) => lines.push(Line::from(vec![
            label(lang.pick("Nytt", "New")),
            Span::raw(text.clone()),
            Span::styled("▏  Enter spara · Esc avbryt", theme.muted),
        ])),
        None => lines.push(Line::from(Span::styled(
            lang.pick(
                "m behåll mitt · t behåll deras · v skriv nytt värde",
                "m keep mine · t keep theirs · v type a new value",
            ),
            theme.muted,
        ))),
    }
    let block = Block::default().borders(Borders::ALL).border_style(theme.border);
    frame.render_widget(Paragraph::new(lines).block(block), detail);
}
