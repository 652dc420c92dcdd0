//! The Follow-up screen: the evaluation's indicators (domain.md §7.1) as tables, with the
//! funnel as bars and meetings per month as a sparkline. `p` changes the period, `s` the
//! split (office, coordinator, gender), Tab the table. Each opening, period and split folds
//! the store's follow-up cache afresh (about 0.1 s at 100 000 clients), so the screen holds
//! the figures only, not every client's facts.

use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Row, Sparkline, Table};

use super::app::App;
use super::fit::{Cell, Columns};
use crate::i18n::Lang;
use crate::report::indicators::{FactBase, compute};
use crate::report::{By, Indicators, Period, follow_up};
use crate::store::{Result, Store};

/// Periods `p` cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    /// The last twelve months.
    LastYear,
    /// This calendar year.
    ThisYear,
    /// Last calendar year.
    PreviousYear,
    /// Everything in the store.
    All,
}

impl PeriodChoice {
    const ORDER: [PeriodChoice; 4] =
        [PeriodChoice::LastYear, PeriodChoice::ThisYear, PeriodChoice::PreviousYear, PeriodChoice::All];

    fn period(self, today: NaiveDate) -> Period {
        let year = |y: i32| {
            Period::new(
                NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today),
                NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(today),
            )
        };
        match self {
            PeriodChoice::LastYear => Period::last_year(today),
            PeriodChoice::ThisYear => year(today.year()),
            PeriodChoice::PreviousYear => year(today.year() - 1),
            PeriodChoice::All => Period::ALL,
        }
    }

    fn label(self, today: NaiveDate, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        match self {
            PeriodChoice::LastYear => (if sv { "senaste 12 månaderna" } else { "last 12 months" }).to_owned(),
            PeriodChoice::ThisYear => today.year().to_string(),
            PeriodChoice::PreviousYear => (today.year() - 1).to_string(),
            PeriodChoice::All => (if sv { "hela tiden" } else { "all time" }).to_owned(),
        }
    }

    fn next(self) -> PeriodChoice {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }
}

/// The screen's state.
#[derive(Debug, Clone)]
pub struct FollowUpScreen {
    /// The figures for the chosen period and split.
    pub indicators: Indicators,
    /// Chosen period.
    pub period: PeriodChoice,
    /// Chosen split.
    pub by: By,
    /// Table shown.
    pub table: usize,
    /// Scroll within the table.
    pub scroll: usize,
    /// The first group shown beside the labels, when not all fit (the total always shows).
    pub first_group: usize,
    /// How many groups the last drawing had room for, so a step moves by a screenful.
    pub groups_shown: std::cell::Cell<usize>,
    /// How many rows the last drawing had room for, so scrolling stops with the last row
    /// at the bottom.
    pub rows_shown: std::cell::Cell<usize>,
    /// The store is still being read: the screen shows so at once and fills in after.
    pub loading: bool,
}

impl FollowUpScreen {
    /// Whether groups of the split follow those the last drawing showed (`l` shows them).
    pub fn groups_after(&self) -> bool {
        let groups = self.indicators.groups.len().saturating_sub(1);
        self.groups_shown.get() > 0 && self.first_group + self.groups_shown.get() < groups
    }
}

/// The screen as it opens, before the store is read: it says it is reading.
pub fn opening(today: NaiveDate, lang: Lang) -> FollowUpScreen {
    let period = PeriodChoice::LastYear;
    let indicators = compute(&FactBase::default(), period.period(today), By::None, today, lang);
    FollowUpScreen {
        indicators,
        period,
        by: By::None,
        table: 0,
        scroll: 0,
        first_group: 0,
        groups_shown: std::cell::Cell::new(0),
        rows_shown: std::cell::Cell::new(0),
        loading: true,
    }
}

/// Computes the figures from the store's follow-up cache (caught up with the changes since it
/// was last read; docs/follow-up.md).
pub fn read(store: &Store, s: &mut FollowUpScreen, today: NaiveDate, lang: Lang) -> Result<()> {
    s.indicators = follow_up(store, s.period.period(today), s.by, today, lang)?;
    s.loading = false;
    s.table = s.table.min(s.indicators.tables.len().saturating_sub(1));
    s.scroll = 0;
    s.first_group = 0;
    Ok(())
}

