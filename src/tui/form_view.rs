//! Draws an open form: one row per field (label, what was typed, what a date resolves to,
//! and the problem if any), the editor of a multi-line field, a picker or a question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::App;
use super::form::{FormUi, Prompt};
use crate::forms::{FormKind, Input};
use crate::i18n::Lang;

/// Rows the multi-line editor gets when a long field has focus.
const EDITOR_ROWS: u16 = 6;

/// The key hint at the bottom of the form, for what has focus.
fn hint(ui: &FormUi, lang: Lang) -> &'static str {
    if let Some(p) = &ui.picker {
        return if p.multi {
            lang.pick(
                "skriv för att söka · Enter kryssa i/ur · Esc klar",
                "type to search · Enter tick/untick · Esc done",
            )
        } else {
            lang.pick(
                "skriv för att söka · ↑↓ · Enter välj · Esc avbryt",
                "type to search · ↑↓ · Enter pick · Esc cancel",
            )
        };
    }
    match ui.form.fields()[ui.focus].input {
        Input::Long(_) if ui.form.kind == crate::forms::FormKind::Minutes => lang.pick(
            "Ctrl-t rad → åtgärd · Tab nästa · Ctrl-s spara · Esc stäng",
            "Ctrl-t line → action · Tab next · Ctrl-s save · Esc close",
        ),
        Input::Long(_) => lang.pick(
            "Enter ny rad · Tab nästa fält · Ctrl-s spara · Esc stäng",
            "Enter new line · Tab next field · Ctrl-s save · Esc close",
        ),
        Input::Bool => lang.pick(
            "Mellanslag ja/nej · Tab nästa · Ctrl-s spara · Esc stäng",
            "Space yes/no · Tab next · Ctrl-s save · Esc close",
        ),
        Input::One(_) | Input::Many(..) => lang.pick(
            "Enter välj i listan · Tab nästa · Ctrl-s spara · Esc stäng",
            "Enter pick from list · Tab next · Ctrl-s save · Esc close",
        ),
        Input::Date => lang.pick(
            "t.ex. 2026-12-01, +14d, fre, idag · Ctrl-s spara",
            "e.g. 2026-12-01, +14d, fri, today · Ctrl-s save",
        ),
        Input::DateTime => {
            lang.pick("dag och tid, t.ex. fre 10:00 · Ctrl-s spara", "day and time, e.g. fri 10:00 · Ctrl-s save")
        }
        _ => lang.pick("Tab/↓ nästa · Ctrl-s spara · Esc stäng", "Tab/↓ next · Ctrl-s save · Esc close"),
    }
}

