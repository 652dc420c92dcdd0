//! The application state and its update function. A key becomes an [`Action`] (or text for
//! an input), `update` changes the state and reads from the store; `ui::render` only draws.

use chrono::{Datelike, Duration, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::{Action, Context};
use super::config::SavedView;
use super::form::FormUi;
use super::keymap::Keymap;
use super::theme::Theme;
use crate::dashboard::{ClientDashboard, DashboardRow};
use crate::domain::enums::{EnrolmentStatus, OrgKind, RiskLevel};
use crate::domain::model::ClientFile;
use crate::domain::timeline::Phase;
use crate::forms::FormKind;
use crate::i18n::Lang;
use crate::store::details::{ClientDetails, HistoryEntry};
use crate::store::rows::Draft;
use crate::store::views::{ActionRow, ClientQuery, ClientRow, ClientSort, ContactRow, FollowUpRow, MeetingRow, OrgRow};
use crate::store::{ChangeSet, Result, Store};

/// Rows of chrome around a screen's list: title bar, table header, borders, footer.
const CHROME_ROWS: u16 = 6;
/// Release-radar horizons a key cycles through, in days.
pub const RADAR_HORIZONS: [i64; 3] = [30, 90, 180];
/// First-weeks horizons: four weeks and four months.
pub const FIRST_WEEKS_HORIZONS: [i64; 2] = [28, 122];
/// How many history entries the History tab shows.
const HISTORY_LIMIT: usize = 500;

/// A list window over rows fetched by offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pager {
    /// Index of the selected row, absolute.
    pub selected: usize,
    /// Index of the first visible row, absolute.
    pub offset: usize,
    /// Number of rows, when known.
    pub len: Option<usize>,
}

impl Pager {
    /// Moves the selection by `delta`, keeping it in the list and the window around it.
    fn step(&mut self, delta: isize, height: usize) {
        let max = self.len.map(|l| l.saturating_sub(1)).unwrap_or(usize::MAX);
        let target = (self.selected as isize + delta).max(0) as usize;
        self.selected = target.min(max);
        self.follow(height);
    }

    fn follow(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

/// Which panel of the Today screen has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayPane {
    /// Meetings in the next 7 days, today included.
    Meetings,
    /// Overdue action items.
    Actions,
    /// Overdue follow-ups.
    FollowUps,
}

/// The Today dashboard.
#[derive(Debug, Clone)]
pub struct TodayScreen {
    /// Meetings from today to the end of next 7 days.
    pub meetings: Vec<MeetingRow>,
    /// Overdue action items.
    pub actions: Vec<ActionRow>,
    /// Overdue follow-ups.
    pub follow_ups: Vec<FollowUpRow>,
    /// Focused pane.
    pub pane: TodayPane,
    /// Selection per pane.
    pub selected: [usize; 3],
}

/// A dashboard of clients.
#[derive(Debug, Clone)]
pub struct DashScreen {
    /// Which dashboard.
    pub kind: ClientDashboard,
    /// Visible rows.
    pub rows: Vec<DashboardRow>,
    /// Window.
    pub pager: Pager,
    /// Clients searched for with `/`.
    pub filter: ListFilter,
}

/// A list's `/` filter: the text typed and whether typing goes on.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// What was typed.
    pub text: String,
    /// Keys go to the text (after `/`, until Enter or Esc).
    pub editing: bool,
}

impl ListFilter {
    /// A key typed into the filter: Enter keeps the text, Esc clears it. True when the text
    /// changed, so the list must be read again.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Enter => self.editing = false,
            KeyCode::Esc => {
                self.editing = false;
                return !std::mem::take(&mut self.text).is_empty();
            }
            KeyCode::Backspace => return self.text.pop().is_some(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.push(c);
                return true;
            }
            _ => {}
        }
        false
    }
}

/// My action items.
#[derive(Debug, Clone)]
pub struct ActionsScreen {
    /// Visible rows.
    pub rows: Vec<ActionRow>,
    /// Window.
    pub pager: Pager,
    /// The user's contact id, if configured and found.
    pub owner: Option<String>,
    /// Clients searched for with `/`: their items only.
    pub filter: ListFilter,
}

/// The client list.
#[derive(Debug, Clone)]
pub struct ClientsScreen {
    /// Filters and order.
    pub query: ClientQuery,
    /// The visible window of rows.
    pub rows: Vec<ClientRow>,
    /// Selected row within `rows`.
    pub selected: usize,
    /// Whether `rows` starts at the first row of the list.
    pub at_start: bool,
    /// Whether `rows` ends at the last row of the list.
    pub at_end: bool,
    /// Whether the text filter is being typed.
    pub editing: bool,
    /// Name of the saved view in use.
    pub view_name: Option<String>,
}

/// The tabs of a client's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Overview and timeline.
    Overview,
    /// Needs × providers.
    Needs,
    /// Interventions.
    Interventions,
    /// Plan (SIP fields) and goals.
    Plan,
    /// Meetings.
    Meetings,
    /// Consent.
    Consent,
    /// Notes and events.
    Notes,
    /// History from the change log.
    History,
}

impl Tab {
    /// All tabs in order.
    pub const ALL: [Tab; 8] = [
        Tab::Overview,
        Tab::Needs,
        Tab::Interventions,
        Tab::Plan,
        Tab::Meetings,
        Tab::Consent,
        Tab::Notes,
        Tab::History,
    ];

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// A client's workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceScreen {
    /// The list row (header data).
    pub row: ClientRow,
    /// The rules' view of the client.
    pub file: ClientFile,
    /// Names and details for the tabs.
    pub details: ClientDetails,
    /// History entries (loaded when the tab is first shown).
    pub history: Option<Vec<HistoryEntry>>,
    /// Current tab.
    pub tab: Tab,
    /// Scroll position in the tab.
    pub scroll: u16,
    /// The full identity number (and a protected identity's name) is shown: an audited
    /// choice that lasts until the client is left.
    pub revealed: bool,
    /// Selected row of the tab (see [`tab_items`]).
    pub cursor: usize,
    /// Open sync conflicts in this client's records.
    pub conflicts: usize,
}

/// A row of a workspace tab that a form can edit.
#[derive(Debug, Clone, PartialEq)]
pub struct TabItem {
    /// The form that edits it.
    pub kind: FormKind,
    /// Its id.
    pub id: String,
}

/// The editable rows of the workspace's current tab, in the order the tab shows them.
pub fn tab_items(w: &WorkspaceScreen) -> Vec<TabItem> {
    let item = |kind, id: &str| TabItem { kind, id: id.to_owned() };
    let d = &w.details;
    match w.tab {
        Tab::Overview => {
            let mut items = vec![item(FormKind::Client, &w.row.id)];
            items.extend(w.file.sentence.iter().map(|s| item(FormKind::Sentence, &s.id)));
            items.extend(w.file.enrolment.iter().map(|e| item(FormKind::Enrolment, &e.id)));
            items.extend(w.file.risk.iter().map(|r| item(FormKind::Risk, &r.id)));
            items
        }
        Tab::Needs => d.needs.iter().map(|n| item(FormKind::Need, &n.id)).collect(),
        Tab::Interventions => d.interventions.iter().map(|i| item(FormKind::Intervention, &i.id)).collect(),
        Tab::Plan => d
            .plans
            .iter()
            .flat_map(|p| {
                std::iter::once(item(FormKind::Plan, &p.id)).chain(p.goals.iter().map(|g| item(FormKind::Goal, &g.0)))
            })
            .collect(),
        Tab::Meetings => d
            .meetings
            .iter()
            .flat_map(|m| {
                std::iter::once(item(FormKind::Meeting, &m.id))
                    .chain(m.actions.iter().map(|a| item(FormKind::ActionItem, &a.0)))
            })
            .collect(),
        Tab::Consent => d.consents.iter().map(|c| item(FormKind::Consent, &c.id)).collect(),
        Tab::Notes => d
            .events
            .iter()
            .map(|e| item(FormKind::Event, &e.0))
            .chain(d.notes.iter().map(|n| item(FormKind::Note, &n.0)))
            .collect(),
        Tab::History => Vec::new(),
    }
}