/// One row down, stopping when the table's last row is in view.
pub fn scroll_down(s: &mut FollowUpScreen) {
    let rows = s.indicators.tables.get(s.table).map_or(0, |t| t.rows.len());
    s.scroll = (s.scroll + 1).min(rows.saturating_sub(s.rows_shown.get().max(1)));
}

/// Shows the next (or previous) groups that did not fit beside the labels.
pub fn step_groups(s: &mut FollowUpScreen, forward: bool) {
    // The last group is the total, always shown.
    let groups = s.indicators.groups.len().saturating_sub(1);
    let step = s.groups_shown.get().max(1);
    s.first_group = if forward {
        if s.first_group + step < groups { s.first_group + step } else { s.first_group }
    } else {
        s.first_group.saturating_sub(step)
    };
}

/// Next period.
pub fn next_period(store: &Store, s: &mut FollowUpScreen, today: NaiveDate, lang: Lang) -> Result<()> {
    s.period = s.period.next();
    read(store, s, today, lang)
}

/// Next split.
pub fn next_split(store: &Store, s: &mut FollowUpScreen, today: NaiveDate, lang: Lang) -> Result<()> {
    s.by = match s.by {
        By::None => By::Office,
        By::Office => By::Coordinator,
        By::Coordinator => By::Gender,
        By::Gender => By::None,
    };
    read(store, s, today, lang)
}

/// Moves to the next (or previous) table.
pub fn step_table(s: &mut FollowUpScreen, forward: bool) {
    let n = s.indicators.tables.len().max(1);
    s.table = if forward { (s.table + 1) % n } else { (s.table + n - 1) % n };
    s.scroll = 0;
}

fn split_label(by: By, lang: Lang) -> &'static str {
    match (by, lang) {
        (By::None, Lang::Sv) => "ingen uppdelning",
        (By::None, Lang::En) => "no split",
        (By::Office, Lang::Sv) => "per frivårdskontor",
        (By::Office, Lang::En) => "by probation office",
        (By::Coordinator, Lang::Sv) => "per samordnare",
        (By::Coordinator, Lang::En) => "by coordinator",
        (By::Gender, Lang::Sv) => "per kön",
        (By::Gender, Lang::En) => "by gender",
    }
}

