//! How the app changes data: opening forms, saving them through the store's single write
//! path, drafts of open forms, confirmations, the one-key fast paths and undo.

use chrono::Local;
use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, DRAFT_PAUSE, Overlay, Screen, Tab, tab_items};
use super::form::{FormOutcome, FormUi};
use crate::domain::enums::ActionStatus;
use crate::forms::{Form, FormKind};
use crate::i18n::Lang;
use crate::store::{ChangeSet, Result, Store};

/// Forms the workspace's Add offers where a tab has more than one kind of row.
const CLIENT_FORMS: &[FormKind] = &[
    FormKind::Sentence,
    FormKind::Enrolment,
    FormKind::Risk,
    FormKind::Consent,
    FormKind::Need,
    FormKind::Intervention,
    FormKind::Plan,
    FormKind::Goal,
    FormKind::Meeting,
    FormKind::ActionItem,
    FormKind::Event,
    FormKind::Note,
    FormKind::Outcome,
];

/// Saves the form as a draft (replica-local, encrypted with the store).
fn save_draft(store: &mut Store, ui: &mut FormUi) -> Result<()> {
    ui.sync_editor();
    let kind = serde_json::to_value(ui.form.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let payload = serde_json::to_string(&ui.form).unwrap_or_default();
    store.save_draft(&ui.form.draft_id, &kind, ui.form.target.as_deref(), &payload)?;
    ui.unsaved_since = None;
    Ok(())
}

/// The workspace tab where a form's rows show.
fn tab_of(kind: FormKind) -> Tab {
    match kind {
        FormKind::Need | FormKind::NeedStatus => Tab::Needs,
        FormKind::Intervention => Tab::Interventions,
        FormKind::Plan | FormKind::Goal => Tab::Plan,
        FormKind::Meeting | FormKind::Minutes | FormKind::ActionItem => Tab::Meetings,
        FormKind::Consent => Tab::Consent,
        FormKind::Note | FormKind::Event => Tab::Notes,
        _ => Tab::Overview,
    }
}

impl App {
    /// Writes a change through the store's write path and remembers how to undo it.
    pub fn write(&mut self, changes: &ChangeSet, description: String) -> Result<()> {
        let inverse = self.store.inverse(changes)?;
        let author = crate::store::audit::current_user();
        self.store.apply(&author, changes)?;
        self.undo.push((inverse, description.clone()));
        self.refresh()?;
        self.status = Some(description);
        Ok(())
    }

    /// Undoes the newest change of this session with a new change, so the undo syncs too.
    pub(super) fn undo_last(&mut self) -> Result<()> {
        let lang = self.opts.lang;
        let Some((changes, description)) = self.undo.pop() else {
            self.status = Some(
                lang.pick("Inget att ångra sedan sluss startade", "Nothing to undo since sluss started").to_owned(),
            );
            return Ok(());
        };
        let author = crate::store::audit::current_user();
        self.store.apply(&author, &changes)?;
        self.refresh()?;
        self.status = Some(match lang {
            Lang::Sv => format!("Ångrade ”{description}”"),
            Lang::En => format!("Undid “{description}”"),
        });
        Ok(())
    }

    /// The client forms are about: the open workspace's, else the one opened last.
    pub(super) fn form_client(&self) -> Option<(String, String)> {
        match &self.screen {
            Screen::Workspace(w) => Some((w.row.id.clone(), w.row.display_name())),
            _ => self.current_client.clone(),
        }
    }

    /// Opens a form: `target` edits that row, `parent` is the row a new one hangs under.
    pub fn open_form(&mut self, kind: FormKind, target: Option<&str>, parent: Option<String>) -> Result<()> {
        let lang = self.opts.lang;
        let client = if kind.needs_client() { self.form_client() } else { None };
        if kind.needs_client() && client.is_none() {
            self.status = Some(
                lang.pick(
                    "Öppna en klient först (8 Klienter eller Ctrl-k)",
                    "Open a client first (8 Clients or Ctrl-k)",
                )
                .to_owned(),
            );
            return Ok(());
        }
        let client_id = client.as_ref().map(|c| c.0.clone());
        self.log_client_form_reveal(kind, target)?;
        let mut form = match target {
            Some(id) => match Form::edit(&self.store, kind, id, client_id)? {
                Some(form) => form,
                None => return Ok(()),
            },
            None => Form::new(kind, client_id, parent.clone(), lang),
        };
        if let (FormKind::Contact, Some(org)) = (kind, &parent) {
            form.values[0] = org.clone();
        }
        let name = match kind {
            FormKind::Client => target.and_then(|_| self.form_client().map(|c| c.1)),
            _ => client.as_ref().map(|c| c.1.clone()),
        };
        let file = match &client {
            Some((id, _)) => self.store.client_file(id)?,
            None => None,
        };
        let ui = FormUi::open(&self.store, form, name, file, lang)?;
        self.overlay = Some(Overlay::Form(Box::new(ui)));
        Ok(())
    }

    /// The client form shows the full personnummer, and a protected client's real name and
    /// municipality: opening it on a client (or a draft of it) is a reveal, logged like the
    /// reveal key.
    fn log_client_form_reveal(&mut self, kind: FormKind, target: Option<&str>) -> Result<()> {
        if let (FormKind::Client, Some(id)) = (kind, target)
            && let Some(row) = self.store.client_row(id)?
            && (row.protected || row.id_number.is_some())
        {
            self.log_reveal(&row, crate::i18n::audit_detail::SHOWN_IN_FORM)?;
        }
        Ok(())
    }

    /// Keys while a form is open.
    pub(super) fn form_key(&mut self, key: KeyEvent) -> Result<()> {
        let today = self.opts.today;
        let lang = self.opts.lang;
        let Some(Overlay::Form(ui)) = &mut self.overlay else { return Ok(()) };
        match ui.key(key, today) {
            FormOutcome::Stay => {}
            FormOutcome::Save => return self.save_form(),
            FormOutcome::Discard => {
                let draft = ui.form.draft_id.clone();
                self.overlay = None;
                self.store.delete_draft(&draft)?;
            }
            FormOutcome::KeepDraft => {
                save_draft(&mut self.store, ui)?;
                self.overlay = None;
                self.status = Some(
                    lang.pick(
                        "Utkastet är sparat och erbjuds nästa gång sluss startar",
                        "The draft is kept and offered the next time sluss starts",
                    )
                    .to_owned(),
                );
            }
        }
        Ok(())
    }

    /// Saves the open form, or shows what must be fixed; the form stays open until it is saved.
    fn save_form(&mut self) -> Result<()> {
        let (today, lang) = (self.opts.today, self.opts.lang);
        let Some(Overlay::Form(mut ui)) = self.overlay.take() else { return Ok(()) };
        let author = crate::store::audit::current_user();
        let mut result = ui.form.changeset(&author, Local::now().naive_local(), today, lang);
        if result.is_ok()
            && let Some(problem) = self.duplicate_id_number(&ui.form)?
        {
            ui.refused = Some((problem.clone(), ui.form.values[problem.field].clone()));
            result = Err(vec![problem]);
        }
        match result {
            Err(errors) => {
                ui.show_errors = true;
                ui.focus_on(errors[0].field);
                self.status = Some(errors[0].message.clone());
                self.overlay = Some(Overlay::Form(ui));
            }
            Ok((changes, row_id)) => {
                let verb = if ui.form.target.is_some() {
                    lang.pick("Ändrat: ", "Changed: ").to_owned()
                } else {
                    lang.pick("Sparat: ", "Saved: ").to_owned()
                };
                let description = format!("{verb}{}", ui.form.kind.title(lang).to_lowercase());
                if !changes.is_empty()
                    && let Err(e) = self.write(&changes, description)
                {
                    // Nothing typed is lost: the form comes back with the error.
                    self.overlay = Some(Overlay::Form(ui));
                    return Err(e);
                }
                self.store.delete_draft(&ui.form.draft_id)?;
                if let Some(target) = &ui.form.target {
                    self.store.delete_drafts_for(target)?;
                }
                if ui.form.kind == FormKind::Client && ui.form.target.is_none() {
                    self.open_client(&row_id, Tab::Overview)?;
                }
            }
        }
        Ok(())
    }

    /// A client form whose identity number another client already has: refused, without
    /// naming the other client (the number may belong to a protected identity).
    fn duplicate_id_number(&self, form: &Form) -> Result<Option<crate::forms::FieldError>> {
        let Some(i) = form.fields().iter().position(|f| f.key == "id_number") else { return Ok(None) };
        if form.kind != FormKind::Client {
            return Ok(None);
        }
        let Ok(serde_json::Value::String(digits)) = form.parse_field(i, self.opts.today, self.opts.lang) else {
            return Ok(None);
        };
        Ok(self.store.client_with_id_number(&digits, form.target.as_deref())?.map(|_| crate::forms::FieldError {
            field: i,
            message: match self.opts.lang {
                Lang::Sv => format!(
                    "{}: en annan klient har redan detta nummer; sök på det med Ctrl-k",
                    form.fields()[i].label(Lang::Sv)
                ),
                Lang::En => format!(
                    "{}: another client already has this number; search for it with Ctrl-k",
                    form.fields()[i].label(Lang::En)
                ),
            },
        }))
    }

    /// What happens while no key comes: the idle lock, a queued export or import, and the
    /// open form's draft once typing has paused. True when the screen must be drawn again.
    pub fn tick(&mut self) -> Result<bool> {
        self.tick_with_progress(&mut |_| {})
    }

    /// [`App::tick`], handing a long job's progress (a line of text) to `progress` as it goes.
    pub fn tick_with_progress(&mut self, progress: &mut dyn FnMut(&str)) -> Result<bool> {
        let locked = self.lock.is_some();
        let mut queued = self.pending.is_some();
        if let Screen::FollowUp(s) = &mut self.screen
            && s.loading
        {
            super::follow_up::read(&self.store, s, self.opts.today, self.opts.lang)?;
            queued = true;
        }
        self.check_idle();
        self.run_pending(progress)?;
        if let Some(Overlay::Form(ui)) = &mut self.overlay
            && ui.unsaved_since.is_some_and(|t| t.elapsed() >= DRAFT_PAUSE)
        {
            save_draft(&mut self.store, ui)?;
        }
        Ok(locked != self.lock.is_some() || queued)
    }

    /// Whether work waits that should run as soon as the screen has said it is coming.
    pub fn busy(&self) -> bool {
        self.pending.is_some() || matches!(&self.screen, Screen::FollowUp(s) if s.loading)
    }

    /// Saves an open form's draft now (on quitting or a signal).
    pub fn keep_open_form(&mut self) -> Result<()> {
        match &mut self.overlay {
            Some(Overlay::Form(ui)) if ui.form.is_dirty() => save_draft(&mut self.store, ui),
            _ => Ok(()),
        }
    }

    /// Marks an action item done (one key on a list of action items).
    pub(super) fn mark_done(&mut self, id: &str, text: &str) -> Result<()> {
        let mut changes = ChangeSet::new();
        changes
            .update("action_item", id)
            .set("status", ActionStatus::Klar.code())
            .set("done_on", self.opts.today.to_string());
        let short: String = text.chars().take(40).collect();
        self.write(&changes, format!("{}{short}", self.opts.lang.pick("Klar: ", "Done: ").to_owned()))
    }

    /// The workspace's keys that change data, on the selected row of the tab.
    pub(super) fn workspace_edit(&mut self, action: super::action::Action) -> Result<()> {
        use super::action::Action;
        let lang = self.opts.lang;
        let Screen::Workspace(w) = &self.screen else { return Ok(()) };
        let items = tab_items(w);
        let item = items.get(w.cursor.min(items.len().saturating_sub(1))).cloned();
        let tab = w.tab;
        // The meeting a selected action item belongs to, for minutes and new action items.
        let meeting = match &item {
            Some(i) if i.kind == FormKind::Meeting => Some(i.id.clone()),
            Some(i) if i.kind == FormKind::ActionItem => {
                w.details.meetings.iter().find(|m| m.actions.iter().any(|a| a.0 == i.id)).map(|m| m.id.clone())
            }
            _ => None,
        };
        match action {
            Action::Open | Action::Edit => match item {
                Some(i) => self.open_form(i.kind, Some(&i.id), None)?,
                None => {
                    self.status =
                        Some(lang.pick("Inget att ändra här: a lägger till", "Nothing to edit here: a adds").to_owned())
                }
            },
            Action::Add => {
                let kinds: Vec<FormKind> = match tab {
                    Tab::Needs => vec![FormKind::Need],
                    Tab::Interventions => vec![FormKind::Intervention],
                    Tab::Plan => vec![FormKind::Plan, FormKind::Goal],
                    Tab::Meetings => vec![FormKind::Meeting, FormKind::ActionItem],
                    Tab::Consent => vec![FormKind::Consent],
                    Tab::Notes => vec![FormKind::Note, FormKind::Event],
                    Tab::Overview | Tab::History => CLIENT_FORMS.to_vec(),
                };
                if kinds.len() == 1 {
                    self.open_form(kinds[0], None, None)?;
                } else {
                    self.overlay = Some(Overlay::Choose { kinds, selected: 0 });
                }
            }
            Action::Delete => match item {
                Some(i) if i.kind == FormKind::Client => {
                    self.status = Some(
                        lang.pick(
                            "En klient raderas inte: skriv datum i ”Ärendet avslutat” (e)",
                            "A client is not deleted: set \"Case closed on\" instead (e)",
                        )
                        .to_owned(),
                    );
                }
                Some(i) => {
                    let title = i.kind.title(lang).to_lowercase();
                    let mut changes = ChangeSet::new();
                    changes.delete(i.kind.entity(), &i.id);
                    self.overlay = Some(Overlay::Confirm {
                        message: match lang {
                            Lang::Sv => format!(
                                "Radera {} {title}? Det går att ångra med u. j/n",
                                if i.kind.neuter_sv() { "markerat" } else { "markerad" }
                            ),
                            Lang::En => format!("Delete the selected {title}? u undoes it. y/n"),
                        },
                        changes,
                        description: format!("{}{title}", lang.pick("Raderat: ", "Deleted: ").to_owned()),
                    });
                }
                None => {}
            },
            Action::NeedStatus => match item {
                Some(i) if i.kind == FormKind::Need => self.open_form(FormKind::NeedStatus, None, Some(i.id))?,
                _ => {
                    self.status = Some(
                        lang.pick("Markera ett behov på fliken Behov först", "Select a need on the Needs tab first")
                            .to_owned(),
                    )
                }
            },
            Action::Minutes => match meeting {
                Some(m) => self.open_form(FormKind::Minutes, None, Some(m))?,
                None => {
                    self.status = Some(
                        lang.pick(
                            "Markera ett möte på fliken Möten först",
                            "Select a meeting on the Meetings tab first",
                        )
                        .to_owned(),
                    )
                }
            },
            Action::NewActionItem => self.open_form(FormKind::ActionItem, None, meeting)?,
            Action::ActionDone => match item {
                Some(i) if i.kind == FormKind::ActionItem => {
                    let text = w
                        .details
                        .meetings
                        .iter()
                        .flat_map(|m| m.actions.iter())
                        .find(|a| a.0 == i.id)
                        .map(|a| a.1.clone())
                        .unwrap_or_default();
                    self.mark_done(&i.id, &text)?;
                }
                _ => self.status = Some(lang.pick("Markera en åtgärd först", "Select an action item first").to_owned()),
            },
            _ => {}
        }
        Ok(())
    }

    /// Keys of the small questions: confirm a delete, choose what to add, restore a draft.
    pub(super) fn question_key(&mut self, key: KeyEvent) -> Result<()> {
        let lang = self.opts.lang;
        let Some(overlay) = self.overlay.take() else { return Ok(()) };
        match overlay {
            Overlay::Confirm { message, changes, description } => {
                if matches!(key.code, KeyCode::Char('j' | 'y' | 'J' | 'Y')) {
                    self.write(&changes, description)?;
                } else if !matches!(key.code, KeyCode::Char('n' | 'N') | KeyCode::Esc) {
                    self.overlay = Some(Overlay::Confirm { message, changes, description });
                }
            }
            Overlay::Choose { kinds, mut selected } => match key.code {
                KeyCode::Down => {
                    self.overlay = Some(Overlay::Choose { selected: (selected + 1).min(kinds.len() - 1), kinds })
                }
                KeyCode::Up => self.overlay = Some(Overlay::Choose { selected: selected.saturating_sub(1), kinds }),
                KeyCode::Enter => {
                    let kind = kinds[selected];
                    let parent = match (&self.screen, kind) {
                        (Screen::Directory(d), FormKind::Contact) => d.orgs.get(d.pager.selected).map(|o| o.id.clone()),
                        _ => None,
                    };
                    self.open_form(kind, None, parent)?;
                }
                KeyCode::Esc => {}
                KeyCode::Char(c) => {
                    // The first letter of a title picks it: quicker than arrows in a long list.
                    let c = c.to_lowercase().next().unwrap_or(c);
                    if let Some(i) = kinds.iter().position(|k| k.title(lang).to_lowercase().starts_with(c)) {
                        selected = i;
                    }
                    self.overlay = Some(Overlay::Choose { kinds, selected });
                }
                _ => self.overlay = Some(Overlay::Choose { kinds, selected }),
            },
            Overlay::Drafts { mut drafts, selected } => match key.code {
                KeyCode::Down => {
                    self.overlay = Some(Overlay::Drafts { selected: (selected + 1).min(drafts.len() - 1), drafts })
                }
                KeyCode::Up => self.overlay = Some(Overlay::Drafts { selected: selected.saturating_sub(1), drafts }),
                KeyCode::Enter => self.restore_draft(&drafts[selected].0)?,
                KeyCode::Char('d' | 'D') => {
                    self.store.delete_draft(&drafts[selected].0.id)?;
                    drafts.remove(selected);
                    if !drafts.is_empty() {
                        self.overlay = Some(Overlay::Drafts { selected: selected.min(drafts.len() - 1), drafts });
                    }
                }
                KeyCode::Esc => {}
                _ => self.overlay = Some(Overlay::Drafts { drafts, selected }),
            },
            other => self.overlay = Some(other),
        }
        Ok(())
    }

    fn restore_draft(&mut self, draft: &crate::store::rows::Draft) -> Result<()> {
        let lang = self.opts.lang;
        let Ok(form) = serde_json::from_str::<Form>(&draft.payload) else {
            self.status = Some(
                lang.pick(
                    "Utkastet kunde inte läsas och har lämnats orört",
                    "The draft could not be read and was left as it is",
                )
                .to_owned(),
            );
            return Ok(());
        };
        self.log_client_form_reveal(form.kind, form.target.as_deref())?;
        let client = match &form.client_id {
            Some(id) => self.store.client_row(id)?.map(|r| (id.clone(), r.display_name())),
            None => None,
        };
        // The client's workspace goes behind the form, so the saved row shows where it lands.
        if let Some((id, _)) = &client {
            self.open_client(id, tab_of(form.kind))?;
        }
        let file = match &client {
            Some((id, _)) => self.store.client_file(id)?,
            None => None,
        };
        let mut ui = FormUi::open(&self.store, form, client.map(|c| c.1), file, lang)?;
        ui.show_errors = false;
        self.overlay = Some(Overlay::Form(Box::new(ui)));
        self.status =
            Some(lang.pick("Utkastet är återställt: Ctrl-s sparar", "Draft restored: Ctrl-s saves").to_owned());
        Ok(())
    }
}