/// How many days the calendar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarSpan {
    /// One day.
    Day,
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

/// The meetings calendar.
#[derive(Debug, Clone)]
pub struct CalendarScreen {
    /// Span shown.
    pub span: CalendarSpan,
    /// A day inside the period shown.
    pub anchor: NaiveDate,
    /// Meetings in the period.
    pub meetings: Vec<MeetingRow>,
    /// Window.
    pub pager: Pager,
    /// Clients searched for with `/`: their meetings only.
    pub filter: ListFilter,
}

/// The organisations and contacts directory.
#[derive(Debug, Clone)]
pub struct DirectoryScreen {
    /// Every organisation.
    pub all: Vec<OrgRow>,
    /// The organisations the filter keeps.
    pub orgs: Vec<OrgRow>,
    /// Text typed after `/`: organisations whose name, kind or municipality contain it, or
    /// one of whose contact people's name or phone does.
    pub filter: ListFilter,
    /// Each contact person's organisation id and "name phone", for the search.
    pub people: Vec<(String, String)>,
    /// Contacts of the selected organisation.
    pub contacts: Vec<ContactRow>,
    /// Window over the organisations.
    pub pager: Pager,
    /// The selected contact when the contacts pane has the focus (Tab), else `None`.
    pub contact: Option<usize>,
}

/// Everything a screen can be.
#[derive(Debug, Clone)]
pub enum Screen {
    /// Today.
    Today(TodayScreen),
    /// A client dashboard.
    Dashboard(DashScreen),
    /// My action items.
    MyActions(ActionsScreen),
    /// The client list.
    Clients(ClientsScreen),
    /// A client's workspace.
    Workspace(Box<WorkspaceScreen>),
    /// The calendar.
    Calendar(CalendarScreen),
    /// The directory.
    Directory(DirectoryScreen),
    /// Sync conflicts.
    Conflicts(super::conflicts::ConflictsScreen),
    /// Follow-up indicators.
    FollowUp(Box<super::follow_up::FollowUpScreen>),
    /// The audit log.
    Audit(super::audit::AuditScreen),
}

impl Screen {
    /// Contexts whose keys work on this screen, most specific first.
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Screen::Clients(_) => &[Context::Clients, Context::List, Context::Global],
            Screen::Workspace(_) => &[Context::Workspace, Context::List, Context::Global],
            Screen::Calendar(_) => &[Context::Calendar, Context::List, Context::Global],
            Screen::Conflicts(_) => &[Context::Conflicts, Context::List, Context::Global],
            Screen::FollowUp(_) => &[Context::FollowUp, Context::List, Context::Global],
            Screen::Audit(_) => &[Context::Audit, Context::List, Context::Global],
            _ => &[Context::List, Context::Global],
        }
    }

    /// Whether the screen shows a search typed earlier (and kept with Enter).
    pub fn kept_search(&self) -> bool {
        match self {
            Screen::Clients(c) => !c.query.text.is_empty(),
            Screen::Directory(d) => !d.filter.text.is_empty(),
            Screen::Dashboard(d) => !d.filter.text.is_empty(),
            Screen::Calendar(c) => !c.filter.text.is_empty(),
            Screen::MyActions(a) => !a.filter.text.is_empty(),
            _ => false,
        }
    }

    /// Whether keys are being typed into the screen's `/` filter.
    pub fn filter_editing(&self) -> bool {
        match self {
            Screen::Clients(c) => c.editing,
            Screen::Directory(d) => d.filter.editing,
            Screen::Dashboard(d) => d.filter.editing,
            Screen::Calendar(c) => c.filter.editing,
            Screen::MyActions(a) => a.filter.editing,
            _ => false,
        }
    }
}

/// A window over the screen.
#[derive(Debug)]
pub enum Overlay {
    /// Help with a search field.
    Help {
        /// Search text.
        query: String,
        /// Scroll.
        selected: usize,
    },
    /// The command palette.
    Palette {
        /// Typed text.
        query: String,
        /// Selected match.
        selected: usize,
    },
    /// A timestamped journal note on a client, saved with Ctrl-s.
    Note {
        /// The client.
        client_id: String,
        /// The name shown in the title.
        client_name: String,
        /// The text being written.
        editor: Box<TextArea<'static>>,
        /// Set after one Esc on a non-empty note: a second Esc discards it.
        confirm_discard: bool,
    },
    /// A form.
    Form(Box<FormUi>),
    /// A question before a change is written (deleting): `j`/`y` writes it.
    Confirm {
        /// The question.
        message: String,
        /// What is written on yes.
        changes: ChangeSet,
        /// What the change did, for the status line and undo.
        description: String,
    },
    /// What to add, when a screen offers more than one kind of row.
    Choose {
        /// The forms offered.
        kinds: Vec<FormKind>,
        /// Selected one.
        selected: usize,
    },
    /// Drafts left by a session that ended without saving them.
    Drafts {
        /// The drafts, newest first, each with the name of its client (if any).
        drafts: Vec<(Draft, String)>,
        /// Selected one.
        selected: usize,
    },
    /// Export or import a bundle.
    Sync(Box<super::sync_prompt::SyncPrompt>),
    /// Quick jump to a client.
    Jump {
        /// Typed text.
        query: String,
        /// Matches.
        results: Vec<ClientRow>,
        /// Selected match.
        selected: usize,
    },
}

/// Options the app starts with.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Interface language.
    pub lang: Lang,
    /// The day dashboards are computed for.
    pub today: NaiveDate,
    /// Colours.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// Saved client-list views.
    pub views: Vec<SavedView>,
    /// The user's name as a contact, for "My action items".
    pub user: Option<String>,
    /// Lock the screen after this long without a key; `None` never.
    pub idle_lock: Option<std::time::Duration>,
    /// Whether the privacy key locks (passphrase to come back) instead of blanking.
    pub privacy_needs_passphrase: bool,
}

/// The whole application state.
pub struct App {
    /// The store (read here; written only through its write path).
    pub store: Store,
    /// Start options.
    pub opts: AppOptions,
    /// Current screen.
    pub screen: Screen,
    /// Screens to go back to.
    back: Vec<Screen>,
    /// Open overlay.
    pub overlay: Option<Overlay>,
    /// Message in the status line.
    pub status: Option<String>,
    /// Set when the user quits.
    pub quit: bool,
    /// The client last opened: quick notes go to them from any screen.
    pub current_client: Option<(String, String)>,
    /// Terminal size (width, height).
    pub size: (u16, u16),
    /// Changes made this session, newest last, each with the change set that undoes it.
    pub(super) undo: Vec<(ChangeSet, String)>,
    /// Open sync conflicts in the store, for the title bar.
    pub conflict_count: usize,
    /// An export or import waiting for the screen to say it is coming.
    pub(super) pending: Option<super::sync_prompt::Job>,
    /// The screen is blanked by the privacy key.
    pub privacy: bool,
    /// The screen is locked until the passphrase is typed.
    pub lock: Option<super::privacy::Lock>,
    /// When the last key came, for the idle lock.
    pub(super) last_key: std::time::Instant,
    /// Whether opening a client is written to the audit log. Always on for people; the
    /// benchmark turns it off so that measuring does not fill the user's audit log.
    pub audit_views: bool,
    /// Text to put on the user's clipboard (OSC 52) after this key; the terminal loop sends
    /// it. Wiped from memory once sent: it may be an identity number.
    pub clipboard: Option<zeroize::Zeroizing<String>>,
}

/// After this long without a key, an open form's draft is saved.
pub const DRAFT_PAUSE: std::time::Duration = std::time::Duration::from_millis(800);

