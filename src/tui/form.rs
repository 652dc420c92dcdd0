//! An open form: which field has focus, the editor for multi-line text, pickers and the
//! questions a form asks (leave with changes? add an organisation outside the consent?).
//! Keys come here while a form is open; saving goes back to the app's write path.

use std::time::Instant;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::model::ClientFile;
use crate::domain::rules;
use crate::forms::{Choices, FieldError, Form, Input, options};
use crate::i18n::Lang;
use crate::store::rows::Choice;
use crate::store::{Result, Store};

/// A list to pick one or several values from, filtered by typing.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The field it fills.
    pub field: usize,
    /// Typed filter.
    pub filter: String,
    /// Selected row among the filtered options.
    pub selected: usize,
    /// Whether several values can be picked (Enter ticks or unticks, Esc or Tab closes).
    pub multi: bool,
}

/// A question the form is waiting for an answer to.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// Leaving a changed form: save, discard or keep the draft.
    Leave,
    /// The organisation is not covered by the client's consent: add anyway?
    OutsideConsent {
        /// The organisation's id.
        org_id: String,
        /// Its name.
        name: String,
    },
}

/// What the app should do after a key in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    /// Keep the form open.
    Stay,
    /// Try to save it.
    Save,
    /// Close it and forget its draft.
    Discard,
    /// Close it and keep its draft for later.
    KeepDraft,
}

/// A form on screen.
pub struct FormUi {
    /// The form's data.
    pub form: Form,
    /// Focused field.
    pub focus: usize,
    /// Editor of the focused multi-line field.
    pub editor: TextArea<'static>,
    /// Open picker.
    pub picker: Option<Picker>,
    /// Open question.
    pub prompt: Option<Prompt>,
    /// After a refused save every problem shows, not only the focused field's.
    pub show_errors: bool,
    /// Options of each picker field, loaded when the form opens.
    pub options: Vec<Vec<Choice>>,
    /// Whose form it is, for the title.
    pub client_name: Option<String>,
    /// The client's file, for the consent check on participants.
    pub file: Option<ClientFile>,
    /// When the form last changed and was not yet saved as a draft.
    pub unsaved_since: Option<Instant>,
    /// A problem only the store could find (another client has this personnummer), with
    /// the text it was found in: shown beside its field until that text changes.
    pub refused: Option<(FieldError, String)>,
}

impl FormUi {
    /// The form's problems, with one the store found while its field is unchanged.
    pub fn errors(&self, today: NaiveDate, lang: Lang) -> Vec<FieldError> {
        let mut errors = self.form.errors(today, lang);
        if let Some((e, text)) = &self.refused
            && self.form.values.get(e.field) == Some(text)
            && !errors.iter().any(|x| x.field == e.field)
        {
            errors.push(e.clone());
            errors.sort_by_key(|e| e.field);
        }
        errors
    }

