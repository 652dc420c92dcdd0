//! Drawing. Reads the app state, never changes it, never touches the store.

use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, TableState, Tabs, Wrap};

use super::action::Action;
use super::app::*;
use super::fit::{Cell, Columns};
use super::palette;
use crate::dashboard::{ClientDashboard, Finding};
use crate::domain::enums::*;
use crate::domain::id_number::masked;
use crate::domain::rules::{self, ConsentState, ReadinessFlags};
use crate::domain::timeline::{self, PlanningPoint};
use crate::i18n::Lang;
use crate::i18n::ui::{self as t, Text};
use crate::store::views::{ClientRow, MeetingRow};

/// A frame that only says how far a long job is, drawn from inside the job (which holds the
/// app); the next ordinary frame replaces it.
pub fn render_progress(frame: &mut Frame, text: &str) {
    let area = frame.area();
    frame.render_widget(Clear, area);
    let line = Rect::new(area.x, area.y + area.height / 2, area.width, 1.min(area.height));
    frame.render_widget(Paragraph::new(text).alignment(ratatui::layout::Alignment::Center), line);
}

/// Width from which screens use extra columns or side-by-side panes.
const WIDE: u16 = 110;
/// Width from which the Today screen shows its three lists side by side.
const TODAY_COLUMNS: u16 = 160;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    if let Some(lock) = &app.lock {
        return super::privacy::render_lock(app, lock, frame);
    }
    if app.privacy {
        return super::privacy::render_blank(frame);
    }
    let area = frame.area();
    let [title, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    render_title(app, frame, title);
    match &app.screen {
        Screen::Today(s) => render_today(app, s, frame, body),
        Screen::Dashboard(s) => render_dashboard(app, s, frame, body),
        Screen::MyActions(s) => render_actions(app, s, frame, body),
        Screen::Clients(s) => render_clients(app, s, frame, body),
        Screen::Workspace(w) => render_workspace(app, w, frame, body),
        Screen::Calendar(s) => render_calendar(app, s, frame, body),
        Screen::Directory(s) => render_directory(app, s, frame, body),
        Screen::Conflicts(s) => super::conflicts::render(app, s, frame, body),
        Screen::FollowUp(s) => super::follow_up::render(app, s, frame, body),
        Screen::Audit(s) => super::audit::render(app, s, frame, body),
    }
    render_footer(app, frame, footer);
    if let Some(overlay) = &app.overlay {
        render_overlay(app, overlay, frame, area);
    }
}

fn tr(app: &App, text: Text) -> &'static str {
    text.get(app.opts.lang)
}

fn screen_title(app: &App) -> String {
    let lang = app.opts.lang;
    match &app.screen {
        Screen::Today(_) => Action::GoToday.describe(lang).to_owned(),
        Screen::Dashboard(s) => match s.kind {
            ClientDashboard::ReleaseRadar(d) => {
                format!("{} – {d} {}", Action::GoRadar.describe(lang), tr(app, t::RADAR_DAYS))
            }
            ClientDashboard::FirstWeeks(d) => {
                format!("{} – {d} {}", Action::GoFirstWeeks.describe(lang), tr(app, t::FIRST_WEEKS_DAYS))
            }
            ClientDashboard::Consent => Action::GoConsent.describe(lang).to_owned(),
            ClientDashboard::NeedGaps => Action::GoNeedGaps.describe(lang).to_owned(),
            ClientDashboard::SupervisionEnding => Action::GoSupervisionEnding.describe(lang).to_owned(),
        },
        Screen::MyActions(_) => Action::GoMyActions.describe(lang).to_owned(),
        Screen::Clients(_) => Action::GoClients.describe(lang).to_owned(),
        Screen::Workspace(w) => w.row.display_name(),
        Screen::Calendar(_) => Action::GoCalendar.describe(lang).to_owned(),
        Screen::Directory(_) => Action::GoDirectory.describe(lang).to_owned(),
        Screen::Conflicts(_) => Action::GoConflicts.describe(lang).to_owned(),
        Screen::FollowUp(_) => Action::GoFollowUp.describe(lang).to_owned(),
        Screen::Audit(s) => super::audit::title(app, s),
    }
}

fn render_title(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    // Open conflicts stay in sight on every screen until someone resolves them.
    let right = match (app.conflict_count, app.opts.lang) {
        (0, _) => format!("{} ", app.opts.today),
        (n, Lang::Sv) => format!("⚠ {n} konflikt{} (C)  {} ", if n == 1 { "" } else { "er" }, app.opts.today),
        (n, Lang::En) => format!("⚠ {n} conflict{} (C)  {} ", if n == 1 { "" } else { "s" }, app.opts.today),
    };
    let left = format!(" {} · {}", tr(app, t::APP_TITLE), screen_title(app));
    let pad = usize::from(area.width).saturating_sub(left.chars().count() + right.chars().count());
    let line =
        Line::from(vec![Span::styled(left, theme.title), Span::raw(" ".repeat(pad)), Span::styled(right, theme.muted)]);
    frame.render_widget(Paragraph::new(line), area);
}