impl App {
    /// Starts on the Today dashboard.
    pub fn new(store: Store, opts: AppOptions, size: (u16, u16)) -> Result<App> {
        let screen = Screen::Today(load_today(&store, opts.today)?);
        let drafts = store
            .drafts()?
            .into_iter()
            .map(|d| {
                let client = serde_json::from_str::<crate::forms::Form>(&d.payload).ok().and_then(|f| f.client_id);
                let name = match client {
                    Some(id) => store.client_row(&id)?.map(|r| r.display_name()).unwrap_or_default(),
                    None => String::new(),
                };
                Ok((d, name))
            })
            .collect::<Result<Vec<_>>>()?;
        let overlay = (!drafts.is_empty()).then_some(Overlay::Drafts { drafts, selected: 0 });
        Ok(App {
            store,
            opts,
            screen,
            back: Vec::new(),
            overlay,
            status: None,
            quit: false,
            current_client: None,
            size,
            undo: Vec::new(),
            conflict_count: 0,
            pending: None,
            privacy: false,
            lock: None,
            last_key: std::time::Instant::now(),
            audit_views: true,
            clipboard: None,
        })
        .map(|mut app| {
            app.conflict_count = app.store.conflict_count().unwrap_or(0);
            app
        })
    }

    /// Rows a list shows at the current height.
    pub fn list_height(&self) -> usize {
        usize::from(self.size.1.saturating_sub(CHROME_ROWS)).max(1)
    }