    /// Opens a form, loading the options of its pickers.
    pub fn open(
        store: &Store,
        form: Form,
        client_name: Option<String>,
        file: Option<ClientFile>,
        lang: Lang,
    ) -> Result<FormUi> {
        let client = form.client_id.clone();
        let options = form
            .fields()
            .iter()
            .map(|f| match f.input {
                Input::One(c) | Input::Many(c, _) => options(store, c, client.as_deref(), lang),
                _ => Ok(Vec::new()),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut ui = FormUi {
            form,
            focus: 0,
            editor: TextArea::default(),
            picker: None,
            prompt: None,
            show_errors: false,
            options,
            client_name,
            file,
            unsaved_since: None,
            refused: None,
        };
        // A required choice with one possible answer (the client's only plan) is filled in.
        for (i, spec) in ui.form.fields().iter().enumerate() {
            if spec.required
                && matches!(spec.input, Input::One(_))
                && ui.form.values[i].is_empty()
                && let [only] = ui.options[i].as_slice()
            {
                ui.form.values[i] = only.value.clone();
                ui.form.original[i] = only.value.clone();
            }
        }
        ui.load_editor();
        Ok(ui)
    }

    fn is_long(&self, i: usize) -> bool {
        matches!(self.form.fields()[i].input, Input::Long(_))
    }

    /// Copies the editor's text into the focused field's value.
    pub fn sync_editor(&mut self) {
        if self.is_long(self.focus) {
            let text = self.editor.lines().join("\n");
            if self.form.values[self.focus] != text {
                self.form.values[self.focus] = text;
            }
        }
    }

    fn load_editor(&mut self) {
        if self.is_long(self.focus) {
            let lines: Vec<String> = self.form.values[self.focus].split('\n').map(str::to_owned).collect();
            self.editor = TextArea::new(lines);
            self.editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
            self.editor.move_cursor(ratatui_textarea::CursorMove::End);
        }
    }

    /// Moves focus to field `i`.
    pub fn focus_on(&mut self, i: usize) {
        self.sync_editor();
        self.focus = i.min(self.form.values.len() - 1);
        self.load_editor();
    }

    fn step(&mut self, forward: bool) {
        let n = self.form.values.len();
        let next = if forward { (self.focus + 1) % n } else { (self.focus + n - 1) % n };
        self.focus_on(next);
    }

    fn touched(&mut self) {
        self.unsaved_since = Some(Instant::now());
    }

    /// The labels of a picker field's value, joined.
    pub fn choice_text(&self, i: usize) -> String {
        self.form.values[i]
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| self.options[i].iter().find(|c| c.value == v).map(|c| c.label.as_str()).unwrap_or(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The options the open picker shows.
    pub fn filtered(&self) -> Vec<&Choice> {
        let Some(p) = &self.picker else { return Vec::new() };
        let needle = p.filter.to_lowercase();
        self.options[p.field].iter().filter(|c| c.label.to_lowercase().contains(&needle)).collect()
    }

    fn open_picker(&mut self, first: Option<char>) {
        let multi = matches!(self.form.fields()[self.focus].input, Input::Many(..));
        let current = self.form.values[self.focus].clone();
        let mut picker =
            Picker { field: self.focus, filter: first.map(String::from).unwrap_or_default(), selected: 0, multi };
        if first.is_none() && !multi {
            picker.selected = self.options[self.focus].iter().position(|c| c.value == current).unwrap_or(0);
        }
        self.picker = Some(picker);
    }

    /// Handles a key; the app acts on the outcome.
    pub fn key(&mut self, key: KeyEvent, today: NaiveDate) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(prompt) = self.prompt.clone() {
            return self.prompt_key(prompt, key);
        }
        if self.picker.is_some() {
            self.picker_key(key, today);
            return FormOutcome::Stay;
        }
        match key.code {
            KeyCode::Char('s') if ctrl => {
                self.sync_editor();
                return FormOutcome::Save;
            }
            KeyCode::Esc => {
                self.sync_editor();
                if self.form.is_dirty() {
                    self.prompt = Some(Prompt::Leave);
                    return FormOutcome::Stay;
                }
                return FormOutcome::Discard;
            }
            KeyCode::Tab => self.step(true),
            KeyCode::BackTab => self.step(false),
            _ if self.is_long(self.focus) => self.long_key(key),
            KeyCode::Down => self.step(true),
            KeyCode::Up => self.step(false),
            _ => self.field_key(key),
        }
        FormOutcome::Stay
    }

    fn long_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('t') && self.form.kind == crate::forms::FormKind::Minutes {
            // The line under the cursor becomes an action item: one key while minuting.
            let row = self.editor.cursor().0;
            let mut lines: Vec<String> = self.editor.lines().to_vec();
            let line = lines.get(row).map(|l| crate::forms::clean_text(l)).unwrap_or_default();
            if !line.is_empty() {
                self.form.actions.push(line);
                lines.remove(row);
                // Writing goes on where the line was, on an empty line.
                lines.insert(row.min(lines.len()), String::new());
                self.form.values[self.focus] = lines.join("\n");
                self.load_editor();
                let row = u16::try_from(row).unwrap_or(u16::MAX);
                self.editor.move_cursor(ratatui_textarea::CursorMove::Jump(row, 0));
                self.touched();
            }
            return;
        }
        if self.editor.input(key) {
            self.sync_editor();
            self.touched();
        }
    }

    fn field_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let spec = self.form.fields()[self.focus];
        let value = &mut self.form.values[self.focus];
        match (spec.input, key.code) {
            (Input::Bool, KeyCode::Char(' ') | KeyCode::Enter) => {
                *value = if value == "1" { String::new() } else { "1".to_owned() };
            }
            (Input::Bool, KeyCode::Char('j' | 'y' | 'J' | 'Y')) => *value = "1".to_owned(),
            (Input::Bool, KeyCode::Char('n' | 'N')) => value.clear(),
            (Input::One(_) | Input::Many(..), KeyCode::Enter | KeyCode::Char(' ')) => {
                self.open_picker(None);
                return;
            }
            (Input::One(_), KeyCode::Backspace | KeyCode::Delete) => value.clear(),
            (Input::One(_) | Input::Many(..), KeyCode::Char(c)) if !ctrl => {
                self.open_picker(Some(c));
                return;
            }
            (_, KeyCode::Enter) => {
                self.step(true);
                return;
            }
            (_, KeyCode::Char('u')) if ctrl => value.clear(),
            (Input::Bool | Input::One(_) | Input::Many(..), _) => return,
            (_, KeyCode::Backspace) => {
                value.pop();
            }
            (_, KeyCode::Char(c)) if !ctrl && !c.is_control() => value.push(c),
            _ => return,
        }
        self.touched();
    }

    fn picker_key(&mut self, key: KeyEvent, today: NaiveDate) {
        let count = self.filtered().len();
        let Some(p) = &mut self.picker else { return };
        match key.code {
            KeyCode::Esc | KeyCode::Tab => self.picker = None,
            KeyCode::Down => p.selected = (p.selected + 1).min(count.saturating_sub(1)),
            KeyCode::Up => p.selected = p.selected.saturating_sub(1),
            KeyCode::Backspace => {
                p.filter.pop();
                p.selected = 0;
            }
            // Names hold spaces, so Space types; Enter ticks or unticks, Esc or Tab closes.
            KeyCode::Enter if p.multi => self.toggle_selected(today),
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                p.filter.clear();
                p.selected = 0;
            }
            KeyCode::Enter => {
                let (field, selected) = (p.field, p.selected);
                let chosen = self.filtered().get(selected).map(|c| c.value.clone());
                if let Some(v) = chosen {
                    self.form.values[field] = v;
                    self.touched();
                }
                self.picker = None;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                p.filter.push(c);
                p.selected = 0;
            }
            _ => {}
        }
    }