/// Draws the screen.
pub fn render(app: &App, s: &FollowUpScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    let charts = if area.height >= 20 { 8 } else { 0 };
    let [head, charts_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(charts), Constraint::Min(3)]).areas(area);
    if s.loading {
        let text = if lang == Lang::Sv { " Läser uppgifterna…" } else { " Reading the records…" };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.muted)), head);
        return;
    }
    let head_line = Line::from(vec![
        Span::styled(format!(" {} ", s.period.label(today, lang)), theme.header),
        Span::styled(format!("(p)  {} ", split_label(s.by, lang)), theme.muted),
        Span::styled("(s)", theme.muted),
    ]);
    frame.render_widget(Paragraph::new(head_line), head);
    if charts > 0 {
        render_charts(app, s, frame, charts_area);
    }
    let Some(table) = s.indicators.tables.get(s.table) else { return };
    // The total always shows; groups fill what width is left.
    // Labels get what the figure columns leave, between 34 and 48 columns.
    let col = 12u16;
    let figures = col * s.indicators.groups.len() as u16;
    let label_width = table_area.width.saturating_sub(2 + figures).clamp(34, 48);
    let room = usize::from(table_area.width.saturating_sub(label_width + 2) / col).max(1);
    let groups = &s.indicators.groups;
    let total = groups.len().saturating_sub(1);
    let first = s.first_group.min(total.saturating_sub(1));
    let mut shown: Vec<usize> = (first..total).take(room.saturating_sub(1)).collect();
    s.groups_shown.set(shown.len());
    shown.push(total);
    let widths: Vec<Constraint> =
        std::iter::once(Constraint::Length(label_width)).chain(shown.iter().map(|_| Constraint::Length(col))).collect();
    let cols = Columns::new(table_area, &widths);
    let header = cols
        .row(
            std::iter::once(Cell::from(""))
                .chain(shown.iter().map(|&g| {
                    // Every office is a probation office: its town says which, as in the client list.
                    let label = groups[g].label.as_str();
                    Cell::from(label.strip_prefix("Frivården ").unwrap_or(label))
                }))
                .collect(),
        )
        .style(theme.header);
    // Inside the borders, below the header.
    s.rows_shown.set(usize::from(table_area.height.saturating_sub(3)));
    let rows: Vec<Row> = table
        .rows
        .iter()
        .skip(s.scroll)
        .map(|r| {
            let indent = "  ".repeat(usize::from(r.depth));
            cols.row(
                std::iter::once(Cell::from(format!("{indent}{}", r.label)))
                    .chain(shown.iter().map(|&g| {
                        // Swedish writes a decimal comma (the CSV keeps the point for programs).
                        let v = r.display(g);
                        Cell::from(if lang == Lang::Sv { v.replace('.', ",") } else { v })
                    }))
                    .collect(),
            )
            .style(if r.depth == 0 { theme.base } else { theme.muted })
        })
        .collect();
    // Where groups are left out: which are shown, and that l and h page through them.
    let more = match (total > shown.len() - 1, lang) {
        (false, _) => String::new(),
        (true, _) if shown.len() == 1 => {
            format!(" · {total} {}", lang.pick("grupper får inte plats", "groups do not fit"))
        }
        (true, _) => {
            let (from, to) = (first + 1, first + shown.len() - 1);
            let range = if from == to { from.to_string() } else { format!("{from}–{to}") };
            format!(" · {} {range} {} {total} (h/l)", lang.pick("grupp", "groups"), lang.pick("av", "of"))
        }
    };
    let title = format!(" {}/{} {}{more} — {} ", s.table + 1, s.indicators.tables.len(), table.title, table.cohort);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title));
    frame.render_widget(Table::new(rows, widths).header(header).block(block), table_area);
}

fn render_charts(app: &App, s: &FollowUpScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let [left, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    if let Some(funnel) = s.indicators.series.iter().find(|x| x.id == "funnel") {
        let n = funnel.labels.len().max(1) as u16;
        let width = (left.width.saturating_sub(2) / n).saturating_sub(1).clamp(3, 10);
        let bars: Vec<Bar> = funnel
            .labels
            .iter()
            .zip(&funnel.values)
            .map(|(l, v)| {
                Bar::default()
                    .value(*v)
                    .text_value(v.to_string())
                    .label(Line::from(super::fit::cut(l.as_str().into(), usize::from(width)).into_owned()))
            })
            .collect();
        let chart = BarChart::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border)
                    .title(Span::styled(format!(" {} ", funnel.title), theme.title)),
            )
            .data(BarGroup::default().bars(&bars))
            .bar_width(width)
            .bar_gap(1)
            .bar_style(theme.ok)
            .value_style(theme.selected);
        frame.render_widget(chart, left);
    }
    if let Some(months) = s.indicators.series.iter().find(|x| x.id == "meetings_by_month") {
        let first = months.labels.first().cloned().unwrap_or_default();
        let last = months.labels.last().cloned().unwrap_or_default();
        let max = months.values.iter().max().copied().unwrap_or(0);
        // A narrow pane drops the months (the period line above names the period) rather
        // than show "2025-11" alone, which reads as one month.
        let room = usize::from(right.width.saturating_sub(2));
        let title = [
            format!(" {} {first}–{last} (max {max}) ", months.title),
            format!(" {} (max {max}) ", months.title),
            format!(" {} ", months.title),
        ]
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or_else(|| super::fit::cut(format!(" {} ", months.title).into(), room).into_owned());
        let spark = Sparkline::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border)
                    .title(Span::styled(title, theme.title)),
            )
            .data(&months.values)
            .style(theme.ok);
        frame.render_widget(spark, right);
    }
}