    /// Handles a key press: overlays and text inputs get raw keys first.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if self.guard_key(key) {
            return;
        }
        self.status = None;
        // The note editor and forms take Alt+key themselves (word moves); in a form, a split
        // Esc would also answer "save, discard or keep?" with the next key.
        let typing = (self.overlay.is_some() && !matches!(self.overlay, Some(Overlay::Note { .. } | Overlay::Form(_))))
            || self.screen.filter_editing()
            || matches!(&self.screen, Screen::Conflicts(c) if c.input.is_some());
        if typing && key.modifiers.contains(KeyModifiers::ALT) && matches!(key.code, KeyCode::Char(_)) {
            // Over a slow link, Esc and the next key arrive together and read as Alt+key:
            // treat that as the two keys the user typed.
            self.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            self.handle_key(KeyEvent::new(key.code, key.modifiers - KeyModifiers::ALT));
            return;
        }
        let result = if self.overlay.is_some() {
            self.overlay_key(key)
        } else if matches!(&self.screen, Screen::Clients(c) if c.editing) {
            self.filter_key(key)
        } else if self.screen.filter_editing() {
            self.list_filter_key(key)
        } else if matches!(&self.screen, Screen::Conflicts(c) if c.input.is_some()) {
            self.conflict_input_key(key)
        } else {
            match self.opts.keymap.action_for(self.screen.contexts(), &key) {
                Some(action) => self.update(action),
                None => {
                    if !matches!(key.code, KeyCode::Modifier(_)) {
                        self.status = Some(crate::i18n::ui::UNKNOWN_KEY.get(self.opts.lang).to_owned());
                    }
                    Ok(())
                }
            }
        };
        if let Err(e) = result {
            self.status = Some(format!("{}{e}", crate::i18n::ui::LOADING_ERROR.get(self.opts.lang)));
        }
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action) -> Result<()> {
        let today = self.opts.today;
        let height = self.list_height();
        match action {
            Action::Quit => self.quit = true,
            // Esc on a searched list clears the search first, as Esc while typing does.
            Action::Back if self.screen.kept_search() => {
                let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
                if matches!(self.screen, Screen::Clients(_)) {
                    self.filter_key(esc)?;
                } else {
                    self.list_filter_key(esc)?;
                }
            }
            Action::Back => {
                if let Some(prev) = self.back.pop() {
                    // Back on a client is back with that client, for Ctrl-n and the forms.
                    if let Screen::Workspace(w) = &prev {
                        self.current_client = Some((w.row.id.clone(), w.row.display_name()));
                    }
                    self.screen = prev;
                    self.refresh()?;
                } else if !matches!(self.screen, Screen::Today(_)) {
                    self.screen = Screen::Today(load_today(&self.store, today)?);
                }
            }
            Action::Help => self.overlay = Some(Overlay::Help { query: String::new(), selected: 0 }),
            Action::Palette => self.overlay = Some(Overlay::Palette { query: String::new(), selected: 0 }),
            // The client on screen, else the one last opened.
            Action::QuickNote => match &self.form_client() {
                Some((client_id, client_name)) => {
                    let mut editor = TextArea::default();
                    editor.set_placeholder_text(crate::i18n::ui::NOTE_PLACEHOLDER.get(self.opts.lang));
                    self.overlay = Some(Overlay::Note {
                        client_id: client_id.clone(),
                        client_name: client_name.clone(),
                        editor: Box::new(editor),
                        confirm_discard: false,
                    });
                }
                None => self.status = Some(crate::i18n::ui::NOTE_NEEDS_CLIENT.get(self.opts.lang).to_owned()),
            },
            Action::Undo => self.undo_last()?,
            Action::NewClient => self.open_form(FormKind::Client, None, None)?,
            Action::JumpToClient => {
                self.overlay = Some(Overlay::Jump { query: String::new(), results: Vec::new(), selected: 0 })
            }
            Action::GoToday => self.go(Screen::Today(load_today(&self.store, today)?)),
            Action::GoRadar => self.go_dashboard(ClientDashboard::ReleaseRadar(RADAR_HORIZONS[0]))?,
            Action::GoFirstWeeks => self.go_dashboard(ClientDashboard::FirstWeeks(FIRST_WEEKS_HORIZONS[0]))?,
            Action::GoConsent => self.go_dashboard(ClientDashboard::Consent)?,
            Action::GoNeedGaps => self.go_dashboard(ClientDashboard::NeedGaps)?,
            Action::GoSupervisionEnding => self.go_dashboard(ClientDashboard::SupervisionEnding)?,
            Action::GoMyActions => {
                let owner = match &self.opts.user {
                    Some(name) => self.store.contact_by_name(name)?,
                    None => None,
                };
                let mut s =
                    ActionsScreen { rows: Vec::new(), pager: Pager::default(), owner, filter: ListFilter::default() };
                load_actions(&self.store, &mut s, height)?;
                self.go(Screen::MyActions(s));
            }
            Action::GoClients => {
                let mut s = ClientsScreen {
                    query: ClientQuery::default(),
                    rows: Vec::new(),
                    selected: 0,
                    at_start: true,
                    at_end: false,
                    editing: false,
                    view_name: None,
                };
                reload_clients(&self.store, &mut s, today, height)?;
                self.go(Screen::Clients(s));
            }
            Action::GoCalendar => {
                let mut s = CalendarScreen {
                    span: CalendarSpan::Week,
                    anchor: today,
                    meetings: Vec::new(),
                    pager: Pager::default(),
                    filter: ListFilter::default(),
                };
                load_calendar(&self.store, &mut s, height)?;
                self.go(Screen::Calendar(s));
            }
            Action::MeetingsCalendar => self.write_meetings_calendar()?,
            Action::Export => self.open_sync_prompt(super::sync_prompt::SyncKind::Export),
            Action::Import => self.open_sync_prompt(super::sync_prompt::SyncKind::Import),
            Action::GoAudit => {
                let client = match &self.screen {
                    Screen::Workspace(w) => Some((w.row.id.clone(), w.row.display_name())),
                    _ => None,
                };
                let s = super::audit::open(&self.store, client, height)?;
                self.go(Screen::Audit(s));
            }
            Action::GoFollowUp => {
                let s = super::follow_up::opening(today, self.opts.lang);
                self.go(Screen::FollowUp(Box::new(s)));
            }
            Action::GoConflicts => {
                let s = super::conflicts::load(&self.store)?;
                self.go(Screen::Conflicts(s));
            }
            Action::GoDirectory => {
                let all = self.store.organisations()?;
                let mut s = DirectoryScreen {
                    orgs: all.clone(),
                    all,
                    filter: ListFilter::default(),
                    people: self.store.contact_search_terms()?,
                    contacts: Vec::new(),
                    pager: Pager::default(),
                    contact: None,
                };
                s.pager.len = Some(s.orgs.len());
                load_contacts(&self.store, &mut s)?;
                self.go(Screen::Directory(s));
            }
            _ => self.screen_action(action)?,
        }
        Ok(())
    }

    /// Shows a screen. The dashboards, lists and calendar are top-level: reaching one starts
    /// a fresh trail, so Esc goes back through what was opened from it, not through every
    /// screen visited this session.
    fn go(&mut self, screen: Screen) {
        // A client's audit log is opened from the client and Esc goes back to it.
        let from_client = matches!(self.screen, Screen::Workspace(_)) && matches!(screen, Screen::Audit(_));
        let top_level = !matches!(screen, Screen::Workspace(_)) && !from_client;
        let mut old = std::mem::replace(&mut self.screen, screen);
        // A revealed identity hides again once its client is left, also when Esc comes back.
        if let Screen::Workspace(w) = &mut old {
            w.revealed = false;
        }
        if top_level {
            self.back.clear();
        } else {
            self.back.push(old);
        }
    }

    fn go_dashboard(&mut self, kind: ClientDashboard) -> Result<()> {
        let mut s = DashScreen { kind, rows: Vec::new(), pager: Pager::default(), filter: ListFilter::default() };
        load_dash(&self.store, &mut s, self.opts.today, self.list_height())?;
        self.go(Screen::Dashboard(s));
        Ok(())
    }

    /// Reloads the current screen's data (after going back or a change).
    pub fn refresh(&mut self) -> Result<()> {
        let today = self.opts.today;
        let height = self.list_height();
        match &mut self.screen {
            Screen::Today(s) => {
                let pane = s.pane;
                *s = load_today(&self.store, today)?;
                s.pane = pane;
            }
            Screen::Dashboard(s) => load_dash(&self.store, s, today, height)?,
            Screen::MyActions(s) => load_actions(&self.store, s, height)?,
            Screen::Clients(s) => reload_clients(&self.store, s, today, height)?,
            Screen::Workspace(w) => {
                let (tab, cursor, revealed) = (w.tab, w.cursor, w.revealed);
                **w = load_workspace(&self.store, &w.row.id, tab)?.unwrap_or_else(|| (**w).clone());
                w.cursor = cursor.min(tab_items(w).len().saturating_sub(1));
                w.revealed = revealed;
            }
            Screen::Calendar(s) => load_calendar(&self.store, s, height)?,
            Screen::Directory(s) => {
                s.people = self.store.contact_search_terms()?;
                load_contacts(&self.store, s)?;
            }
            // The figures were read when the screen opened; `F` again reads them afresh.
            Screen::FollowUp(_) => {}
            Screen::Audit(s) => super::audit::load(&self.store, s, height)?,
            Screen::Conflicts(s) => {
                let selected = s.pager.selected;
                *s = super::conflicts::load(&self.store)?;
                s.pager.selected = selected.min(s.rows.len().saturating_sub(1));
            }
        }
        self.conflict_count = self.store.conflict_count()?;
        Ok(())
    }

    /// Opens a client's workspace at a tab.
    pub fn open_client(&mut self, id: &str, tab: Tab) -> Result<()> {
        if let Some(w) = load_workspace(&self.store, id, tab)? {
            // Every opening of a client record can be followed up afterwards.
            if self.audit_views {
                self.store.audit(
                    crate::domain::enums::AuditAction::OpenClient,
                    Some(id),
                    &crate::i18n::audit_detail::OPENED.fill(&[]),
                )?;
            }
            self.current_client = Some((w.row.id.clone(), w.row.display_name()));
            self.go(Screen::Workspace(Box::new(w)));
        }
        Ok(())
    }

    /// Shows a message in the status line, in the user's language.
    fn say(&mut self, sv: &str, en: &str) {
        self.status = Some(self.opts.lang.pick(sv, en).to_owned());
    }

    /// Logs that a client's full identity number, or a protected client's identity, was
    /// shown or copied (`how`).
    pub(super) fn log_reveal(&mut self, row: &ClientRow, how: crate::i18n::audit_detail::Template) -> Result<()> {
        let action = if row.protected {
            crate::domain::enums::AuditAction::RevealProtected
        } else {
            crate::domain::enums::AuditAction::RevealId
        };
        self.store.audit(action, Some(&row.id), &how.fill(&[]))
    }

    /// Puts a client's full identity number on the clipboard; logged like revealing it.
    fn copy_id_number(&mut self, row: &ClientRow) -> Result<()> {
        let Some(d) = row.id_number.as_deref().filter(|d| d.len() == 12) else {
            self.say("Inget personnummer att kopiera", "No identity number to copy");
            return Ok(());
        };
        self.log_reveal(row, crate::i18n::audit_detail::COPIED)?;
        self.clipboard = Some(format!("{}-{}", &d[..8], &d[8..]).into());
        self.say(
            "Personnumret är kopierat till urklipp (och loggat)",
            "Identity number copied to the clipboard (and logged)",
        );
        Ok(())
    }

    fn screen_action(&mut self, action: Action) -> Result<()> {
        let today = self.opts.today;
        let lang = self.opts.lang;
        // Keys every list lists in its help but not every screen has: say where they work.
        match (action, &self.screen) {
            (Action::Copy, Screen::Workspace(_) | Screen::Clients(_) | Screen::Directory(_)) => {}
            (Action::Copy, _) => {
                self.say(
                    "y kopierar personnumret på en klient (8) eller telefonen på en kontaktperson (0)",
                    "y copies a client's number (8) or a contact's phone (0)",
                );
                return Ok(());
            }
            (
                Action::Filter,
                Screen::Clients(_)
                | Screen::Directory(_)
                | Screen::Dashboard(_)
                | Screen::Calendar(_)
                | Screen::MyActions(_),
            ) => {}
            (Action::Filter, _) => {
                self.say(
                    "/ söker i listorna 2–9 och 0; Ctrl-k hoppar till en klient",
                    "/ searches the lists 2–9 and 0; Ctrl-k jumps to a client",
                );
                return Ok(());
            }
            _ => {}
        }
        let height = self.list_height();
        let store = &self.store;
        let mut open: Option<(String, Tab)> = None;
        match &mut self.screen {
            Screen::Today(s) => {
                let lens = [s.meetings.len(), s.actions.len(), s.follow_ups.len()];
                let i = s.pane as usize;
                match action {
                    Action::NextPane | Action::PrevPane => {
                        let order = [TodayPane::Meetings, TodayPane::Actions, TodayPane::FollowUps];
                        let step = if action == Action::NextPane { 1 } else { 2 };
                        s.pane = order[(i + step) % 3];
                    }
                    Action::ActionDone if s.pane == TodayPane::Actions => {
                        if let Some(a) = s.actions.get(s.selected[i]) {
                            let (id, text) = (a.id.clone(), a.text.clone());
                            return self.mark_done(&id, &text);
                        }
                    }
                    Action::Down => s.selected[i] = (s.selected[i] + 1).min(lens[i].saturating_sub(1)),
                    Action::Up => s.selected[i] = s.selected[i].saturating_sub(1),
                    Action::Top => s.selected[i] = 0,
                    Action::Bottom => s.selected[i] = lens[i].saturating_sub(1),
                    Action::Open => {
                        let sel = s.selected[i];
                        open = match s.pane {
                            TodayPane::Meetings => {
                                s.meetings.get(sel).and_then(|m| m.client_id.clone()).map(|c| (c, Tab::Meetings))
                            }
                            TodayPane::Actions => {
                                s.actions.get(sel).and_then(|a| a.client_id.clone()).map(|c| (c, Tab::Meetings))
                            }
                            TodayPane::FollowUps => s.follow_ups.get(sel).map(|f| (f.client_id.clone(), Tab::Plan)),
                        };
                    }
                    _ => {}
                }
            }
            Screen::Dashboard(s) => match action {
                Action::Open => {
                    let tab = match s.kind {
                        ClientDashboard::Consent => Tab::Consent,
                        ClientDashboard::NeedGaps => Tab::Needs,
                        _ => Tab::Overview,
                    };
                    open = s.rows.get(s.pager.selected - s.pager.offset).map(|r| (r.client.id.clone(), tab));
                }
                Action::NextPane | Action::PrevPane => {
                    s.kind = match s.kind {
                        ClientDashboard::ReleaseRadar(d) => ClientDashboard::ReleaseRadar(cycle(&RADAR_HORIZONS, d)),
                        ClientDashboard::FirstWeeks(d) => ClientDashboard::FirstWeeks(cycle(&FIRST_WEEKS_HORIZONS, d)),
                        other => other,
                    };
                    s.pager = Pager::default();
                    load_dash(store, s, today, height)?;
                }
                Action::Filter => s.filter.editing = true,
                _ => {
                    if move_pager(&mut s.pager, action, height) {
                        load_dash(store, s, today, height)?;
                    }
                }
            },
            Screen::MyActions(s) => match action {
                Action::Filter => s.filter.editing = true,
                Action::ActionDone => {
                    if let Some(a) = s.rows.get(s.pager.selected - s.pager.offset) {
                        let (id, text) = (a.id.clone(), a.text.clone());
                        return self.mark_done(&id, &text);
                    }
                }
                Action::Open => {
                    open = s
                        .rows
                        .get(s.pager.selected - s.pager.offset)
                        .and_then(|a| a.client_id.clone())
                        .map(|c| (c, Tab::Meetings));
                }
                _ => {
                    if move_pager(&mut s.pager, action, height) {
                        load_actions(store, s, height)?;
                    }
                }
            },
            Screen::Clients(_) if action == Action::Add => return self.open_form(FormKind::Client, None, None),
            Screen::Clients(s) if action == Action::Copy => {
                if let Some(row) = s.rows.get(s.selected).cloned() {
                    return self.copy_id_number(&row);
                }
            }
            Screen::Clients(s) => clients_action(store, s, action, today, height, &self.opts.views, &mut open)?,
            Screen::Workspace(w) => match action {
                Action::NextTab | Action::NextPane => switch_tab(store, w, 1)?,
                Action::PrevTab | Action::PrevPane => switch_tab(store, w, Tab::ALL.len() - 1)?,
                Action::Down if !tab_items(w).is_empty() => {
                    w.cursor = (w.cursor + 1).min(tab_items(w).len() - 1);
                }
                Action::Up if !tab_items(w).is_empty() => w.cursor = w.cursor.saturating_sub(1),
                Action::Top if !tab_items(w).is_empty() => w.cursor = 0,
                Action::Bottom if !tab_items(w).is_empty() => w.cursor = tab_items(w).len() - 1,
                Action::ClientPlan if w.tab == Tab::Plan => return self.write_client_plan(),
                // Writing the plan puts personal data in a file: a stray key elsewhere only
                // shows the plan first.
                Action::ClientPlan => {
                    w.tab = Tab::Plan;
                    w.cursor = 0;
                    self.say(
                        "Min plan: tryck p igen för att skriva den till fil",
                        "My plan: press p again to write it",
                    );
                    return self.refresh();
                }
                Action::Copy => {
                    let row = w.row.clone();
                    return self.copy_id_number(&row);
                }
                Action::Reveal if !w.revealed => {
                    w.revealed = true;
                    let row = w.row.clone();
                    let how = if row.protected {
                        crate::i18n::audit_detail::SHOWN_PROTECTED
                    } else {
                        crate::i18n::audit_detail::SHOWN_ID
                    };
                    self.log_reveal(&row, how)?;
                }
                Action::Open
                | Action::Edit
                | Action::Add
                | Action::Delete
                | Action::NeedStatus
                | Action::Minutes
                | Action::NewActionItem
                | Action::ActionDone => return self.workspace_edit(action),
                Action::Down => w.scroll = w.scroll.saturating_add(1),
                Action::Up => w.scroll = w.scroll.saturating_sub(1),
                Action::PageDown => w.scroll = w.scroll.saturating_add(height as u16),
                Action::PageUp => w.scroll = w.scroll.saturating_sub(height as u16),
                Action::Top => w.scroll = 0,
                _ => {}
            },
            Screen::Calendar(s) => {
                let reload = match action {
                    Action::CalendarDay => set_span(s, CalendarSpan::Day),
                    Action::CalendarWeek => set_span(s, CalendarSpan::Week),
                    Action::CalendarMonth => set_span(s, CalendarSpan::Month),
                    Action::CalendarToday => {
                        s.anchor = today;
                        true
                    }
                    Action::Filter => {
                        s.filter.editing = true;
                        false
                    }
                    Action::CalendarPrev | Action::CalendarNext => {
                        let sign = if action == Action::CalendarNext { 1 } else { -1 };
                        s.anchor = shift_period(s.anchor, s.span, sign);
                        true
                    }
                    Action::Open => {
                        open = s
                            .meetings
                            .get(s.pager.selected - s.pager.offset)
                            .and_then(|m| m.client_id.clone())
                            .map(|c| (c, Tab::Meetings));
                        false
                    }
                    _ => move_pager(&mut s.pager, action, height),
                };
                if reload {
                    if matches!(
                        action,
                        Action::CalendarDay
                            | Action::CalendarWeek
                            | Action::CalendarMonth
                            | Action::CalendarToday
                            | Action::CalendarPrev
                            | Action::CalendarNext
                    ) {
                        s.pager = Pager::default();
                    }
                    load_calendar(store, s, height)?;
                }
            }
            Screen::Audit(s) => {
                let reload = match action {
                    Action::AuditKind => {
                        super::audit::next_kind(s);
                        true
                    }
                    Action::AuditPeriod => {
                        super::audit::next_period(s, today);
                        true
                    }
                    Action::AuditMine => {
                        super::audit::toggle_mine(s);
                        true
                    }
                    Action::AuditClear => {
                        super::audit::clear(s);
                        true
                    }
                    Action::Open => {
                        open = s
                            .rows
                            .get(s.pager.selected - s.pager.offset)
                            .and_then(|(r, _)| r.client_id.clone())
                            .map(|c| (c, Tab::History));
                        false
                    }
                    _ => move_pager(&mut s.pager, action, height) || matches!(action, Action::Up | Action::Down),
                };
                if reload {
                    super::audit::load(store, s, height)?;
                }
            }
            Screen::FollowUp(s) => {
                let lang = self.opts.lang;
                match action {
                    Action::FollowUpPeriod => super::follow_up::next_period(store, s, today, lang)?,
                    Action::FollowUpSplit => super::follow_up::next_split(store, s, today, lang)?,
                    Action::NextPane => super::follow_up::step_table(s, true),
                    Action::PrevPane => super::follow_up::step_table(s, false),
                    Action::Down => super::follow_up::scroll_down(s),
                    Action::Up => s.scroll = s.scroll.saturating_sub(1),
                    Action::Top => s.scroll = 0,
                    Action::FollowUpMore => super::follow_up::step_groups(s, true),
                    Action::FollowUpBack => super::follow_up::step_groups(s, false),
                    _ => {}
                }
            }
            Screen::Conflicts(s) => match action {
                Action::KeepMine => return self.keep_conflict_value(false),
                Action::KeepTheirs => return self.keep_conflict_value(true),
                Action::NewValue if !s.rows.is_empty() => s.input = Some(String::new()),
                Action::Open => {
                    open =
                        s.rows.get(s.pager.selected).and_then(|(c, _)| c.client_id.clone()).map(|c| (c, Tab::History));
                }
                _ => {
                    move_pager(&mut s.pager, action, height);
                }
            },
            Screen::Directory(s) => {
                let org = s.orgs.get(s.pager.selected).map(|o| o.id.clone());
                if let Some(i) = s.contact {
                    // The contacts pane has the focus: keys move in it, edit and copy its row.
                    match action {
                        Action::NextPane | Action::PrevPane => s.contact = None,
                        Action::Down => s.contact = Some((i + 1).min(s.contacts.len().saturating_sub(1))),
                        Action::Up => s.contact = Some(i.saturating_sub(1)),
                        Action::Edit | Action::Open => {
                            if let Some(c) = s.contacts.get(i) {
                                let id = c.id.clone();
                                return self.open_form(FormKind::Contact, Some(&id), None);
                            }
                        }
                        Action::Copy => match s.contacts.get(i).and_then(|c| c.phone.clone()) {
                            Some(phone) => {
                                self.status = Some(format!(
                                    "{} {phone}",
                                    lang.pick("Kopierat till urklipp:", "Copied to the clipboard:")
                                ));
                                self.clipboard = Some(phone.into());
                            }
                            None => self.say("Kontakten har inget telefonnummer", "The contact has no phone"),
                        },
                        _ => {}
                    }
                    return Ok(());
                }
                if matches!(action, Action::NextPane | Action::PrevPane) && !s.contacts.is_empty() {
                    s.contact = Some(0);
                } else if action == Action::Copy {
                    self.say(
                        "Tab till kontaktpersonerna, välj en och tryck y",
                        "Tab to the contacts, pick one, press y",
                    );
                } else if action == Action::Add {
                    self.overlay =
                        Some(Overlay::Choose { kinds: vec![FormKind::Contact, FormKind::Organisation], selected: 0 });
                    return Ok(());
                } else if action == Action::Edit {
                    if let Some(org) = org {
                        return self.open_form(FormKind::Organisation, Some(&org), None);
                    }
                } else if action == Action::Filter {
                    s.filter.editing = true;
                } else if move_pager(&mut s.pager, action, height) || matches!(action, Action::Up | Action::Down) {
                    load_contacts(store, s)?;
                }
            }
        }
        if let Some((id, tab)) = open {
            self.open_client(&id, tab)?;
        }
        Ok(())
    }

    /// Keys of the quick note: text goes to the editor; Ctrl-s saves, Esc twice discards.
    fn note_key(&mut self, key: KeyEvent) -> Result<()> {
        let lang = self.opts.lang;
        let Some(Overlay::Note { client_id, editor, confirm_discard, .. }) = &mut self.overlay else { return Ok(()) };
        let text = crate::forms::clean_text(&editor.lines().join("\n"));
        match key.code {
            KeyCode::Char('s') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if text.is_empty() {
                    self.status = Some(crate::i18n::ui::NOTE_EMPTY.get(lang).to_owned());
                    return Ok(());
                }
                let client_id = client_id.clone();
                let author = crate::store::audit::current_user();
                let mut cs = crate::store::ChangeSet::new();
                cs.insert("note")
                    .set("client_id", client_id)
                    .set("at", chrono::Local::now().format("%Y-%m-%dT%H:%M").to_string())
                    .set("author", author.clone())
                    .set("category", crate::domain::enums::NoteCategory::Telefon.code())
                    .set("text", text);
                self.overlay = None;
                self.write(&cs, crate::i18n::ui::NOTE_SAVED.get(lang).to_owned())?;
            }
            KeyCode::Esc if text.is_empty() || *confirm_discard => self.overlay = None,
            KeyCode::Esc => {
                *confirm_discard = true;
                self.status = Some(crate::i18n::ui::NOTE_CONFIRM_DISCARD.get(lang).to_owned());
            }
            _ => {
                *confirm_discard = false;
                editor.input(key);
            }
        }
        Ok(())
    }

    fn conflict_input_key(&mut self, key: KeyEvent) -> Result<()> {
        let Screen::Conflicts(s) = &mut self.screen else { return Ok(()) };
        let Some(input) = &mut s.input else { return Ok(()) };
        match key.code {
            KeyCode::Enter => return self.resolve_with_typed(),
            KeyCode::Esc => s.input = None,
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => input.push(c),
            _ => {}
        }
        Ok(())
    }

    /// A key typed into the `/` filter of a dashboard, My action items, the calendar or the directory.
    fn list_filter_key(&mut self, key: KeyEvent) -> Result<()> {
        let (lang, today, height) = (self.opts.lang, self.opts.today, self.list_height());
        let changed = match &mut self.screen {
            Screen::Dashboard(s) => s.filter.key(key),
            Screen::Calendar(s) => s.filter.key(key),
            Screen::Directory(s) => s.filter.key(key),
            Screen::MyActions(s) => s.filter.key(key),
            _ => false,
        };
        if !changed {
            return Ok(());
        }
        let store = &self.store;
        match &mut self.screen {
            Screen::Dashboard(s) => {
                s.pager = Pager::default();
                load_dash(store, s, today, height)
            }
            Screen::Calendar(s) => {
                s.pager = Pager::default();
                load_calendar(store, s, height)
            }
            Screen::Directory(s) => filter_directory(store, s, lang),
            Screen::MyActions(s) => {
                s.pager = Pager::default();
                load_actions(store, s, height)
            }
            _ => Ok(()),
        }
    }

    fn filter_key(&mut self, key: KeyEvent) -> Result<()> {
        let today = self.opts.today;
        let height = self.list_height();
        let Screen::Clients(s) = &mut self.screen else { return Ok(()) };
        match key.code {
            KeyCode::Enter => s.editing = false,
            KeyCode::Esc => {
                s.editing = false;
                s.query.text.clear();
                reload_clients(&self.store, s, today, height)?;
            }
            KeyCode::Backspace => {
                s.query.text.pop();
                reload_clients(&self.store, s, today, height)?;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                s.query.text.push(c);
                reload_clients(&self.store, s, today, height)?;
            }
            KeyCode::Down | KeyCode::Up => {
                let action = if key.code == KeyCode::Down { Action::Down } else { Action::Up };
                let mut open = None;
                clients_action(&self.store, s, action, today, height, &self.opts.views, &mut open)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn overlay_key(&mut self, key: KeyEvent) -> Result<()> {
        let lang = self.opts.lang;
        let help_len = match &self.overlay {
            Some(Overlay::Help { query, .. }) => super::ui::help_entries_matching(self, query).len(),
            _ => 0,
        };
        let page = self.list_height().saturating_sub(4).max(1);
        match self.overlay {
            Some(Overlay::Note { .. }) => return self.note_key(key),
            Some(Overlay::Form(_)) => return self.form_key(key),
            Some(Overlay::Sync(_)) => return self.sync_prompt_key(key),
            Some(Overlay::Confirm { .. } | Overlay::Choose { .. } | Overlay::Drafts { .. }) => {
                return self.question_key(key);
            }
            _ => {}
        }
        let Some(overlay) = &mut self.overlay else { return Ok(()) };
        if key.code == KeyCode::Esc {
            self.overlay = None;
            return Ok(());
        }
        match overlay {
            Overlay::Help { query, selected } => match key.code {
                KeyCode::Down => *selected = (*selected + 1).min(help_len.saturating_sub(1)),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                // The paging keys the help lists work in it too (letters are its search).
                KeyCode::PageDown => *selected = (*selected + page).min(help_len.saturating_sub(1)),
                KeyCode::Char('d') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    *selected = (*selected + page).min(help_len.saturating_sub(1));
                }
                KeyCode::PageUp => *selected = selected.saturating_sub(page),
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    *selected = selected.saturating_sub(page);
                }
                KeyCode::Home => *selected = 0,
                KeyCode::End => *selected = help_len.saturating_sub(1),
                KeyCode::Backspace => {
                    query.pop();
                    *selected = 0;
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    query.push(c);
                    *selected = 0;
                }
                KeyCode::Enter => self.overlay = None,
                _ => {}
            },
            Overlay::Palette { query, selected } => match key.code {
                KeyCode::Down => *selected += 1,
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Backspace => {
                    query.pop();
                    *selected = 0;
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    query.push(c);
                    *selected = 0;
                }
                KeyCode::Enter => {
                    let matches = super::palette::matches(query, lang);
                    let chosen = matches.get(*selected).copied();
                    self.overlay = None;
                    if let Some(action) = chosen {
                        return self.update(action);
                    }
                }
                _ => {}
            },
            // Handled before this match.
            Overlay::Note { .. }
            | Overlay::Form(_)
            | Overlay::Sync(_)
            | Overlay::Confirm { .. }
            | Overlay::Choose { .. }
            | Overlay::Drafts { .. } => {}
            Overlay::Jump { query, results, selected } => match key.code {
                KeyCode::Down => *selected = (*selected + 1).min(results.len().saturating_sub(1)),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Backspace | KeyCode::Char(_) => {
                    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                    match key.code {
                        KeyCode::Backspace => {
                            query.pop();
                        }
                        KeyCode::Char('u') if ctrl => query.clear(),
                        KeyCode::Char(_) if ctrl => return Ok(()),
                        KeyCode::Char(c) => query.push(c),
                        _ => {}
                    }
                    let q = ClientQuery { text: query.clone(), ..ClientQuery::default() };
                    *results = if query.trim().is_empty() {
                        Vec::new()
                    } else {
                        self.store.client_page(&q, self.opts.today, None, JUMP_RESULTS)?
                    };
                    *selected = 0;
                }
                KeyCode::Enter => {
                    let id = results.get(*selected).map(|r| r.id.clone());
                    self.overlay = None;
                    if let Some(id) = id {
                        return self.open_client(&id, Tab::Overview);
                    }
                }
                _ => {}
            },
        }
        Ok(())
    }
}