    /// Enter in a multi-picker: adds or removes the selected option. Adding a meeting
    /// participant the client's consent does not cover asks first (product.md item 7).
    fn toggle_selected(&mut self, today: NaiveDate) {
        let Some(p) = &self.picker else { return };
        let field = p.field;
        let Some(choice) = self.filtered().get(p.selected).map(|c| (*c).clone()) else { return };
        let mut values: Vec<String> =
            self.form.values[field].split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect();
        if let Some(pos) = values.iter().position(|v| *v == choice.value) {
            values.remove(pos);
        } else {
            let asks = self.form.fields()[field].key == "participants"
                && matches!(self.form.fields()[field].input, Input::Many(Choices::Orgs(_), _))
                && self.file.as_ref().is_some_and(|f| !rules::consent_covers(f, &choice.value, today));
            if asks {
                self.prompt = Some(Prompt::OutsideConsent { org_id: choice.value, name: choice.label });
                return;
            }
            values.push(choice.value);
        }
        self.form.values[field] = values.join(",");
        self.touched();
    }

    fn prompt_key(&mut self, prompt: Prompt, key: KeyEvent) -> FormOutcome {
        let yes = matches!(key.code, KeyCode::Char('j' | 'y' | 'J' | 'Y') | KeyCode::Enter);
        self.prompt = None;
        match prompt {
            Prompt::Leave => match key.code {
                KeyCode::Char('s' | 'S') => FormOutcome::Save,
                KeyCode::Char('d' | 'D') => FormOutcome::Discard,
                KeyCode::Char('k' | 'K' | 'b' | 'B') => FormOutcome::KeepDraft,
                _ => FormOutcome::Stay,
            },
            Prompt::OutsideConsent { org_id, .. } => {
                if yes {
                    let field = self.picker.as_ref().map(|p| p.field).unwrap_or(self.focus);
                    let value = &mut self.form.values[field];
                    if !value.is_empty() {
                        value.push(',');
                    }
                    value.push_str(&org_id);
                    self.touched();
                }
                FormOutcome::Stay
            }
        }
    }
}

impl std::fmt::Debug for FormUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormUi").field("form", &self.form).field("focus", &self.focus).finish_non_exhaustive()
    }
}