/// Draws the form over `area`.
pub fn render_form(app: &App, ui: &FormUi, frame: &mut Frame, area: Rect) {
    let theme = &app.opts.theme;
    let lang = app.opts.lang;
    let today = app.opts.today;
    // Narrow terminals give the form the whole width, so the screen behind does not peek through.
    let width = if area.width <= 100 { area.width } else { 100 };
    // Tall terminals get a form as tall as its fields plus room for the editor and messages.
    let wanted = ui.form.fields().len() as u16 + EDITOR_ROWS + 10;
    let height = area.height.saturating_sub(2).min(wanted.max(20));
    let rect = Rect { x: area.x + (area.width - width) / 2, y: area.y + 1, width, height };
    frame.render_widget(Clear, rect);
    // A status change is a form of its own, named by what it does, never "new".
    let mut title = match (ui.form.kind, ui.form.target.is_some()) {
        (FormKind::NeedStatus, _) => format!(" {} ", ui.form.kind.title(lang)),
        (kind, true) => format!(" {}: {} ", lang.pick("Ändra", "Edit"), kind.title(lang)),
        (kind, false) => format!(" {}: {} ", lang.pick("Ny", "New"), kind.title(lang)),
    };
    if let Some(name) = &ui.client_name {
        title.push_str(&format!("· {name} "));
    }
    let outer = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title))
        .title_bottom(Span::styled(format!(" {} ", hint(ui, lang)), theme.muted));
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);

    let long_focus = matches!(ui.form.fields()[ui.focus].input, Input::Long(_));
    let editor_rows = if long_focus { EDITOR_ROWS.min(inner.height / 2) } else { 0 };
    let action_rows = ui.form.actions.len().min(4) as u16;
    let [fields_area, editor_area, actions_area, message_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(editor_rows),
        Constraint::Length(action_rows),
        Constraint::Length(2),
    ])
    .areas(inner);

    let errors = ui.errors(today, lang);
    let label_width = if inner.width < 70 { 22 } else { 31 };
    let rows = usize::from(fields_area.height).max(1);
    let skip = ui.focus.saturating_sub(rows - 1);
    let mut lines = Vec::new();
    for (i, spec) in ui.form.fields().iter().enumerate().skip(skip).take(rows) {
        let focused = i == ui.focus;
        let raw = &ui.form.values[i];
        let shown = match spec.input {
            Input::Bool => if raw == "1" { "[x]" } else { "[ ]" }.to_owned(),
            Input::One(_) | Input::Many(..) => {
                let text = ui.choice_text(i);
                if text.is_empty() { "–".to_owned() } else { text }
            }
            Input::Long(_) => {
                let mut it = raw.lines();
                let first = it.next().unwrap_or_default().to_owned();
                let more = it.count();
                if more > 0 { format!("{first} (+{more})") } else { first }
            }
            _ => raw.clone(),
        };
        let mark = if spec.required { "*" } else { " " };
        let label = super::fit::cut(format!("{mark}{}", spec.label(lang)).into(), label_width - 1);
        let mut spans = vec![
            Span::styled(if focused { "› " } else { "  " }, theme.footer_key),
            Span::styled(format!("{label:<label_width$}"), if focused { theme.header } else { theme.muted }),
            Span::styled(shown, if focused { theme.selected } else { theme.base }),
        ];
        if focused && !matches!(spec.input, Input::Long(_) | Input::Bool | Input::One(_) | Input::Many(..)) {
            spans.push(Span::styled("▏", theme.footer_key));
        }
        if let Some(resolved) = ui.form.resolved(i, today, lang) {
            spans.push(Span::styled(format!("  → {resolved}"), theme.ok));
        }
        let error = errors.iter().find(|e| e.field == i);
        if let Some(e) = error.filter(|_| ui.show_errors || (focused && !raw.trim().is_empty())) {
            let problem = e.message.split_once(": ").map(|(_, p)| p).unwrap_or(&e.message);
            // Cut to the line with "…": the whole message is in the status line too.
            let used: usize = spans.iter().map(Span::width).sum();
            let room = usize::from(fields_area.width).saturating_sub(used);
            spans.push(Span::styled(super::fit::cut(format!("  ✗ {problem}").into(), room).into_owned(), theme.error));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), fields_area);

    if editor_rows > 0 {
        let block = Block::default().borders(Borders::TOP).border_style(theme.border);
        let area = block.inner(editor_area);
        frame.render_widget(block, editor_area);
        frame.render_widget(&ui.editor, area);
    }
    if action_rows > 0 {
        let label = lang.pick("→ Åtgärd: ", "→ Action: ");
        let lines: Vec<Line> = ui
            .form
            .actions
            .iter()
            .rev()
            .take(4)
            .rev()
            .map(|a| Line::from(vec![Span::styled(label, theme.ok), Span::raw(a.clone())]))
            .collect();
        frame.render_widget(Paragraph::new(lines), actions_area);
    }
    let message = match &ui.prompt {
        Some(Prompt::Leave) => Span::styled(
            lang.pick(
                "Formuläret är ändrat: s spara · d kasta · k behåll som utkast · Esc fortsätt",
                "The form has changes: s save · d discard · k keep as draft · Esc go on",
            ),
            theme.warning,
        ),
        Some(Prompt::OutsideConsent { name, .. }) => Span::styled(
            match lang {
                Lang::Sv => format!("{name} omfattas inte av klientens samtycke. Lägg till ändå? j/n"),
                Lang::En => format!("{name} is not covered by the client's consent. Add anyway? y/n"),
            },
            theme.warning,
        ),
        // The field's line cuts its problem to fit: the focused field's is given whole here.
        None => {
            let focused = errors
                .iter()
                .find(|e| e.field == ui.focus)
                .filter(|_| ui.show_errors || !ui.form.values[ui.focus].trim().is_empty());
            match (ui.show_errors, errors.first()) {
                (true, Some(first)) => {
                    let shown = &focused.unwrap_or(first).message;
                    Span::styled(
                        match lang {
                            Lang::Sv => format!("{} fel att rätta innan det kan sparas: {shown}", errors.len()),
                            Lang::En => format!("{} problem(s) to fix before saving: {shown}", errors.len()),
                        },
                        theme.error,
                    )
                }
                _ => focused.map_or_else(|| Span::raw(""), |e| Span::styled(e.message.clone(), theme.error)),
            }
        }
    };
    frame.render_widget(Paragraph::new(Line::from(message)).wrap(ratatui::widgets::Wrap { trim: true }), message_area);

    if let Some(p) = &ui.picker {
        render_picker(app, ui, p.field, frame, rect);
    }
}

fn render_picker(app: &App, ui: &FormUi, field: usize, frame: &mut Frame, form: Rect) {
    let theme = &app.opts.theme;
    let Some(p) = &ui.picker else { return };
    let options = ui.filtered();
    let height = (options.len() as u16 + 3).clamp(5, form.height.saturating_sub(2));
    let width = form.width.saturating_sub(8).min(60);
    let rect = Rect { x: form.x + form.width.saturating_sub(width) - 2, y: form.y + 1, width, height };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {} ", ui.form.fields()[field].label(app.opts.lang)), theme.title));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", theme.footer_key),
            Span::raw(p.filter.clone()),
            Span::raw("▏"),
        ])),
        input,
    );
    let rows = usize::from(list.height).max(1);
    let skip = p.selected.saturating_sub(rows - 1);
    let chosen: Vec<&str> = ui.form.values[field].split(',').map(str::trim).collect();
    if ui.options[field].is_empty() {
        let text = match (ui.form.fields()[field].input, app.opts.lang) {
            (Input::One(crate::forms::Choices::Plans), Lang::Sv) => {
                "Klienten har ingen plan ännu: Esc, och lägg till en plan först"
            }
            (Input::One(crate::forms::Choices::Plans), Lang::En) => {
                "The client has no plan yet: Esc, and add a plan first"
            }
            (_, Lang::Sv) => "Inget att välja här ännu",
            (_, Lang::En) => "Nothing to choose here yet",
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.warning)).wrap(ratatui::widgets::Wrap { trim: true }),
            list,
        );
        return;
    }
    let lines: Vec<Line> = options
        .iter()
        .enumerate()
        .skip(skip)
        .take(rows)
        .map(|(i, c)| {
            let pointer = if i == p.selected { "› " } else { "  " };
            let mark = if p.multi { if chosen.contains(&c.value.as_str()) { "[x] " } else { "[ ] " } } else { "" };
            Line::from(format!("{pointer}{mark}{}", c.label)).style(if i == p.selected {
                theme.selected
            } else {
                theme.base
            })
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
