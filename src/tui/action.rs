//! Everything a key can do. Each action has a stable id (used in the keymap TOML), a context
//! that says where it works, and a description in both languages (shown in help, palette
//! and footer). The help screen and the palette are built from this one list.

use crate::i18n::Lang;

/// Where an action applies. Global actions work everywhere except while typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere.
    Global,
    /// Any list or table.
    List,
    /// The client list.
    Clients,
    /// A client's workspace.
    Workspace,
    /// The meetings calendar.
    Calendar,
    /// The Conflicts screen.
    Conflicts,
    /// The Follow-up screen.
    FollowUp,
    /// The Audit screen.
    Audit,
}

impl Context {
    /// Every context, in the order help lists them.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::List,
        Context::Clients,
        Context::Workspace,
        Context::Calendar,
        Context::Conflicts,
        Context::FollowUp,
        Context::Audit,
    ];

    /// The name used as a table in the keymap TOML.
    pub fn id(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Clients => "clients",
            Context::Workspace => "workspace",
            Context::Calendar => "calendar",
            Context::Conflicts => "conflicts",
            Context::FollowUp => "follow_up",
            Context::Audit => "audit",
        }
    }
}

macro_rules! actions {
    ($($variant:ident => $id:literal, $ctx:ident, $sv:literal, $en:literal;)+) => {
        /// A command a key or the palette can run.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),+ }

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// Stable id used in the keymap file.
            pub fn id(self) -> &'static str {
                match self { $(Action::$variant => $id),+ }
            }

            /// The action with that id.
            pub fn from_id(id: &str) -> Option<Action> {
                match id { $($id => Some(Action::$variant),)+ _ => None }
            }

            /// Where it works.
            pub fn context(self) -> Context {
                match self { $(Action::$variant => Context::$ctx),+ }
            }

            /// What it does, for help, palette and footer.
            pub fn describe(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Action::$variant, Lang::Sv) => $sv, (Action::$variant, Lang::En) => $en,)+
                }
            }
        }
    };
}