/// The actions the footer offers on the current screen, most useful first.
fn footer_actions(app: &App) -> Vec<Action> {
    use Action::*;
    let mut actions = match &app.screen {
        _ if app.screen.filter_editing() => return vec![],
        Screen::Clients(_) => {
            vec![Down, Open, Filter, Add, SortNext, FilterPhase, FilterRisk, FilterStatus, ClearFilters]
        }
        Screen::Workspace(w) => match w.tab {
            Tab::Needs => vec![NextTab, Edit, Add, NeedStatus, Delete, Undo],
            Tab::Meetings => vec![NextTab, Edit, Add, Minutes, NewActionItem, ActionDone, Delete, Undo],
            Tab::History => vec![NextTab, Down, Back],
            Tab::Overview => vec![NextTab, Edit, Add, Reveal, Delete, Undo],
            Tab::Plan => vec![NextTab, Edit, Add, ClientPlan, Delete, Undo],
            _ => vec![NextTab, Edit, Add, Delete, Undo],
        },
        Screen::MyActions(_) => vec![Down, Open, ActionDone, Filter, Undo, Back],
        Screen::Calendar(_) => {
            vec![CalendarPrev, CalendarNext, CalendarToday, CalendarDay, CalendarWeek, CalendarMonth, Open, Filter]
        }
        Screen::Directory(_) => vec![Down, Filter, Add, Edit, Back],
        Screen::Conflicts(_) => vec![Down, KeepMine, KeepTheirs, NewValue, Open, Back],
        Screen::FollowUp(s) => {
            let mut keys = vec![NextPane, FollowUpPeriod, FollowUpSplit];
            keys.extend(s.groups_after().then_some(FollowUpMore));
            keys.extend((s.first_group > 0).then_some(FollowUpBack));
            keys.extend([Down, Back]);
            keys
        }
        Screen::Audit(_) => vec![Down, AuditKind, AuditPeriod, AuditMine, AuditClear, Open, Back],
        Screen::Today(_) => vec![NextPane, Down, Open, GoRadar, GoClients],
        Screen::Dashboard(s) if matches!(s.kind, ClientDashboard::ReleaseRadar(_) | ClientDashboard::FirstWeeks(_)) => {
            vec![Down, Open, NextPane, Filter, Back]
        }
        Screen::Dashboard(_) => vec![Down, Open, Filter, Back],
    };
    actions.extend([JumpToClient, Palette]);
    actions
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    if let Some(msg) = &app.status {
        frame.render_widget(Paragraph::new(Span::styled(format!(" {msg}"), theme.status)), area);
        return;
    }
    // A form, prompt or list on top takes the keys and names them itself: the screen's
    // keys below would not work.
    if app.overlay.is_some() {
        return;
    }
    if app.screen.filter_editing() {
        let hint = match app.opts.lang {
            Lang::Sv => "Enter behåll filtret · Esc rensa",
            Lang::En => "Enter keep filter · Esc clear",
        };
        frame.render_widget(Paragraph::new(Span::styled(format!(" {hint}"), theme.footer_text)), area);
        return;
    }
    // Help and quit always show; the screen's own keys fill the space before them.
    let hint = |action: Action| {
        let key = app.opts.keymap.first_key_label(action)?;
        let text = short_description(action, app.opts.lang, &app.screen);
        Some((key, text))
    };
    let fixed: Vec<(String, &str)> = [Action::Help, Action::Quit].into_iter().filter_map(hint).collect();
    let width_of = |(k, t): &(String, &str)| k.chars().count() + t.chars().count() + 3;
    let mut room = usize::from(area.width).saturating_sub(1 + fixed.iter().map(width_of).sum::<usize>());
    let mut shown: Vec<(String, &str)> = Vec::new();
    for entry in footer_actions(app).into_iter().filter_map(hint) {
        if width_of(&entry) > room {
            break;
        }
        room -= width_of(&entry);
        shown.push(entry);
    }
    let mut spans = vec![Span::raw(" ")];
    for (key, text) in shown.into_iter().chain(fixed) {
        spans.push(Span::styled(key, theme.footer_key));
        spans.push(Span::styled(format!(" {text}  "), theme.footer_text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A one-word form of an action's description for the footer.
fn short_description(action: Action, lang: Lang, screen: &Screen) -> &'static str {
    use Action::*;
    match screen {
        Screen::Dashboard(d) if action == NextPane => {
            return match d.kind {
                ClientDashboard::ReleaseRadar(_) => "30/90/180",
                _ => match lang {
                    Lang::Sv => "4 v/4 mån",
                    Lang::En => "4 wk/4 mo",
                },
            };
        }
        _ => {}
    }
    match (action, lang) {
        (Down, Lang::Sv) => "flytta",
        (Down, Lang::En) => "move",
        (Open, Lang::Sv) => "öppna",
        (Open, Lang::En) => "open",
        (Filter, Lang::Sv) => "sök",
        (Filter, Lang::En) => "search",
        (SortNext, Lang::Sv) => "sortera",
        (SortNext, Lang::En) => "sort",
        (FilterPhase, Lang::Sv) => "fas",
        (FilterPhase, Lang::En) => "phase",
        (FilterRisk, _) => "risk",
        (FilterStatus, _) => "status",
        (ClearFilters, Lang::Sv) => "rensa",
        (ClearFilters, Lang::En) => "clear",
        (NextTab, Lang::Sv) | (NextPane, Lang::Sv) => "flik",
        (NextTab, Lang::En) | (NextPane, Lang::En) => "tab",
        (Back, Lang::Sv) => "tillbaka",
        (Back, Lang::En) => "back",
        (JumpToClient, Lang::Sv) => "hoppa",
        (JumpToClient, Lang::En) => "jump",
        (Palette, Lang::Sv) => "kommando",
        (Palette, Lang::En) => "command",
        (Help, Lang::Sv) => "hjälp",
        (Help, Lang::En) => "help",
        (Quit, Lang::Sv) => "avsluta",
        (Quit, Lang::En) => "quit",
        (CalendarDay, Lang::Sv) => "dag",
        (CalendarDay, Lang::En) => "day",
        (CalendarWeek, Lang::Sv) => "vecka",
        (CalendarWeek, Lang::En) => "week",
        (CalendarMonth, Lang::Sv) => "månad",
        (CalendarMonth, Lang::En) => "month",
        (CalendarNext, Lang::Sv) => "nästa",
        (CalendarNext, Lang::En) => "next",
        (CalendarToday, Lang::Sv) => "idag",
        (CalendarToday, Lang::En) => "today",
        (CalendarPrev, Lang::Sv) => "förra",
        (CalendarPrev, Lang::En) => "previous",
        (Add, Lang::Sv) => "ny",
        (Add, Lang::En) => "add",
        (Edit, Lang::Sv) => "ändra",
        (Edit, Lang::En) => "edit",
        (Delete, Lang::Sv) => "radera",
        (Delete, Lang::En) => "delete",
        (Undo, Lang::Sv) => "ångra",
        (Undo, Lang::En) => "undo",
        (ActionDone, Lang::Sv) => "klar",
        (ActionDone, Lang::En) => "done",
        (NeedStatus, _) => "status",
        (ClientPlan, Lang::Sv) => "min plan",
        (ClientPlan, Lang::En) => "plan",
        (Reveal, Lang::Sv) => "visa pnr",
        (Reveal, Lang::En) => "show id",
        (Minutes, Lang::Sv) => "protokoll",
        (Minutes, Lang::En) => "minutes",
        (NewActionItem, Lang::Sv) => "åtgärd",
        (NewActionItem, Lang::En) => "action",
        (FollowUpPeriod, _) | (AuditPeriod, _) => "period",
        (AuditKind, Lang::Sv) => "typ",
        (AuditKind, Lang::En) => "kind",
        (AuditMine, Lang::Sv) => "mina",
        (AuditMine, Lang::En) => "mine",
        (AuditClear, Lang::Sv) => "rensa",
        (AuditClear, Lang::En) => "clear",
        (FollowUpSplit, Lang::Sv) => "uppdelning",
        (FollowUpSplit, Lang::En) => "split",
        (FollowUpMore, Lang::Sv) => "fler",
        (FollowUpMore, Lang::En) => "more",
        (FollowUpBack, Lang::Sv) => "föregående",
        (FollowUpBack, Lang::En) => "previous",
        (KeepMine, Lang::Sv) => "mitt",
        (KeepMine, Lang::En) => "mine",
        (KeepTheirs, Lang::Sv) => "deras",
        (KeepTheirs, Lang::En) => "theirs",
        (NewValue, Lang::Sv) => "nytt värde",
        (NewValue, Lang::En) => "new value",
        (GoRadar, Lang::Sv) => "radar",
        (GoRadar, Lang::En) => "radar",
        (GoClients, Lang::Sv) => "klienter",
        (GoClients, Lang::En) => "clients",
        _ => action.describe(lang),
    }
}

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    let theme = &app.opts.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.border_focused } else { theme.border })
        .title(Span::styled(format!(" {title} "), theme.title))
}

fn header_row<'a>(app: &App, cells: &[Text]) -> Row<'a> {
    Row::new(cells.iter().map(|c| Cell::from(tr(app, *c)))).style(app.opts.theme.header)
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "–".to_owned())
}

/// Where a client lives, left out for a protected identity.
fn municipality(row: &ClientRow) -> String {
    if row.protected { String::new() } else { row.municipality.clone().unwrap_or_default() }
}

/// A masked identity number, or the alias marker for protected identity.
fn masked_id(row: &ClientRow) -> String {
    if row.protected { "********-****".to_owned() } else { row.id_number.as_deref().map(masked).unwrap_or_default() }
}

/// The rows, or one saying there is nothing, in a column wide enough to read it.
fn empty_or<'a>(app: &App, rows: Vec<Row<'a>>, cols: &Columns) -> Vec<Row<'a>> {
    if !rows.is_empty() {
        return rows;
    }
    let text = tr(app, t::NOTHING_HERE);
    let at = cols.first_fitting(unicode_width::UnicodeWidthStr::width(text));
    let mut cells = vec![Cell::from(""); at];
    cells.push(Cell::from(text));
    vec![Row::new(cells)]
}

/// A meeting as a table row: time, client, kind, mode, and a last cell the screen chooses.
fn meeting_row<'a>(cols: &Columns, m: &MeetingRow, lang: Lang, last: Cell<'a>) -> Row<'a> {
    cols.row(vec![
        Cell::from(meeting_when(&m.starts_at, lang)),
        Cell::from(m.client_name.clone().unwrap_or_default()),
        Cell::from(m.kind.label(lang)),
        Cell::from(m.mode.label(lang)),
        last,
    ])
}

/// When a meeting starts, with its weekday: "2026-11-27 fre 14:45".
fn meeting_when(starts_at: &str, lang: Lang) -> String {
    match chrono::NaiveDateTime::parse_from_str(starts_at, "%Y-%m-%dT%H:%M") {
        Ok(t) => {
            format!("{} {} {}", t.format("%Y-%m-%d"), crate::forms::dates::weekday(t.date(), lang), t.format("%H:%M"))
        }
        Err(_) => starts_at.replace('T', " "),
    }
}

/// The width of [`meeting_when`].
const MEETING_WHEN: u16 = 20;

/// A Today list's count, "100+" when the list was cut at its limit.
fn today_count(n: usize) -> String {
    if n >= TODAY_LIMIT { format!("{n}+") } else { n.to_string() }
}

