//! The catalogue of interface texts, Swedish and English side by side.

/// A text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// Svenska.
    pub sv: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub fn get(self, lang: super::Lang) -> &'static str {
        match lang {
            super::Lang::Sv => self.sv,
            super::Lang::En => self.en,
        }
    }
}

macro_rules! texts {
    ($($name:ident = $sv:literal, $en:literal;)+) => {
        $(#[doc = $en] pub const $name: Text = Text { sv: $sv, en: $en };)+
        /// Every text, for tests.
        pub const ALL: &[Text] = &[$($name),+];
    };
}

texts! {
    ENROLMENT = "Inslussning", "Enrolment";
    CHOOSE_TITLE = "Lägg till", "Add";
    CHOOSE_HINT = "↑↓ eller första bokstaven · Enter öppna formuläret · Esc avbryt", "↑↓ or the first letter · Enter opens the form · Esc cancels";
    DRAFTS_TITLE = "Osparade utkast", "Unsaved drafts";
    DRAFTS_HINT = "sluss avslutades med formulär öppna. Enter återställ · d kasta · Esc senare", "sluss ended with forms open. Enter restore · d discard · Esc later";
    CONFIRM_TITLE = "Bekräfta", "Confirm";
    APP_TITLE = "sluss", "sluss";
    TODAY = "Idag", "Today";
    MEETINGS_THIS_WEEK = "Möten de närmaste 7 dagarna", "Meetings in the next 7 days";
    OVERDUE_ACTIONS = "Försenade åtgärder", "Overdue action items";
    OVERDUE_FOLLOW_UPS = "Försenade uppföljningar", "Overdue follow-ups";
    NOTHING_HERE = "Inget att visa.", "Nothing to show.";
    LOADING_ERROR = "Kunde inte läsa: ", "Could not read: ";
    CLIENT = "Klient", "Client";
    NAME = "Namn", "Name";
    ID_NUMBER = "Personnr", "ID number";
    MUNICIPALITY = "Kommun", "Municipality";
    PHASE = "Fas", "Phase";
    RELEASE = "VF-datum", "Release";
    DAYS = "Dagar", "Days";
    RISK = "Risk", "Risk";
    STATUS = "Status", "Status";
    COORDINATOR = "Samordnare", "Coordinator";
    OFFICE = "Kontor", "Office";
    FLAGS = "Flaggor", "Flags";
    DUE = "Senast", "Due";
    WHAT = "Vad", "What";
    WHO = "Vem", "Who";
    WHEN = "När", "When";
    KIND = "Typ", "Kind";
    MODE = "Form", "Mode";
    PLACE = "Plats", "Place";
    CONSENT = "Samtycke", "Consent";
    CONSENT_MISSING = "Samtycke saknas", "Consent missing";
    RELEASE_IS = "VF", "Release";
    RELEASED = "Frigiven", "Released";
    NEXT_MEETING = "Nästa möte", "Next meeting";
    OVERDUE = "Försenade", "Overdue";
    NONE = "–", "–";
    FILTER = "Filter", "Filter";
    SORT_NAME = "namn", "name";
    SORT_RELEASE = "VF-datum", "release date";
    ROWS = "rader", "rows";
    SEARCH = "Sök", "Search";
    HELP_TITLE = "Hjälp", "Help";
    HELP_TYPE_TO_SEARCH = "Skriv för att söka bland kommandona", "Type to search the commands";
    PALETTE_TITLE = "Kommando", "Command";
    JUMP_TITLE = "Hoppa till klient", "Jump to client";
    JUMP_HINT = "Skriv några bokstäver av namn eller personnummer", "Type a few letters of a name or ID number";
    KEY = "Tangent", "Key";
    COMMAND = "Kommando", "Command";
    RADAR_DAYS = "dagar framåt", "days ahead";
    FIRST_WEEKS_DAYS = "dagar sedan frigivning", "days since release";
    TAB_OVERVIEW = "Översikt", "Overview";
    TAB_NEEDS = "Behov", "Needs";
    TAB_INTERVENTIONS = "Insatser", "Interventions";
    TAB_PLAN = "Plan", "Plan";
    TAB_MEETINGS = "Möten", "Meetings";
    TAB_CONSENT = "Samtycke", "Consent";
    TAB_NOTES = "Anteckningar", "Notes";
    TAB_HISTORY = "Historik", "History";
    PLANNING_POINTS = "Planeringspunkter", "Planning points";
    WINDOW = "Fönster", "Window";
    PROVIDERS = "Utförare", "Providers";
    NO_PROVIDER = "ingen utförare", "no provider";
    EARLIER = "tidigare:", "earlier:";
    GOALS = "Mål", "Goals";
    PARTICIPANTS = "Deltagare", "Participants";
    MINUTES = "Protokoll", "Minutes";
    ACTIONS = "Åtgärder", "Action items";
    SCOPE = "Omfattar", "Covers";
    EXPIRES = "Gäller till", "Expires";
    REVOKED = "Återkallat", "Revoked";
    GIVEN = "Givet", "Given";
    EVENTS = "Händelser", "Events";
    FIELD = "Fält", "Field";
    VALUE = "Värde", "Value";
    MACHINE = "Dator", "Machine";
    AUTHOR = "Av", "By";
    DAY = "Dag", "Day";
    WEEK = "Vecka", "Week";
    MONTH = "Månad", "Month";
    CONTACTS = "Kontakter", "Contacts";
    ORGANISATIONS = "Organisationer", "Organisations";
    PHONE = "Telefon", "Phone";
    ROLE = "Roll", "Role";
    VERIFIED = "Kontrollerad", "Verified";
    START = "start", "starts";
    CONTINUES_PRISON = "fortsätter insats från anstalten", "continues an intervention from prison";
    EXPIRED = "har gått ut", "has expired";
    POINT = "punkt", "point";
    NOTE_TITLE = "Anteckning", "Note";
    NOTE_PLACEHOLDER = "Skriv anteckningen. Ctrl-s sparar, Esc avbryter.", "Write the note. Ctrl-s saves, Esc cancels.";
    NOTE_NEEDS_CLIENT = "Öppna en klient först (Ctrl-k hoppar till en klient)",
        "Open a client first (Ctrl-k jumps to a client)";
    NOTE_EMPTY = "Anteckningen är tom: skriv något eller tryck Esc", "The note is empty: write something or press Esc";
    NOTE_SAVED = "Anteckningen är sparad", "The note is saved";
    NOTE_CONFIRM_DISCARD = "Tryck Esc igen för att kasta anteckningen, eller skriv vidare",
        "Press Esc again to discard the note, or keep writing";
    NOTE_KEYS = "Ctrl-s spara · Esc avbryt", "Ctrl-s save · Esc cancel";
    PURPOSE_TODAY = "Möten de närmaste 7 dagarna (idag medräknad), försenade åtgärder och uppföljningar.",
        "Meetings in the next 7 days (today included), overdue action items and follow-ups.";
    PURPOSE_RADAR = "Frigivningar de närmaste dagarna; en bokstav i Flaggor betyder att något saknas.",
        "Releases in the coming days; a letter under Flags means something is missing.";
    PURPOSE_FIRST_WEEKS = "Nyss frigivna: den mest riskfyllda tiden. Flaggorna visar vad som fortfarande saknas.",
        "Recently released: the riskiest time. The flags show what is still missing.";
    PURPOSE_CONSENT = "Aktiva klienter vars samtycke saknas, inte är dokumenterat, snart går ut, har gått ut eller återkallats.",
        "Active clients whose consent is missing, undocumented, expiring, expired or revoked.";
    PURPOSE_NEED_GAPS = "Behov utan utförare och kombinationer som kräver en viss aktör (KFM/BUS, SIP, polis).",
        "Needs without a provider, and combinations that call for a certain agency (KFM/BUS, SIP, police).";
    PURPOSE_ENDING = "Prövotiden slutar inom 60 dagar och ingen överlämning av samordningen är registrerad.",
        "Probation ends within 60 days and no handover of coordination is recorded.";
    PURPOSE_MY_ACTIONS = "Öppna åtgärder, tidigast först.", "Open action items, earliest first.";
    PURPOSE_CLIENTS = "Alla klienter. / söker, p r t o c filtrerar, s sorterar, Alt-1…5 sparade vyer.",
        "Every client. / searches, p r t o c filter, s sorts, Alt-1…5 saved views.";
    PURPOSE_WORKSPACE = "En klient: rubriken svarar på läget, flikarna visar detaljerna.",
        "One client: the header gives the state, the tabs the details.";
    PURPOSE_CALENDAR = "Möten per dag, vecka eller månad.", "Meetings by day, week or month.";
    PURPOSE_FOLLOW_UP = "Nyckeltal för uppföljning: vem som tillfrågades, tackade ja eller nej, möten, insatser, utfall. Tab byter tabell.", "Follow-up figures: who was asked, accepted or declined, meetings, interventions, outcomes. Tab changes table.";
    PURPOSE_AUDIT = "Vem som öppnat, visat, ändrat, exporterat eller importerat vad, och när. Nyast först.", "Who opened, revealed, changed, exported or imported what, and when. Newest first.";
    PURPOSE_CONFLICTS = "Fält som två datorer ändrat utan att se varandras ändring. Välj värde; valet synkas.", "Fields two machines changed without seeing each other's change. Choose a value; the choice syncs.";
    PURPOSE_DIRECTORY = "Organisationer och deras kontaktpersoner. / filtrerar.",
        "Organisations and their contact people. / filters.";
    UNKNOWN_KEY = "Okänd tangent – tryck ? för hjälp", "Unknown key – press ? for help";
    MORE = "fler", "more";
    SET_USER_HINT = "Alla öppna åtgärder – ange user i config.toml för att se bara dina",
        "All open action items – set user in config.toml to see only yours";
    PROTECTED = "Skyddad identitet", "Protected identity";
    DAYS_LEFT = "Dagar kvar", "Days left";
    PROBATION_END = "Prövotid slut", "Probation ends";
    ROOM = "Rum", "Room";
    NOT_BOOKED = "ej bokat", "not booked";
    BOOKED = "bokat", "booked";
    FLAG_LEGEND = "Saknas: M möte hållet B bostad S sysselsättn. C samtycke V VF-möte T behandl. P stödpers. I id/bank",
        "Missing: M meeting held B housing S occupation C consent V release mtg T treatment P support I ID/bank";
    // What fits under a dashboard at 80 columns; the long form shows where there is room.
    FLAG_LEGEND_SHORT = "Saknas: M möte B bostad S syss C samt V VF-möte T beh P stöd I id/bank",
        "Missing: M mtg B housing S occup C consent V VF mtg T treat P supp I ID";
    HANDOVER_MISSING = "Överlämning saknas", "No handover recorded";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages() {
        for t in ALL {
            assert!(!t.sv.is_empty() && !t.en.is_empty(), "{t:?}");
        }
    }
}