/// Matches the quick jump shows.
const JUMP_RESULTS: usize = 8;

fn cycle(options: &[i64], current: i64) -> i64 {
    let i = options.iter().position(|d| *d == current).unwrap_or(0);
    options[(i + 1) % options.len()]
}

/// Moves a pager for a list action; true when the visible window changed.
fn move_pager(pager: &mut Pager, action: Action, height: usize) -> bool {
    let before = pager.offset;
    match action {
        Action::Down => pager.step(1, height),
        Action::Up => pager.step(-1, height),
        Action::PageDown => pager.step(height as isize, height),
        Action::PageUp => pager.step(-(height as isize), height),
        Action::Top => pager.step(-(pager.selected as isize), height),
        Action::Bottom => match pager.len {
            Some(len) => pager.step(len as isize, height),
            None => pager.step(height as isize * 10, height),
        },
        _ => return false,
    }
    pager.offset != before
}

/// Rows each Today list holds; a full list shows its count as "N+".
pub const TODAY_LIMIT: usize = 100;

fn load_today(store: &Store, today: NaiveDate) -> Result<TodayScreen> {
    let from = format!("{today}T00:00");
    let to = format!("{}T00:00", today + Duration::days(7));
    Ok(TodayScreen {
        meetings: store.meetings_between(&from, &to, "", 0, TODAY_LIMIT)?,
        actions: store.open_actions(Some(today), None, "", 0, TODAY_LIMIT)?,
        follow_ups: store.overdue_follow_ups(today, TODAY_LIMIT)?,
        pane: TodayPane::Meetings,
        selected: [0; 3],
    })
}