fn render_today(app: &App, s: &TodayScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    // Wide terminals get three columns; narrow ones meetings on top, the rest below.
    let (top, left, right) = if area.width >= TODAY_COLUMNS {
        let [a, b, c] = Layout::horizontal([Constraint::Fill(4), Constraint::Fill(3), Constraint::Fill(3)]).areas(area);
        (a, b, c)
    } else {
        // The meetings pane is as tall as its rows (at least one, at most half the screen).
        let wanted = s.meetings.len().max(1) as u16 + 3;
        let [top, bottom] =
            Layout::vertical([Constraint::Length(wanted.min(area.height / 2)), Constraint::Min(5)]).areas(area);
        let [left, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
        (top, left, right)
    };
    let sel = |pane: TodayPane, i: usize| {
        if s.pane == pane && s.selected[pane as usize] == i { theme.selected } else { theme.base }
    };
    let widths = [
        Constraint::Length(MEETING_WHEN),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(8),
    ];
    let cols = Columns::new(top, &widths);
    let meetings: Vec<Row> = s
        .meetings
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let room = if m.room_booked {
                Cell::from(tr(app, t::BOOKED)).style(theme.muted)
            } else {
                Cell::from(tr(app, t::NOT_BOOKED)).style(theme.warning)
            };
            meeting_row(&cols, m, lang, room).style(sel(TodayPane::Meetings, i))
        })
        .collect();
    let table = Table::new(empty_or(app, meetings, &cols), widths)
        .header(header_row(app, &[t::WHEN, t::CLIENT, t::KIND, t::MODE, t::ROOM]))
        .block(block(
            app,
            format!("{} ({})", tr(app, t::MEETINGS_THIS_WEEK), today_count(s.meetings.len())),
            s.pane == TodayPane::Meetings,
        ));
    // The table state keeps the selected row in view when a list is longer than its pane.
    let state = |pane: TodayPane| TableState::default().with_selected(Some(s.selected[pane as usize]));
    frame.render_stateful_widget(table, top, &mut state(TodayPane::Meetings));
    let widths = [Constraint::Length(10), Constraint::Fill(1), Constraint::Fill(1)];
    let cols = Columns::new(left, &widths);
    let actions: Vec<Row> = s
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            cols.row(vec![
                Cell::from(date(a.due_on)).style(theme.warning),
                Cell::from(a.client_name.clone().unwrap_or_default()),
                Cell::from(a.text.clone()),
            ])
            .style(sel(TodayPane::Actions, i))
        })
        .collect();
    let table = Table::new(empty_or(app, actions, &cols), widths)
        .header(header_row(app, &[t::DUE, t::CLIENT, t::WHAT]))
        .block(block(
            app,
            format!("{} ({})", tr(app, t::OVERDUE_ACTIONS), today_count(s.actions.len())),
            s.pane == TodayPane::Actions,
        ));
    frame.render_stateful_widget(table, left, &mut state(TodayPane::Actions));
    let widths = [Constraint::Length(10), Constraint::Fill(3), Constraint::Fill(2)];
    let cols = Columns::new(right, &widths);
    let follow: Vec<Row> = s
        .follow_ups
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = f.plan_kind.label(lang);
            cols.row(vec![
                Cell::from(date(f.due_on)).style(theme.warning),
                Cell::from(f.client_name.clone()),
                Cell::from(what),
            ])
            .style(sel(TodayPane::FollowUps, i))
        })
        .collect();
    let table = Table::new(empty_or(app, follow, &cols), widths)
        .header(header_row(app, &[t::DUE, t::CLIENT, t::WHAT]))
        .block(block(
            app,
            format!("{} ({})", tr(app, t::OVERDUE_FOLLOW_UPS), today_count(s.follow_ups.len())),
            s.pane == TodayPane::FollowUps,
        ));
    frame.render_stateful_widget(table, right, &mut state(TodayPane::FollowUps));
}

/// Readiness flags as compact letters; a dot where all is well. The legend is in help.
pub fn flag_letters(flags: &ReadinessFlags) -> String {
    flag_table(flags).iter().map(|&(on, c, _, _)| if on { c } else { '·' }).collect()
}

/// Each readiness flag: raised, its letter, and what is missing in Swedish and English.
fn flag_table(flags: &ReadinessFlags) -> [(bool, char, &'static str, &'static str); 8] {
    [
        (flags.no_joint_meeting_yet, 'M', "samverkansmöte hållet", "joint meeting held"),
        (flags.housing_not_arranged, 'B', "bostad", "housing"),
        (flags.occupation_not_arranged, 'S', "sysselsättning", "occupation"),
        (flags.consent_missing || flags.consent_undocumented, 'C', "samtycke", "consent"),
        (flags.no_meeting_in_release_week, 'V', "VF-möte", "release-week meeting"),
        (flags.treatment_without_continuation, 'T', "fortsatt behandling", "continued treatment"),
        (flags.no_support_person, 'P', "stödperson", "support person"),
        (flags.missing_id_or_bank, 'I', "id-handling/bankkonto", "ID/bank account"),
    ]
}

/// What the raised flags say is missing, letter by letter, or that nothing is.
fn flags_missing(flags: &ReadinessFlags, lang: Lang) -> String {
    let missing: Vec<String> =
        flag_table(flags).iter().filter(|f| f.0).map(|&(_, c, sv, en)| format!("{c} {}", lang.pick(sv, en))).collect();
    match (missing.is_empty(), lang) {
        (true, _) => lang.pick("inget saknas", "nothing missing").to_owned(),
        (false, Lang::Sv) => format!("saknas: {}", missing.join(", ")),
        (false, Lang::En) => format!("missing: {}", missing.join(", ")),
    }
}

/// The day that matters for a consent state: when it expires, expired or was revoked.
fn consent_date(state: &ConsentState) -> Option<NaiveDate> {
    match state {
        ConsentState::Active { expires_on } => *expires_on,
        ConsentState::ExpiringSoon { expires_on } => Some(*expires_on),
        ConsentState::Expired { expired_on } => Some(*expired_on),
        ConsentState::Revoked { revoked_on } => Some(*revoked_on),
        ConsentState::Missing | ConsentState::Undocumented => None,
    }
}

fn consent_label(state: &ConsentState, lang: Lang) -> String {
    match state {
        ConsentState::Missing => t::CONSENT_MISSING.get(lang).to_owned(),
        other => other.label(lang).to_owned(),
    }
}

fn render_dashboard(app: &App, s: &DashScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    let (head, widths): (Vec<Text>, Vec<Constraint>) = match s.kind {
        ClientDashboard::ReleaseRadar(_) | ClientDashboard::FirstWeeks(_) => (
            vec![t::RELEASE, t::DAYS, t::NAME, t::MUNICIPALITY, t::FLAGS],
            vec![
                Constraint::Length(10),
                Constraint::Length(5),
                Constraint::Fill(2),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
        ),
        ClientDashboard::Consent => (
            vec![t::NAME, t::ID_NUMBER, t::WHEN, t::CONSENT],
            vec![Constraint::Fill(1), Constraint::Length(13), Constraint::Length(10), Constraint::Length(26)],
        ),
        ClientDashboard::NeedGaps => (
            vec![t::NAME, t::MUNICIPALITY, t::WHAT],
            vec![Constraint::Fill(2), Constraint::Length(11), Constraint::Fill(3)],
        ),
        ClientDashboard::SupervisionEnding => (
            vec![t::NAME, t::MUNICIPALITY, t::PROBATION_END, t::DAYS_LEFT],
            vec![Constraint::Fill(2), Constraint::Fill(1), Constraint::Length(14), Constraint::Length(10)],
        ),
    };
    let cols = Columns::new(area, &widths);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let c = &r.client;
            let mut cells: Vec<Cell> = match &r.finding {
                Finding::Readiness(flags) | Finding::Released(_, flags) => vec![
                    Cell::from(date(c.release_on)),
                    Cell::from(
                        c.release_on.map(|r| timeline::days_between(today, r).abs().to_string()).unwrap_or_default(),
                    ),
                    Cell::from(c.display_name()),
                    Cell::from(municipality(c)),
                    Cell::from(flag_letters(flags)).style(if flags.count() > 0 { theme.warning } else { theme.ok }),
                ],
                Finding::Consent(state) => vec![
                    Cell::from(c.display_name()),
                    Cell::from(masked_id(c)),
                    Cell::from(date(consent_date(state))),
                    Cell::from(consent_label(state, lang)).style(theme.warning),
                ],
                Finding::Gaps(gaps) => vec![
                    Cell::from(c.display_name()),
                    Cell::from(municipality(c)),
                    Cell::from(gap_text(gaps, lang)).style(theme.warning),
                ],
                Finding::Ending(days) => vec![
                    Cell::from(c.display_name()),
                    Cell::from(municipality(c)),
                    Cell::from(date(c.probation_end_on)),
                    Cell::from(days.to_string()),
                ],
            };
            if cells.is_empty() {
                cells.push(Cell::from(""));
            }
            let style = if s.pager.offset + i == s.pager.selected { theme.selected } else { theme.base };
            cols.row(cells).style(style)
        })
        .collect();
    let count = match s.pager.len {
        Some(n) => n.to_string(),
        None => format!("{}+", s.pager.offset + s.rows.len()),
    };
    let title = format!("{} ({count}){}", screen_title(app), filter_suffix(&s.filter));
    let mut frame_block = block(app, title, true);
    if matches!(s.kind, ClientDashboard::ReleaseRadar(_) | ClientDashboard::FirstWeeks(_)) {
        let full = tr(app, t::FLAG_LEGEND);
        let legend =
            if full.chars().count() + 4 <= usize::from(area.width) { full } else { tr(app, t::FLAG_LEGEND_SHORT) };
        frame_block = frame_block.title_bottom(Span::styled(format!(" {legend} "), theme.muted));
    }
    let table = Table::new(empty_or(app, rows, &cols), widths).header(header_row(app, &head)).block(frame_block);
    frame.render_widget(table, area);
}