actions! {
    Quit => "quit", Global, "Avsluta", "Quit";
    Back => "back", Global, "Tillbaka", "Back";
    Help => "help", Global, "Hjälp för den här vyn", "Help for this screen";
    Palette => "palette", Global, "Kommandopalett", "Command palette";
    JumpToClient => "jump", Global, "Hoppa till klient", "Jump to client";
    QuickNote => "quick_note", Global, "Snabbanteckning på aktuell klient", "Quick note on the current client";
    Privacy => "privacy", Global, "Dölj skärmen direkt (sekretess)", "Blank the screen at once (privacy)";
    Undo => "undo", Global, "Ångra senaste ändringen", "Undo the last change";
    NewClient => "new_client", Global, "Ny klient", "New client";
    GoToday => "go_today", Global, "Idag", "Today";
    GoRadar => "go_radar", Global, "Frigivningsradar", "Release radar";
    GoFirstWeeks => "go_first_weeks", Global, "Första veckorna", "First weeks";
    GoConsent => "go_consent", Global, "Samtycken", "Consent";
    GoNeedGaps => "go_need_gaps", Global, "Behovsluckor", "Need gaps";
    GoSupervisionEnding => "go_supervision_ending", Global, "Övervakningen slutar", "Supervision ending";
    GoMyActions => "go_my_actions", Global, "Mina åtgärder", "My action items";
    GoClients => "go_clients", Global, "Klienter", "Clients";
    GoCalendar => "go_calendar", Global, "Möteskalender", "Meetings calendar";
    GoDirectory => "go_directory", Global, "Organisationer och kontakter", "Organisations and contacts";
    GoConflicts => "go_conflicts", Global, "Konflikter efter synk", "Sync conflicts";
    GoAudit => "go_audit", Global, "Granskningslogg (på öppen klient)", "Audit log (of the open client)";
    GoFollowUp => "go_follow_up", Global, "Uppföljning och utvärdering", "Follow-up and evaluation";
    MeetingsCalendar => "meetings_ics", Global, "Möten som kalenderfil (.ics)", "Meetings as a calendar file (.ics)";
    Export => "export", Global, "Exportera ändringar till fil (synk)", "Export changes to a file (sync)";
    Import => "import", Global, "Importera fil från annan dator (synk)", "Import a file from another machine (sync)";
    NextPane => "next_pane", Global, "Nästa flik / ruta", "Next tab or pane";
    PrevPane => "prev_pane", Global, "Föregående flik / ruta", "Previous tab or pane";
    Up => "up", List, "Upp", "Up";
    Down => "down", List, "Ned", "Down";
    PageUp => "page_up", List, "En sida upp", "Page up";
    PageDown => "page_down", List, "En sida ned", "Page down";
    Top => "top", List, "Första raden", "First row";
    Bottom => "bottom", List, "Sista raden", "Last row";
    Open => "open", List, "Öppna", "Open";
    Filter => "filter", List, "Filtrera", "Filter";
    Add => "add", List, "Lägg till", "Add";
    Edit => "edit", List, "Ändra markerad rad", "Edit the selected row";
    ActionDone => "action_done", List, "Markera åtgärd klar", "Mark action item done";
    Copy => "copy", List, "Kopiera personnummer (loggas) eller kontaktens telefon", "Copy the identity number (logged) or the contact's phone";
    SortNext => "sort", Clients, "Sortera på nästa kolumn", "Sort by next column";
    SortReverse => "sort_reverse", Clients, "Vänd sorteringen", "Reverse sort order";
    FilterPhase => "filter_phase", Clients, "Filter: fas", "Filter: phase";
    FilterRisk => "filter_risk", Clients, "Filter: risk", "Filter: risk";
    FilterOffice => "filter_office", Clients, "Filter: frivårdskontor", "Filter: probation office";
    FilterCoordinator => "filter_coordinator", Clients, "Filter: samordnare", "Filter: coordinator";
    FilterStatus => "filter_status", Clients, "Filter: status", "Filter: status";
    ClearFilters => "clear_filters", Clients, "Rensa filter", "Clear filters";
    View1 => "view_1", Clients, "Sparad vy 1", "Saved view 1";
    View2 => "view_2", Clients, "Sparad vy 2", "Saved view 2";
    View3 => "view_3", Clients, "Sparad vy 3", "Saved view 3";
    View4 => "view_4", Clients, "Sparad vy 4", "Saved view 4";
    View5 => "view_5", Clients, "Sparad vy 5", "Saved view 5";
    PrevTab => "prev_tab", Workspace, "Föregående flik", "Previous tab";
    NextTab => "next_tab", Workspace, "Nästa flik", "Next tab";
    Reveal => "reveal", Workspace, "Visa fullständigt personnummer / skyddad identitet (loggas)", "Show the full identity number / protected identity (logged)";
    ClientPlan => "client_plan", Workspace, "Min plan: klientens plan att skriva ut", "My plan: the client's printable plan";
    Delete => "delete", Workspace, "Radera markerad rad", "Delete the selected row";
    NeedStatus => "need_status", Workspace, "Ändra behovets status", "Change the need's status";
    Minutes => "minutes", Workspace, "Skriv protokoll för mötet", "Write minutes for the meeting";
    NewActionItem => "new_action", Workspace, "Ny åtgärd", "New action item";
    CalendarDay => "calendar_day", Calendar, "Visa dag", "Show day";
    CalendarWeek => "calendar_week", Calendar, "Visa vecka", "Show week";
    CalendarMonth => "calendar_month", Calendar, "Visa månad", "Show month";
    CalendarPrev => "calendar_prev", Calendar, "Föregående period", "Previous period";
    CalendarNext => "calendar_next", Calendar, "Nästa period", "Next period";
    CalendarToday => "calendar_today", Calendar, "Till idag", "Back to today";
    KeepMine => "keep_mine", Conflicts, "Behåll mitt värde", "Keep my value";
    KeepTheirs => "keep_theirs", Conflicts, "Behåll deras värde", "Keep their value";
    NewValue => "new_value", Conflicts, "Skriv ett nytt värde", "Type a new value";
    AuditKind => "audit_kind", Audit, "Filter: typ av händelse", "Filter: kind of entry";
    AuditPeriod => "audit_period", Audit, "Filter: period", "Filter: period";
    AuditMine => "audit_mine", Audit, "Filter: bara mina", "Filter: only mine";
    AuditClear => "audit_clear", Audit, "Rensa filter", "Clear filters";
    FollowUpPeriod => "follow_up_period", FollowUp, "Byt period", "Change the period";
    FollowUpSplit => "follow_up_split", FollowUp, "Dela upp per kontor, samordnare eller kön", "Split by office, coordinator or gender";
    FollowUpMore => "follow_up_more", FollowUp, "Visa fler grupper (de som inte får plats)", "Show more groups (those that do not fit)";
    FollowUpBack => "follow_up_back", FollowUp, "Visa föregående grupper", "Show the previous groups";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut ids: Vec<_> = Action::ALL.iter().map(|a| a.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Action::ALL.len());
        for a in Action::ALL {
            assert_eq!(Action::from_id(a.id()), Some(*a));
        }
    }

    #[test]
    fn every_action_is_described_in_both_languages() {
        for a in Action::ALL {
            assert!(!a.describe(Lang::Sv).is_empty() && !a.describe(Lang::En).is_empty(), "{a:?}");
        }
    }
}