fn load_dash(store: &Store, s: &mut DashScreen, today: NaiveDate, height: usize) -> Result<()> {
    // One row beyond the window tells whether the list goes on.
    let mut rows = s.kind.rows(store, today, &s.filter.text, s.pager.offset, height + 1)?;
    if rows.len() <= height {
        s.pager.len = Some(s.pager.offset + rows.len());
    }
    rows.truncate(height);
    if rows.is_empty() && s.pager.offset > 0 {
        s.pager.offset = s.pager.offset.saturating_sub(height);
        s.pager.selected = s.pager.offset;
        return load_dash(store, s, today, height);
    }
    s.pager.selected = s.pager.selected.min((s.pager.offset + rows.len()).saturating_sub(1));
    s.rows = rows;
    Ok(())
}

fn load_actions(store: &Store, s: &mut ActionsScreen, height: usize) -> Result<()> {
    let mut rows = store.open_actions(None, s.owner.as_deref(), &s.filter.text, s.pager.offset, height + 1)?;
    if rows.len() <= height {
        s.pager.len = Some(s.pager.offset + rows.len());
    }
    rows.truncate(height);
    s.pager.selected = s.pager.selected.min((s.pager.offset + rows.len()).saturating_sub(1));
    s.rows = rows;
    Ok(())
}