fn gap_text(gaps: &rules::NeedGaps, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !gaps.without_provider.is_empty() {
        let n = gaps.without_provider.len();
        parts.push(match lang {
            Lang::Sv => format!("utan utförare: {n} behov"),
            Lang::En => format!("no provider: {n} need{}", if n == 1 { "" } else { "s" }),
        });
    }
    let named = [
        (gaps.debt_without_kronofogden_or_bus, "skulder utan KFM/BUS", "debt without KFM/BUS"),
        (gaps.substance_and_mental_without_sip, "missbruk+psykisk ohälsa utan SIP", "substance+mental without SIP"),
        (gaps.protection_without_police, "skydd utan polis", "protection without police"),
    ];
    for (on, sv, en) in named {
        if on {
            parts.push(if lang == Lang::Sv { sv } else { en }.to_owned());
        }
    }
    parts.join("; ")
}

fn render_actions(app: &App, s: &ActionsScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let today = app.opts.today;
    let widths = [Constraint::Length(10), Constraint::Fill(2), Constraint::Fill(3), Constraint::Fill(2)];
    let cols = Columns::new(area, &widths);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let overdue = a.due_on.is_some_and(|d| d < today);
            let style = if s.pager.offset + i == s.pager.selected { theme.selected } else { theme.base };
            cols.row(vec![
                Cell::from(date(a.due_on)).style(if overdue { theme.warning } else { theme.base }),
                Cell::from(a.client_name.clone().unwrap_or_default()),
                Cell::from(a.text.clone()),
                Cell::from(a.owner.clone().unwrap_or_default()),
            ])
            .style(style)
        })
        .collect();
    let mut frame_block = block(app, format!("{}{}", screen_title(app), filter_suffix(&s.filter)), true);
    if s.owner.is_none() {
        frame_block = frame_block.title_bottom(Span::styled(format!(" {} ", tr(app, t::SET_USER_HINT)), theme.muted));
    }
    let table = Table::new(empty_or(app, rows, &cols), widths)
        .header(header_row(app, &[t::DUE, t::CLIENT, t::WHAT, t::WHO]))
        .block(frame_block);
    frame.render_widget(table, area);
}

fn render_clients(app: &App, s: &ClientsScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    let wide = area.width >= WIDE;
    // Under 80 columns the fixed columns would leave the name none: municipality and risk
    // give way first (the workspace shows both).
    let narrow = area.width < 80;
    let mut head = vec![t::NAME, t::ID_NUMBER, t::MUNICIPALITY, t::PHASE, t::RELEASE, t::RISK];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(6),
    ];
    const NARROW_DROPS: [usize; 2] = [5, 2];
    if narrow {
        for i in NARROW_DROPS {
            head.remove(i);
            widths.remove(i);
        }
    }
    if wide {
        head.extend([t::STATUS, t::COORDINATOR, t::OFFICE]);
        widths.extend([Constraint::Length(11), Constraint::Fill(2), Constraint::Fill(1)]);
    }
    let cols = Columns::new(area, &widths);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut cells = vec![
                Cell::from(c.display_name()),
                Cell::from(masked_id(c)),
                Cell::from(municipality(c)),
                Cell::from(c.phase(today).label(lang)),
                Cell::from(date(c.release_on)),
                Cell::from(c.risk.map(|r| r.label(lang)).unwrap_or("–")),
            ];
            if narrow {
                for i in NARROW_DROPS {
                    cells.remove(i);
                }
            }
            if wide {
                cells.push(Cell::from(c.status.map(|s| s.label(lang)).unwrap_or("–")));
                cells.push(Cell::from(c.coordinator.clone().unwrap_or_default()));
                // Every office is a probation office: its town says which.
                let office = c.office.as_deref().unwrap_or_default();
                cells.push(Cell::from(office.strip_prefix("Frivården ").unwrap_or(office).to_owned()));
            }
            cols.row(cells).style(if i == s.selected { theme.selected } else { theme.base })
        })
        .collect();
    let table = Table::new(empty_or(app, rows, &cols), widths).header(header_row(app, &head)).block(block(
        app,
        clients_title(app, s),
        true,
    ));
    frame.render_widget(table, area);
}

fn clients_title(app: &App, s: &ClientsScreen) -> String {
    let lang = app.opts.lang;
    let q = &s.query;
    let mut parts: Vec<String> = vec![screen_title(app)];
    if let Some(name) = &s.view_name {
        parts.push(format!("[{name}]"));
    }
    if s.editing || !q.text.is_empty() {
        parts.push(format!("/{}{}", q.text, if s.editing { "▏" } else { "" }));
    }
    if let Some(p) = q.phase {
        parts.push(p.label(lang).to_owned());
    }
    if let Some(r) = q.risk {
        parts.push(format!("{} {}", tr(app, t::RISK).to_lowercase(), r.label(lang).to_lowercase()));
    }
    if let Some(st) = q.status {
        parts.push(st.label(lang).to_owned());
    }
    for (id, table) in [(&q.office_id, "organisation"), (&q.coordinator_id, "contact")] {
        if let Some(id) = id
            && let Ok(Some(name)) = app.store.name_of(table, id)
        {
            parts.push(name);
        }
    }
    // A saved view named after its only filter ("Inför frigivning") says it once.
    if let Some(name) = &s.view_name {
        parts.retain(|p| !p.eq_ignore_ascii_case(name));
    }
    let sort = match q.sort {
        crate::store::views::ClientSort::Name => tr(app, t::SORT_NAME),
        crate::store::views::ClientSort::Release => tr(app, t::SORT_RELEASE),
    };
    parts.push(format!("↕{sort}{}", if q.descending { "↓" } else { "" }));
    parts.join(" · ")
}

fn render_workspace(app: &App, w: &WorkspaceScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    let [head, tabs, body] =
        Layout::vertical([Constraint::Length(3), Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let phase = timeline::client_phase(&w.file, today);
    let days = timeline::days_to_release(w.file.sentence.as_ref(), today)
        .map(|d| {
            let distance = timeline::release_distance_label(d, lang);
            let label = if d > 0 { t::RELEASE_IS } else { t::RELEASED };
            format!("{} {distance}", tr(app, label))
        })
        .unwrap_or_default();
    let consent = rules::consent_state(&w.file, today);
    let consent_style = if matches!(consent, ConsentState::Active { .. }) { theme.ok } else { theme.warning };
    let next_meeting = w
        .file
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Planerat && m.date().is_some_and(|d| d >= today))
        .filter_map(|m| m.starts_at)
        .min()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "–".to_owned());
    let overdue = rules::overdue_action_items(&w.file, today).len();
    let label = |text: Text| Span::styled(format!("{} ", tr(app, text)), theme.muted);
    let lines = vec![
        Line::from(vec![
            Span::styled(
                if w.revealed && w.row.protected {
                    format!("{} ({}, {})", w.row.display_name(), w.row.last_name, w.row.first_name)
                } else {
                    w.row.display_name()
                },
                theme.title,
            ),
            Span::raw("  "),
            Span::styled(
                match (&w.row.id_number, w.revealed) {
                    (Some(d), true) if d.len() == 12 => format!("{}-{}", &d[..8], &d[8..]),
                    _ => masked_id(&w.row),
                },
                if w.revealed { theme.warning } else { theme.masked },
            ),
            Span::raw("  "),
            Span::styled(phase.label(lang), theme.header),
            Span::raw("  "),
            Span::raw(days),
        ]),
        Line::from(vec![
            label(t::RISK),
            Span::raw(w.file.risk.as_ref().map(|r| r.level.label(lang)).unwrap_or("–")),
            Span::raw("  "),
            label(t::COORDINATOR),
            Span::raw(w.details.coordinator.clone().unwrap_or_else(|| "–".to_owned())),
            Span::raw("  "),
            Span::styled(consent_label(&consent, lang), consent_style),
        ]),
        Line::from(vec![
            label(t::NEXT_MEETING),
            Span::raw(next_meeting),
            Span::raw("  "),
            label(t::OVERDUE),
            Span::styled(overdue.to_string(), if overdue > 0 { theme.warning } else { theme.base }),
            Span::styled(
                match (w.conflicts, lang) {
                    (0, _) => String::new(),
                    (n, Lang::Sv) => format!("  ⚠ {n} konflikt{} (C)", if n == 1 { "" } else { "er" }),
                    (n, Lang::En) => format!("  ⚠ {n} conflict{} (C)", if n == 1 { "" } else { "s" }),
                },
                theme.warning,
            ),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), head);
    let titles: Vec<&str> = Tab::ALL.iter().map(|t| tr(app, tab_text(*t))).collect();
    let selected = Tab::ALL.iter().position(|t| *t == w.tab).unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles).select(selected).style(theme.tab_inactive).highlight_style(theme.tab_active).divider("│"),
        tabs,
    );
    let (mut lines, starts) = tab_lines(app, w);
    // Rows laid out in columns are cut at the edge: wrapped, a long provider name would
    // start a line of its own under the first column.
    if matches!(w.tab, Tab::Needs | Tab::Interventions) {
        lines = lines.into_iter().map(|l| super::fit::cut_line(l, usize::from(body.width))).collect();
    }
    // The selected row is highlighted and kept in view; tabs without rows scroll freely.
    let scroll = match starts.get(w.cursor.min(starts.len().saturating_sub(1))) {
        Some(&line) => {
            if let Some(l) = lines.get_mut(line) {
                *l = std::mem::take(l).style(theme.selected);
            }
            (line as u16).saturating_sub(body.height.saturating_sub(3))
        }
        None => w.scroll,
    };
    let para = Paragraph::new(lines)
        .block(Block::default().borders(Borders::TOP).border_style(theme.border))
        .scroll((scroll, 0))
        .wrap(Wrap { trim: false });
    frame.render_widget(para, body);
}

fn tab_text(tab: Tab) -> Text {
    match tab {
        Tab::Overview => t::TAB_OVERVIEW,
        Tab::Needs => t::TAB_NEEDS,
        Tab::Interventions => t::TAB_INTERVENTIONS,
        Tab::Plan => t::TAB_PLAN,
        Tab::Meetings => t::TAB_MEETINGS,
        Tab::Consent => t::TAB_CONSENT,
        Tab::Notes => t::TAB_NOTES,
        Tab::History => t::TAB_HISTORY,
    }
}

fn code_label<T>(code: &str, parse: fn(&str) -> Option<T>, label: fn(T, Lang) -> &'static str, lang: Lang) -> String {
    parse(code).map(|v| label(v, lang).to_owned()).unwrap_or_else(|| code.to_owned())
}