/// Reloads the client list from the top for the current query.
fn reload_clients(store: &Store, s: &mut ClientsScreen, today: NaiveDate, height: usize) -> Result<()> {
    let mut rows = store.client_page(&s.query, today, None, height + 1)?;
    s.at_end = rows.len() <= height;
    rows.truncate(height);
    s.rows = rows;
    s.selected = 0;
    s.at_start = true;
    Ok(())
}

fn page_after(store: &Store, q: &ClientQuery, today: NaiveDate, last: &ClientRow, n: usize) -> Result<Vec<ClientRow>> {
    store.client_page(q, today, Some(&last.cursor(q.sort)), n)
}

fn page_before(
    store: &Store,
    q: &ClientQuery,
    today: NaiveDate,
    first: Option<&ClientRow>,
    n: usize,
) -> Result<Vec<ClientRow>> {
    let reversed = ClientQuery { descending: !q.descending, ..q.clone() };
    let cursor = first.map(|r| r.cursor(q.sort));
    let mut rows = store.client_page(&reversed, today, cursor.as_ref(), n)?;
    rows.reverse();
    Ok(rows)
}

/// Keyset paging over the client list: the window moves by fetching the rows after its
/// last row or before its first, never by counting from the top.
fn clients_action(
    store: &Store,
    s: &mut ClientsScreen,
    action: Action,
    today: NaiveDate,
    height: usize,
    views: &[SavedView],
    open: &mut Option<(String, Tab)>,
) -> Result<()> {
    let mut refilter = true;
    match action {
        Action::Open => {
            *open = s.rows.get(s.selected).map(|r| (r.id.clone(), Tab::Overview));
            refilter = false;
        }
        Action::Filter => {
            s.editing = true;
            refilter = false;
        }
        Action::SortNext => {
            s.query.sort = match s.query.sort {
                ClientSort::Name => ClientSort::Release,
                ClientSort::Release => ClientSort::Name,
            }
        }
        Action::SortReverse => s.query.descending = !s.query.descending,
        Action::FilterPhase => s.query.phase = cycle_opt(Phase::ALL, s.query.phase),
        Action::FilterRisk => s.query.risk = cycle_opt(RiskLevel::ALL, s.query.risk),
        Action::FilterStatus => s.query.status = cycle_opt(EnrolmentStatus::ALL, s.query.status),
        Action::FilterOffice => {
            let offices = store.probation_offices()?;
            s.query.office_id = cycle_opt(&offices, s.query.office_id.clone());
        }
        Action::FilterCoordinator => {
            let coordinators = store.coordinators(s.query.office_id.as_deref())?;
            s.query.coordinator_id = cycle_opt(&coordinators, s.query.coordinator_id.clone());
        }
        Action::ClearFilters => {
            s.query = ClientQuery { sort: s.query.sort, descending: s.query.descending, ..ClientQuery::default() };
            s.view_name = None;
        }
        Action::View1 | Action::View2 | Action::View3 | Action::View4 | Action::View5 => {
            let slot = match action {
                Action::View1 => 1,
                Action::View2 => 2,
                Action::View3 => 3,
                Action::View4 => 4,
                _ => 5,
            };
            if let Some(view) = views.iter().find(|v| v.slot == slot) {
                s.query = view_query(view, store)?;
                s.view_name = Some(view.name.clone());
            }
        }
        _ => {
            refilter = false;
            move_clients(store, s, action, today, height)?;
        }
    }
    if refilter {
        reload_clients(store, s, today, height)?;
    }
    Ok(())
}