/// The lines of the current tab and, for each row [`tab_items`] lists, the line it starts on.
fn tab_lines<'a>(app: &App, w: &WorkspaceScreen) -> (Vec<Line<'a>>, Vec<usize>) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    let d = &w.details;
    let heading = |s: String| Line::from(Span::styled(s, theme.header));
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "–".to_owned());
    let mut out: Vec<Line> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    match w.tab {
        Tab::Overview => {
            let s = w.file.sentence.as_ref();
            starts.push(out.len());
            out.push(Line::from(vec![
                Span::styled(format!("{}: ", tr(app, t::CLIENT)), theme.muted),
                Span::raw(match municipality(&w.row) {
                    m if m.is_empty() => w.row.display_name(),
                    m => format!("{} · {m}", w.row.display_name()),
                }),
            ]));
            if s.is_some() {
                starts.push(out.len());
            }
            out.push(Line::from(format!(
                "{}: {}   {}: {}",
                tr(app, t::RELEASE),
                date(s.and_then(|s| s.release_on)),
                match lang {
                    Lang::Sv => "Prövotid slut",
                    Lang::En => "Probation ends",
                },
                date(s.and_then(|s| s.probation_end_on)),
            )));
            if let Some(e) = &w.file.enrolment {
                starts.push(out.len());
                out.push(Line::from(format!(
                    "{}: {}{}",
                    tr(app, t::ENROLMENT),
                    e.status.label(lang),
                    e.decided_on.map(|d| format!(" ({d})")).unwrap_or_default()
                )));
            }
            if let Some(r) = &w.file.risk {
                starts.push(out.len());
                out.push(Line::from(format!(
                    "{}: {} ({})",
                    tr(app, t::RISK),
                    r.level.label(lang),
                    date(r.assessed_on)
                )));
            }
            out.push(Line::from(""));
            out.push(heading(tr(app, t::PLANNING_POINTS).to_owned()));
            for p in timeline::planning_points(&w.file, today) {
                let window = p.window.map(|(a, b)| format!("{a} – {b}")).unwrap_or_else(|| "–".to_owned());
                let style = match p.state {
                    timeline::PointState::Covered => theme.ok,
                    timeline::PointState::Missed | timeline::PointState::DueNow => theme.warning,
                    _ => theme.base,
                };
                out.push(Line::from(vec![
                    Span::raw(format!("{} {:<28} ", p.point.number(), point_label(p.point, lang))),
                    Span::raw(format!("{window:<25} ")),
                    Span::styled(p.state.label(lang), style),
                ]));
            }
            let flags = rules::readiness(&w.file, today);
            out.push(Line::from(""));
            out.push(Line::from(vec![
                Span::styled(format!("{}: ", tr(app, t::FLAGS)), theme.header),
                Span::styled(flag_letters(&flags), if flags.count() > 0 { theme.warning } else { theme.ok }),
                Span::styled(format!("  {}", flags_missing(&flags, lang)), theme.muted),
            ]));
        }
        Tab::Needs => {
            if !d.needs.is_empty() {
                out.push(heading(format!(
                    "{:<26} {:<16} {}",
                    tr(app, t::TAB_NEEDS),
                    tr(app, t::STATUS),
                    tr(app, t::PROVIDERS)
                )));
            }
            // The same rule as the need-gaps dashboard: an open need is without a provider
            // unless an intervention still under way has one; who finished one is told apart.
            let gaps: Vec<&str> = rules::needs_without_provider(&w.file).iter().map(|n| n.id.as_str()).collect();
            for n in &d.needs {
                starts.push(out.len());
                let gap = gaps.contains(&n.id.as_str());
                let providers = match (gap, n.providers.is_empty()) {
                    (true, true) => tr(app, t::NO_PROVIDER).to_owned(),
                    (true, false) => {
                        format!("{} ({} {})", tr(app, t::NO_PROVIDER), tr(app, t::EARLIER), n.providers.join(", "))
                    }
                    (false, true) => "–".to_owned(),
                    (false, false) => n.providers.join(", "),
                };
                out.push(Line::from(vec![
                    Span::raw(format!("{:<26} ", code_label(&n.area, LifeArea::from_code, LifeArea::label, lang))),
                    Span::raw(format!(
                        "{:<16} ",
                        code_label(&n.status, NeedStatus::from_code, NeedStatus::label, lang)
                    )),
                    Span::styled(providers, if gap { theme.warning } else { theme.base }),
                ]));
            }
        }
        Tab::Interventions => {
            if !d.interventions.is_empty() {
                out.push(heading(format!(
                    "{:<30} {:<18} {}",
                    tr(app, t::TAB_INTERVENTIONS),
                    tr(app, t::STATUS),
                    tr(app, t::PROVIDERS)
                )));
            }
            for i in &d.interventions {
                starts.push(out.len());
                out.push(Line::from(vec![
                    Span::raw(format!("{:<30} ", i.title)),
                    Span::raw(format!(
                        "{:<18} ",
                        code_label(&i.status, InterventionStatus::from_code, InterventionStatus::label, lang)
                    )),
                    Span::raw(opt(&i.provider)),
                ]));
                let mut extra = Vec::new();
                if let Some(start) = &i.start_on {
                    extra.push(format!("{} {start}", tr(app, t::START)));
                }
                if i.continues {
                    extra.push(tr(app, t::CONTINUES_PRISON).to_owned());
                }
                if !extra.is_empty() {
                    out.push(Line::from(Span::styled(format!("  {}", extra.join(" · ")), theme.muted)));
                }
            }
        }
        Tab::Plan => {
            for p in &d.plans {
                starts.push(out.len());
                out.push(heading(format!(
                    "{} · {} · {}: {}",
                    code_label(&p.kind, PlanKind::from_code, PlanKind::label, lang),
                    code_label(&p.status, PlanStatus::from_code, PlanStatus::label, lang),
                    match lang {
                        Lang::Sv => "nästa uppföljning",
                        Lang::En => "next follow-up",
                    },
                    opt(&p.next_follow_up_on)
                )));
                for (kind, text, org) in &p.items {
                    out.push(Line::from(format!(
                        "  {}: {} ({})",
                        code_label(kind, PlanItemKind::from_code, PlanItemKind::label, lang),
                        text,
                        opt(org)
                    )));
                }
                for (_, text, target, status) in &p.goals {
                    starts.push(out.len());
                    out.push(Line::from(format!(
                        "  {}: {} – {} ({})",
                        tr(app, t::GOALS),
                        text,
                        opt(target),
                        code_label(status, GoalStatus::from_code, GoalStatus::label, lang)
                    )));
                }
            }
        }
        Tab::Meetings => {
            for m in &d.meetings {
                starts.push(out.len());
                out.push(heading(format!(
                    "{} · {} · {} · {}{}",
                    opt(&m.starts_at).replace('T', " "),
                    code_label(&m.kind, MeetingKind::from_code, MeetingKind::label, lang),
                    code_label(&m.mode, MeetingMode::from_code, MeetingMode::label, lang),
                    code_label(&m.status, MeetingStatus::from_code, MeetingStatus::label, lang),
                    m.planning_point.map(|p| format!(" · {} {p}", tr(app, t::POINT))).unwrap_or_default()
                )));
                out.push(Line::from(format!("  {}: {}", tr(app, t::PARTICIPANTS), m.participants.join(", "))));
                for text in &m.minutes {
                    out.push(Line::from(format!("  {}: {}", tr(app, t::MINUTES), text.replace('\n', " / "))));
                }
                for (_, text, due, status) in &m.actions {
                    starts.push(out.len());
                    let done = status == "klar";
                    out.push(Line::from(format!("  [{}] {text} ({})", if done { "x" } else { " " }, opt(due))));
                }
            }
        }
        Tab::Consent => {
            for c in &d.consents {
                starts.push(out.len());
                out.push(heading(format!(
                    "{} {} · {} · {}",
                    tr(app, t::GIVEN),
                    opt(&c.given_on),
                    code_label(&c.form, ConsentForm::from_code, ConsentForm::label, lang),
                    if c.documented {
                        match lang {
                            Lang::Sv => "dokumenterat i VSP",
                            Lang::En => "documented in the VSP",
                        }
                    } else {
                        match lang {
                            Lang::Sv => "EJ dokumenterat",
                            Lang::En => "NOT documented",
                        }
                    }
                )));
                let expired = c.expires_on.as_deref().is_some_and(|e| e < today.to_string().as_str());
                out.push(Line::from(vec![
                    Span::raw(format!("  {}: {}", tr(app, t::EXPIRES), opt(&c.expires_on))),
                    Span::styled(
                        if expired { format!("  {}", tr(app, t::EXPIRED)) } else { String::new() },
                        theme.warning,
                    ),
                ]));
                if let Some(r) = &c.revoked_on {
                    out.push(Line::from(Span::styled(format!("  {}: {r}", tr(app, t::REVOKED)), theme.warning)));
                }
                out.push(Line::from(format!("  {}: {}", tr(app, t::SCOPE), c.scope.join(", "))));
            }
        }
        Tab::Notes => {
            for (_, e_date, kind, follow) in &d.events {
                starts.push(out.len());
                out.push(Line::from(vec![
                    Span::styled(format!("{} ", opt(e_date)), theme.warning),
                    Span::raw(code_label(kind, EventKind::from_code, EventKind::label, lang)),
                    Span::styled(format!("  → {}", opt(follow)), theme.muted),
                ]));
            }
            for (_, at, author, text) in &d.notes {
                starts.push(out.len());
                out.push(Line::from(vec![
                    Span::styled(format!("{} {}: ", at.replace('T', " "), opt(author)), theme.muted),
                    Span::raw(text.replace('\n', " / ")),
                ]));
            }
        }
        Tab::History => {
            for h in w.history.iter().flatten() {
                let when = chrono::DateTime::from_timestamp_millis(crate::store::hlc::to_millis(h.hlc as u64) as i64)
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                let value: String = if h.field == "*" {
                    match lang {
                        Lang::Sv => "(ny)".to_owned(),
                        Lang::En => "(new)".to_owned(),
                    }
                } else if h.field == "deleted" {
                    match (h.value == "true", lang) {
                        (true, Lang::Sv) => "(raderad)".to_owned(),
                        (true, Lang::En) => "(deleted)".to_owned(),
                        (false, Lang::Sv) => "(återställd)".to_owned(),
                        (false, Lang::En) => "(restored)".to_owned(),
                    }
                } else {
                    h.value.chars().take(40).collect()
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{when} "), theme.muted),
                    Span::raw(format!("{} = {value} ", field_name(&h.entity, &h.field, lang))),
                    Span::styled(
                        format!("{} @{}", h.author, &h.replica[h.replica.len().saturating_sub(6)..]),
                        theme.muted,
                    ),
                ]));
            }
        }
    }
    if out.is_empty() {
        out.push(Line::from(tr(app, t::NOTHING_HERE)));
    }
    (out, starts)
}

/// The name of a table as a user would say it.
/// A changed field by the name its form uses ("Möte · Lokal bokad"), not its column name; a
/// new row (`*`) or a delete flag by the entity's name.
pub(crate) fn field_name(entity: &str, field: &str, lang: Lang) -> String {
    match crate::forms::field_label(entity, field, lang) {
        Some((form, label)) => format!("{form} · {label}"),
        None if field == "*" || field == "deleted" => entity_label(entity, lang).to_owned(),
        None => format!("{}.{field}", entity_label(entity, lang)),
    }
}

fn entity_label(entity: &str, lang: Lang) -> &str {
    let (sv, en) = match entity {
        "client" => ("klient", "client"),
        "sentence" => ("verkställighet", "sentence"),
        "risk_assessment" => ("riskbedömning", "risk assessment"),
        "enrolment" => ("inslussning", "enrolment"),
        "consent" => ("samtycke", "consent"),
        "need" => ("behov", "need"),
        "plan" => ("plan", "plan"),
        "intervention" => ("insats", "intervention"),
        "meeting" => ("möte", "meeting"),
        "event" => ("händelse", "event"),
        "action_item" => ("åtgärd", "action item"),
        "outcome_snapshot" => ("utfall", "outcome"),
        "note" => ("anteckning", "note"),
        "organisation" => ("organisation", "organisation"),
        "contact" => ("kontaktperson", "contact"),
        "eligibility_check" => ("urvalskriterium", "eligibility criterion"),
        "consent_scope" => ("samtycke · organisation", "consent · organisation"),
        "need_update" => ("behov · status", "need · status"),
        "intervention_need" => ("insats · behov", "intervention · need"),
        "plan_item" => ("planpunkt", "plan item"),
        "goal" => ("mål", "goal"),
        "meeting_participant" => ("möte · deltagare", "meeting · participant"),
        "minute_entry" => ("protokollrad", "minutes line"),
        "org_structure" => ("mötesstruktur", "meeting structure"),
        "org_structure_member" => ("mötesstruktur · organisation", "meeting structure · organisation"),
        "purge" => ("gallring", "purge"),
        _ => return entity,
    };
    if lang == Lang::Sv { sv } else { en }
}

fn point_label(point: PlanningPoint, lang: Lang) -> &'static str {
    point.label(lang)
}

fn render_calendar(app: &App, s: &CalendarScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let (from, to) = period(s.anchor, s.span);
    let span = match s.span {
        CalendarSpan::Day => tr(app, t::DAY),
        CalendarSpan::Week => tr(app, t::WEEK),
        CalendarSpan::Month => tr(app, t::MONTH),
    };
    let period = match s.span {
        CalendarSpan::Week => {
            format!("{span} {} · {from} – {}", from.iso_week().week(), to - chrono::Duration::days(1))
        }
        CalendarSpan::Month => format!("{span} {}", from.format("%Y-%m")),
        CalendarSpan::Day => format!("{span} {from}"),
    };
    let count = match s.pager.len.unwrap_or(0) {
        n if n >= CALENDAR_COUNT_CAP => format!("{n}+"),
        n => n.to_string(),
    };
    let title = format!("{} · {period} ({count}){}", screen_title(app), filter_suffix(&s.filter));
    let start = s.pager.offset;
    let widths = [
        Constraint::Length(MEETING_WHEN),
        Constraint::Fill(3),
        // Wide enough for every kind in either language when there is room.
        Constraint::Length(if area.width >= WIDE { 22 } else { 18 }),
        Constraint::Length(9),
        Constraint::Fill(2),
    ];
    let cols = Columns::new(area, &widths);
    let rows: Vec<Row> = s
        .meetings
        .iter()
        .enumerate()
        .map(|(i, m)| {
            meeting_row(&cols, m, lang, Cell::from(m.location.clone().unwrap_or_default()))
                .style(if start + i == s.pager.selected { theme.selected } else { theme.base })
        })
        .collect();
    let table = Table::new(empty_or(app, rows, &cols), widths)
        .header(header_row(app, &[t::WHEN, t::CLIENT, t::KIND, t::MODE, t::PLACE]))
        .block(block(app, title, true));
    frame.render_widget(table, area);
}

fn directory_title(app: &App, s: &DirectoryScreen) -> String {
    let mut title = format!("{} ({})", tr(app, t::ORGANISATIONS), s.orgs.len());
    title.push_str(&filter_suffix(&s.filter));
    title
}

/// A list's `/` filter for its title: " · /text", with a cursor while it is typed.
fn filter_suffix(f: &ListFilter) -> String {
    if f.editing || !f.text.is_empty() {
        format!(" · /{}{}", f.text, if f.editing { "▏" } else { "" })
    } else {
        String::new()
    }
}

fn render_directory(app: &App, s: &DirectoryScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let [left, right] = if area.width >= WIDE {
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    };
    let height = usize::from(left.height.saturating_sub(3));
    let start = s.pager.offset.min(s.orgs.len());
    let widths = [Constraint::Fill(3), Constraint::Fill(2)];
    let cols = Columns::new(left, &widths);
    let rows: Vec<Row> = s.orgs[start..]
        .iter()
        .take(height)
        .enumerate()
        .map(|(i, org)| {
            cols.row(vec![
                Cell::from(org.name.clone()),
                Cell::from(code_label(&org.kind, OrgKind::from_code, OrgKind::label, lang)),
            ])
            .style(if start + i == s.pager.selected { theme.selected } else { theme.base })
        })
        .collect();
    let table = Table::new(rows, widths).header(header_row(app, &[t::NAME, t::KIND])).block(block(
        app,
        directory_title(app, s),
        s.contact.is_none(),
    ));
    frame.render_widget(table, left);
    let widths = [Constraint::Fill(2), Constraint::Fill(2), Constraint::Length(16), Constraint::Length(12)];
    let cols = Columns::new(right, &widths);
    let rows: Vec<Row> = s
        .contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cols.row(vec![
                Cell::from(c.name.clone()),
                Cell::from(code_label(&c.role, ContactRole::from_code, ContactRole::label, lang)),
                Cell::from(c.phone.clone().unwrap_or_default()),
                Cell::from(c.last_verified.clone().unwrap_or_default()),
            ])
            .style(if s.contact == Some(i) { theme.selected } else { theme.base })
        })
        .collect();
    let table = Table::new(empty_or(app, rows, &cols), widths)
        .header(header_row(app, &[t::NAME, t::ROLE, t::PHONE, t::VERIFIED]))
        .block(block(app, tr(app, t::CONTACTS).to_owned(), s.contact.is_some()));
    frame.render_widget(table, right);
}