fn move_clients(store: &Store, s: &mut ClientsScreen, action: Action, today: NaiveDate, height: usize) -> Result<()> {
    let q = s.query.clone();
    match action {
        Action::Down => {
            if s.selected + 1 < s.rows.len() {
                s.selected += 1;
            } else if let (false, Some(last)) = (s.at_end, s.rows.last()) {
                let next = page_after(store, &q, today, last, 1)?;
                if next.is_empty() {
                    s.at_end = true;
                } else {
                    s.rows.extend(next);
                    s.rows.remove(0);
                    s.at_start = false;
                }
            }
        }
        Action::Up => {
            if s.selected > 0 {
                s.selected -= 1;
            } else if !s.at_start {
                let prev = page_before(store, &q, today, s.rows.first(), 1)?;
                if prev.is_empty() {
                    s.at_start = true;
                } else {
                    s.rows.splice(0..0, prev);
                    s.rows.truncate(height);
                    s.at_end = false;
                }
            }
        }
        Action::PageDown => {
            if let (false, Some(last)) = (s.at_end, s.rows.last()) {
                let next = page_after(store, &q, today, last, height + 1)?;
                s.at_end = next.len() <= height;
                if !next.is_empty() {
                    let keep = next.len().min(height);
                    s.rows = next.into_iter().take(keep).collect();
                    s.at_start = false;
                }
            }
            s.selected = if s.at_end { s.rows.len().saturating_sub(1) } else { 0 };
        }
        Action::PageUp => {
            if !s.at_start {
                let prev = page_before(store, &q, today, s.rows.first(), height + 1)?;
                s.at_start = prev.len() <= height;
                let skip = prev.len().saturating_sub(height);
                if !prev.is_empty() {
                    s.rows = prev.into_iter().skip(skip).collect();
                    s.at_end = false;
                }
            }
            s.selected = 0;
        }
        Action::Top => {
            reload_clients(store, s, today, height)?;
        }
        Action::Bottom => {
            let rows = page_before(store, &q, today, None, height + 1)?;
            s.at_start = rows.len() <= height;
            let skip = rows.len().saturating_sub(height);
            s.rows = rows.into_iter().skip(skip).collect();
            s.at_end = true;
            s.selected = s.rows.len().saturating_sub(1);
        }
        _ => {}
    }
    Ok(())
}

fn cycle_opt<T: Clone + PartialEq>(options: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => options.first().cloned(),
        Some(c) => {
            let i = options.iter().position(|o| *o == c)?;
            options.get(i + 1).cloned()
        }
    }
}

fn load_workspace(store: &Store, id: &str, tab: Tab) -> Result<Option<WorkspaceScreen>> {
    let (Some(row), Some(file)) = (store.client_row(id)?, store.client_file(id)?) else {
        return Ok(None);
    };
    let details = store.client_details(id)?;
    let history = if tab == Tab::History { Some(store.client_history(id, HISTORY_LIMIT)?) } else { None };
    let conflicts = store.open_conflicts(Some(id))?.len();
    Ok(Some(WorkspaceScreen { row, file, details, history, tab, scroll: 0, revealed: false, cursor: 0, conflicts }))
}

fn switch_tab(store: &Store, w: &mut WorkspaceScreen, step: usize) -> Result<()> {
    w.tab = Tab::ALL[(w.tab.index() + step) % Tab::ALL.len()];
    w.scroll = 0;
    w.cursor = 0;
    if w.tab == Tab::History && w.history.is_none() {
        w.history = Some(store.client_history(&w.row.id, HISTORY_LIMIT)?);
    }
    Ok(())
}

fn set_span(s: &mut CalendarScreen, span: CalendarSpan) -> bool {
    let changed = s.span != span;
    s.span = span;
    changed
}

/// First day and the day after the last of the period containing `anchor`.
pub fn period(anchor: NaiveDate, span: CalendarSpan) -> (NaiveDate, NaiveDate) {
    match span {
        CalendarSpan::Day => (anchor, anchor + Duration::days(1)),
        CalendarSpan::Week => {
            let monday = anchor - Duration::days(i64::from(anchor.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(7))
        }
        CalendarSpan::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            };
            (first, next.unwrap_or(first + Duration::days(31)))
        }
    }
}

fn shift_period(anchor: NaiveDate, span: CalendarSpan, sign: i64) -> NaiveDate {
    match span {
        CalendarSpan::Day => anchor + Duration::days(sign),
        CalendarSpan::Week => anchor + Duration::days(7 * sign),
        CalendarSpan::Month => {
            let (first, next) = period(anchor, span);
            if sign > 0 { next } else { first - Duration::days(1) }
        }
    }
}

/// The calendar counts a period's meetings up to this many and shows "N+" beyond.
pub const CALENDAR_COUNT_CAP: usize = 1000;

/// Reads the calendar's visible window of meetings and the period's count.
fn load_calendar(store: &Store, s: &mut CalendarScreen, height: usize) -> Result<()> {
    let (from, to) = period(s.anchor, s.span);
    let (from, to) = (format!("{from}T00:00"), format!("{to}T00:00"));
    if crate::store::views::fts_query(&s.filter.text).is_none() {
        s.pager.len = Some(store.count_meetings_between(&from, &to, CALENDAR_COUNT_CAP)?);
        s.meetings = store.meetings_between(&from, &to, "", s.pager.offset, height)?;
    } else {
        // A search narrows the period to a few meetings: one pass reads them all (up to the
        // cap) for the count and the window, instead of matching the search twice.
        let mut found = store.meetings_between(&from, &to, &s.filter.text, 0, CALENDAR_COUNT_CAP)?;
        s.pager.len = Some(found.len());
        found.truncate((s.pager.offset + height).min(found.len()));
        s.meetings = found.split_off(s.pager.offset.min(found.len()));
    }
    Ok(())
}

/// Keeps the organisations whose name, kind or municipality contain the typed text, or
/// that have a contact person whose name or phone does ("it's Linnea from Hall").
fn filter_directory(store: &Store, s: &mut DirectoryScreen, lang: Lang) -> Result<()> {
    let needle = s.filter.text.to_lowercase();
    let with_person: std::collections::HashSet<&str> = s
        .people
        .iter()
        .filter(|(_, text)| text.to_lowercase().contains(&needle))
        .map(|(org, _)| org.as_str())
        .collect();
    s.orgs = s
        .all
        .iter()
        .filter(|o| {
            let kind = OrgKind::from_code(&o.kind).map(|k| k.label(lang)).unwrap_or_default();
            with_person.contains(o.id.as_str())
                || [o.name.as_str(), kind, o.municipality.as_deref().unwrap_or_default()]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&needle))
        })
        .cloned()
        .collect();
    s.pager = Pager { len: Some(s.orgs.len()), ..Pager::default() };
    load_contacts(store, s)
}

fn load_contacts(store: &Store, s: &mut DirectoryScreen) -> Result<()> {
    s.contacts = match s.orgs.get(s.pager.selected) {
        Some(org) => store.contacts_of(&org.id)?,
        None => Vec::new(),
    };
    s.contact = s.contact.filter(|_| !s.contacts.is_empty()).map(|i| i.min(s.contacts.len() - 1));
    Ok(())
}

/// The client-list query of a saved view; names in the config are looked up in the store.
fn view_query(view: &SavedView, store: &Store) -> Result<ClientQuery> {
    let office_id = match &view.office {
        Some(name) => store.organisation_by_name(name)?,
        None => None,
    };
    let coordinator_id = match &view.coordinator {
        Some(name) => store.contact_by_name(name)?,
        None => None,
    };
    Ok(ClientQuery {
        phase: view.phase.as_deref().and_then(Phase::from_code),
        risk: view.risk.as_deref().and_then(RiskLevel::from_code),
        status: view.status.as_deref().and_then(EnrolmentStatus::from_code),
        office_id,
        coordinator_id,
        ..ClientQuery::default()
    })
}