/// A centred rectangle of the given size, clipped to `area`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// The export/import prompt: the file, then a hidden passphrase when one protects it.
fn render_sync_prompt(app: &App, p: &super::sync_prompt::SyncPrompt, frame: &mut Frame, area: Rect) {
    use super::sync_prompt::{SyncKind, SyncStage};
    let theme = &app.opts.theme;
    let sv = app.opts.lang == Lang::Sv;
    let title = match (p.kind, sv) {
        (SyncKind::Export, true) => "Exportera alla ändringar till en krypterad fil",
        (SyncKind::Export, false) => "Export every change to an encrypted file",
        (SyncKind::Import, true) => "Importera en fil från en annan dator",
        (SyncKind::Import, false) => "Import a file from another machine",
    };
    let (label, shown) = match (&p.stage, sv) {
        (SyncStage::Path, true) => ("Fil: ", p.path.clone()),
        (SyncStage::Path, false) => ("File: ", p.path.clone()),
        (SyncStage::Passphrase, true) => ("Lösenfras för filen: ", "•".repeat(p.secret.chars().count())),
        (SyncStage::Passphrase, false) => ("Passphrase for the file: ", "•".repeat(p.secret.chars().count())),
        (SyncStage::Repeat, true) => ("Samma lösenfras igen: ", "•".repeat(p.secret.chars().count())),
        (SyncStage::Repeat, false) => ("The same passphrase again: ", "•".repeat(p.secret.chars().count())),
    };
    let keys = if sv {
        "Enter fortsätt · Ctrl-u rensa · Esc avbryt."
    } else {
        "Enter go on · Ctrl-u clear · Esc cancel."
    };
    let why = match (p.kind, sv) {
        (SyncKind::Export, true) => "Utan nyckel i sync.toml skyddas filen med en lösenfras.",
        (SyncKind::Export, false) => "Without a key in sync.toml the file is protected by a passphrase.",
        (SyncKind::Import, true) => "Lösenfras frågas bara för en fil som skyddas av en.",
        (SyncKind::Import, false) => "A passphrase is asked only for a file protected by one.",
    };
    let hint = format!("{keys} {why}");
    let rect = centred(area, area.width.saturating_sub(4).min(100), 7);
    frame.render_widget(Clear, rect);
    let outer = block(app, title.to_owned(), true);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let mut lines = vec![
        Line::from(vec![Span::styled(label, theme.header), Span::raw(shown), Span::styled("▏", theme.footer_key)]),
        Line::from(""),
    ];
    match &p.problem {
        Some(problem) => {
            // Refusals come worded to follow "Inget importerades: "; alone, one starts a sentence.
            let mut chars = problem.chars();
            let sentence: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            lines.push(Line::from(Span::styled(sentence, theme.error)))
        }
        None => lines.push(Line::from(Span::styled(hint, theme.muted))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// A short list in a box with a hint under it.
fn render_small_list(app: &App, frame: &mut Frame, area: Rect, title: Text, hint: Text, lines: Vec<Line>) {
    let theme = &app.opts.theme;
    let height = (lines.len() as u16 + 3).min(area.height.saturating_sub(2));
    let width = (tr(app, hint).chars().count() as u16 + 4).clamp(40, area.width.saturating_sub(2));
    let rect = centred(area, width, height);
    frame.render_widget(Clear, rect);
    let outer = block(app, tr(app, title).to_owned(), true);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let [list, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), list);
    frame.render_widget(Paragraph::new(Span::styled(tr(app, hint), theme.muted)), foot);
}

/// Help lines for the current screen, (key labels, description), global actions last:
/// those whose keys, description or word in the command bar (`pnr` for the reveal) hold
/// `query`, in any case.
pub fn help_entries_matching(app: &App, query: &str) -> Vec<(String, &'static str)> {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for ctx in app.screen.contexts() {
        for action in Action::ALL.iter().filter(|a| a.context() == *ctx) {
            let keys: Vec<String> = app.opts.keymap.keys_for(*action).iter().map(|k| k.display()).collect();
            let keys = keys.join(" ");
            let described = action.describe(app.opts.lang);
            let short = short_description(*action, app.opts.lang, &app.screen);
            let found = [keys.as_str(), described, short].iter().any(|t| t.to_lowercase().contains(&q));
            if !keys.is_empty() && found {
                out.push((keys, described));
            }
        }
    }
    out
}

/// What the current screen is for, the first line of its help.
fn screen_purpose(screen: &Screen) -> Text {
    match screen {
        Screen::Today(_) => t::PURPOSE_TODAY,
        Screen::Dashboard(d) => match d.kind {
            ClientDashboard::ReleaseRadar(_) => t::PURPOSE_RADAR,
            ClientDashboard::FirstWeeks(_) => t::PURPOSE_FIRST_WEEKS,
            ClientDashboard::Consent => t::PURPOSE_CONSENT,
            ClientDashboard::NeedGaps => t::PURPOSE_NEED_GAPS,
            ClientDashboard::SupervisionEnding => t::PURPOSE_ENDING,
        },
        Screen::MyActions(_) => t::PURPOSE_MY_ACTIONS,
        Screen::Clients(_) => t::PURPOSE_CLIENTS,
        Screen::Workspace(_) => t::PURPOSE_WORKSPACE,
        Screen::Calendar(_) => t::PURPOSE_CALENDAR,
        Screen::Directory(_) => t::PURPOSE_DIRECTORY,
        Screen::Conflicts(_) => t::PURPOSE_CONFLICTS,
        Screen::FollowUp(_) => t::PURPOSE_FOLLOW_UP,
        Screen::Audit(_) => t::PURPOSE_AUDIT,
    }
}

fn render_overlay(app: &App, overlay: &Overlay, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    match overlay {
        Overlay::Form(ui) => return super::form_view::render_form(app, ui, frame, area),
        Overlay::Confirm { message, .. } => {
            let rect = centred(area, (message.chars().count() as u16 + 4).max(30), 3);
            frame.render_widget(Clear, rect);
            let para = Paragraph::new(Span::styled(message.clone(), theme.warning)).block(block(
                app,
                tr(app, t::CONFIRM_TITLE).to_owned(),
                true,
            ));
            frame.render_widget(para, rect);
            return;
        }
        Overlay::Sync(p) => return render_sync_prompt(app, p, frame, area),
        Overlay::Choose { kinds, selected } => {
            let lines: Vec<Line> = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let mark = if i == *selected { "›" } else { " " };
                    Line::from(format!("{mark} {}", k.title(lang))).style(if i == *selected {
                        theme.selected
                    } else {
                        theme.base
                    })
                })
                .collect();
            return render_small_list(app, frame, area, t::CHOOSE_TITLE, t::CHOOSE_HINT, lines);
        }
        Overlay::Drafts { drafts, selected } => {
            let lines: Vec<Line> = drafts
                .iter()
                .enumerate()
                .map(|(i, (d, client))| {
                    let kind =
                        serde_json::from_value::<crate::forms::FormKind>(serde_json::Value::String(d.form.clone()))
                            .map(|k| k.title(lang))
                            .unwrap_or("?");
                    let mark = if i == *selected { "›" } else { " " };
                    Line::from(format!("{mark} {}  {kind}  {client}", d.updated_at.replace('T', " ")))
                        .style(if i == *selected { theme.selected } else { theme.base })
                })
                .collect();
            return render_small_list(app, frame, area, t::DRAFTS_TITLE, t::DRAFTS_HINT, lines);
        }
        _ => {}
    }
    // Narrow terminals give the overlay nearly all the width, so the screen behind does not peek through.
    let margin = if area.width < WIDE { 2 } else { 16 };
    let rect = centred(area, area.width.saturating_sub(margin).max(40), area.height.saturating_sub(2).max(10));
    frame.render_widget(Clear, rect);
    if let Overlay::Note { client_name, editor, .. } = overlay {
        let title = format!("{} · {client_name}", tr(app, t::NOTE_TITLE));
        let outer =
            block(app, title, true).title_bottom(Span::styled(format!(" {} ", tr(app, t::NOTE_KEYS)), theme.muted));
        let inner = outer.inner(rect);
        frame.render_widget(outer, rect);
        frame.render_widget(editor.as_ref(), inner);
        return;
    }
    let inner_height = usize::from(rect.height.saturating_sub(4));
    let (title, query, lines): (Text, &str, Vec<Line>) = match overlay {
        Overlay::Help { query, selected } => {
            let entries = help_entries_matching(app, query);
            // One line for what the screen is for, one for "more below".
            let room = inner_height.saturating_sub(2);
            let skip = (*selected).min(entries.len().saturating_sub(room));
            let more = entries.len().saturating_sub(skip + room);
            let mut lines = vec![Line::from(Span::styled(tr(app, screen_purpose(&app.screen)), theme.header))];
            lines.extend(
                entries
                    .into_iter()
                    .skip(skip)
                    .take(room)
                    .map(|(k, d)| Line::from(vec![Span::styled(format!("{k:<16}"), theme.footer_key), Span::raw(d)])),
            );
            if more > 0 {
                lines.push(Line::from(Span::styled(format!("↓ {more} {}", tr(app, t::MORE)), theme.muted)));
            }
            (t::HELP_TITLE, query.as_str(), lines)
        }
        Overlay::Palette { query, selected } => {
            let lines = palette::matches(query, lang)
                .into_iter()
                .take(inner_height)
                .enumerate()
                .map(|(i, a)| {
                    let key = app.opts.keymap.first_key_label(a).unwrap_or_default();
                    Line::from(vec![Span::raw(format!("{:<40}", a.describe(lang))), Span::styled(key, theme.muted)])
                        .style(if i == *selected { theme.selected } else { theme.base })
                })
                .collect();
            (t::PALETTE_TITLE, query.as_str(), lines)
        }
        Overlay::Note { .. }
        | Overlay::Form(_)
        | Overlay::Sync(_)
        | Overlay::Confirm { .. }
        | Overlay::Choose { .. }
        | Overlay::Drafts { .. } => return,
        Overlay::Jump { query, results, selected } => {
            let lines = if query.is_empty() {
                vec![Line::from(Span::styled(tr(app, t::JUMP_HINT), theme.muted))]
            } else {
                results
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        Line::from(vec![
                            Span::raw(format!("{:<30} ", r.display_name())),
                            Span::styled(format!("{} ", masked_id(r)), theme.masked),
                            Span::raw(municipality(r)),
                        ])
                        .style(if i == *selected { theme.selected } else { theme.base })
                    })
                    .collect()
            };
            (t::JUMP_TITLE, query.as_str(), lines)
        }
    };
    let block = block(app, tr(app, title).to_owned(), true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [input, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let prompt = if matches!(overlay, Overlay::Help { .. }) && query.is_empty() {
        Line::from(Span::styled(tr(app, t::HELP_TYPE_TO_SEARCH), theme.muted))
    } else {
        Line::from(vec![Span::styled("> ", theme.footer_key), Span::raw(query.to_owned()), Span::raw("▏")])
    };
    frame.render_widget(Paragraph::new(prompt).style(Style::default().add_modifier(Modifier::empty())), input);
    frame.render_widget(Paragraph::new(lines), list);
}
