//! The detail of an audit entry, stored once in English and shown in the reader's language.
//!
//! An entry is written on one replica and read on every replica it syncs to, by users who
//! may have chosen different languages, and `sluss audit` prints it as stored; so the
//! stored text stays English. Each kind of detail is a [`Template`]: the code that writes
//! an entry fills the English text, and the audit screen matches a stored detail against
//! the English texts and fills the Swedish one with the same values. A detail no template
//! matches (written by an older build, say) is shown as stored.

use std::fmt::Display;

use super::Lang;

/// One kind of detail: the same text in English and Swedish, with `{}` where the values go,
/// in the same order in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    en: &'static str,
    sv: &'static str,
}

impl Template {
    /// The English text with `values` in its places: what is stored.
    pub fn fill(&self, values: &[&dyn Display]) -> String {
        fill(self.en, values.iter().map(|v| v.to_string()))
    }

    /// Whether a stored detail is this template's English text.
    pub fn is(&self, detail: &str) -> bool {
        self.values(detail).is_some()
    }

    /// The values a stored detail holds, if it is this template's English text.
    fn values<'d>(&self, detail: &'d str) -> Option<Vec<&'d str>> {
        let mut literals = self.en.split("{}");
        let first = literals.next().unwrap_or_default();
        let mut rest = detail.strip_prefix(first)?;
        let mut values = Vec::new();
        let literals: Vec<&str> = literals.collect();
        for (i, literal) in literals.iter().enumerate() {
            let last = i + 1 == literals.len();
            // Each value runs to the next literal; the last one to the end, which must then
            // be the template's last literal.
            let end = if last {
                rest.strip_suffix(literal).map(str::len)?
            } else if literal.is_empty() {
                return None;
            } else {
                rest.find(literal)?
            };
            values.push(&rest[..end]);
            rest = &rest[end + literal.len()..];
        }
        rest.is_empty().then_some(values)
    }
}

fn fill(text: &str, mut values: impl Iterator<Item = String>) -> String {
    let mut parts = text.split("{}");
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        out.push_str(&values.next().unwrap_or_default());
        out.push_str(part);
    }
    out
}

const fn t(en: &'static str, sv: &'static str) -> Template {
    Template { en, sv }
}

/// An export to one replica: how many changes, for which replica.
pub const EXPORT_FOR_REPLICA: Template =
    t("export of {} changes for replica {}", "export av {} ändringar till replik {}");
/// An export of the whole log (`--all`, or no knowledge of the receiver).
pub const EXPORT_ALL: Template = t("export of {} changes for all changes", "export av {} ändringar: hela loggen");
/// An export to a partner organisation: changes, clients, organisation.
pub const PARTNER_EXPORT: Template = t(
    "partner export of {} changes, {} clients, for organisation {}",
    "export till partner: {} ändringar, {} klienter, till organisation {}",
);
/// One client's data in a partner export, on that client's log.
pub const SHARED_WITH: Template = t("shared with organisation {}", "delad med organisation {}");
/// An import: source replica, new changes, known changes, rows, conflicts opened.
pub const IMPORT: Template = t(
    "import from replica {}: {} new, {} known changes, {} rows, {} conflicts opened",
    "import från replik {}: {} nya, {} kända ändringar, {} rader, {} konflikter öppnade",
);
/// [`IMPORT`] of a bundle cut at a limit.
pub const IMPORT_PARTIAL: Template = t(
    "import from replica {}: {} new, {} known changes, {} rows, {} conflicts opened (partial bundle)",
    "import från replik {}: {} nya, {} kända ändringar, {} rader, {} konflikter öppnade (ofullständig fil)",
);
/// A purge (gallring): rows and changes erased.
pub const PURGED: Template = t("purged: {} rows and {} changes erased", "gallrad: {} rader och {} ändringar raderade");
/// A calendar file: meetings, days ahead.
pub const ICS: Template = t("ics: {} meetings, {} days", "kalenderfil: {} möten, {} dagar");
/// A follow-up report: period, breakdown.
pub const REPORT: Template = t("report: {} ({})", "rapport: {} ({})");
/// A pseudonymised export: clients written, clients left out for want of consent.
pub const PSEUDONYMISED: Template = t(
    "pseudonymised export: {} clients, {} without consent left out",
    "pseudonymiserad export: {} klienter, {} utan samtycke utelämnade",
);
/// A client's plan printed: its form (text or HTML).
pub const PLAN: Template = t("plan ({})", "Min plan ({})");
/// A client's workspace opened.
pub const OPENED: Template = t("workspace", "arbetsyta");
/// A full personnummer shown with the reveal key.
pub const SHOWN_ID: Template = t("identity number shown", "personnummer visat");
/// A protected client's identity shown with the reveal key.
pub const SHOWN_PROTECTED: Template = t("protected identity shown", "skyddad identitet visad");
/// A client's identity shown in the client form, opened to edit the client.
pub const SHOWN_IN_FORM: Template = t("shown in the client form", "visad i klientformuläret");
/// A personnummer copied to the clipboard.
pub const COPIED: Template = t("identity number copied", "kopierat till urklipp");
/// A backup.
pub const BACKUP: Template = t("backup written", "säkerhetskopia skriven");
/// A new passphrase.
pub const REKEY: Template = t("passphrase changed", "lösenfrasen bytt");
/// The screen locked after the idle time.
pub const LOCK_IDLE: Template = t("idle", "inaktivitet");
/// The screen locked with the privacy key.
pub const LOCK_KEY: Template = t("privacy key", "sekretessknappen");
/// Unlocked, after this many wrong passphrases.
pub const UNLOCK: Template = t("after {} wrong passphrase(s)", "efter {} fel lösenfras(er)");
/// A wrong passphrase at the lock screen, the how-manieth.
pub const FAILED_UNLOCK: Template =
    t("wrong passphrase at the lock screen ({} so far)", "fel lösenfras vid låsskärmen ({} hittills)");
/// A wrong passphrase when the store was opened.
pub const FAILED_OPEN: Template = t(
    "wrong passphrase when opening the store (recorded at the next open)",
    "fel lösenfras när databasen öppnades (loggad vid nästa öppning)",
);

/// Every template, most specific first: where one English text begins another's, the
/// longer must be tried first.
const ALL: &[Template] = &[
    EXPORT_ALL,
    EXPORT_FOR_REPLICA,
    PARTNER_EXPORT,
    SHARED_WITH,
    IMPORT_PARTIAL,
    IMPORT,
    PURGED,
    ICS,
    REPORT,
    PSEUDONYMISED,
    PLAN,
    OPENED,
    SHOWN_ID,
    SHOWN_PROTECTED,
    SHOWN_IN_FORM,
    COPIED,
    BACKUP,
    REKEY,
    LOCK_IDLE,
    LOCK_KEY,
    UNLOCK,
    FAILED_UNLOCK,
    FAILED_OPEN,
];

/// A stored detail in `lang`.
pub fn show(detail: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return detail.to_owned();
    }
    ALL.iter()
        .find_map(|t| t.values(detail).map(|values| fill(t.sv, values.into_iter().map(str::to_owned))))
        .unwrap_or_else(|| detail.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detail_written_in_english_reads_in_swedish_with_its_values() {
        let replica = "01a20cdc-6eb7-72c2-aaef-a86a1895206c";
        let cases: Vec<(String, &str)> = vec![
            (
                EXPORT_FOR_REPLICA.fill(&[&1200, &replica]),
                "export av 1200 ändringar till replik 01a20cdc-6eb7-72c2-aaef-a86a1895206c",
            ),
            (EXPORT_ALL.fill(&[&5]), "export av 5 ändringar: hela loggen"),
            (
                PARTNER_EXPORT.fill(&[&40, &2, &"org-1"]),
                "export till partner: 40 ändringar, 2 klienter, till organisation org-1",
            ),
            (SHARED_WITH.fill(&[&"org-1"]), "delad med organisation org-1"),
            (
                IMPORT.fill(&[&replica, &10, &2, &7, &1]),
                "import från replik 01a20cdc-6eb7-72c2-aaef-a86a1895206c: 10 nya, 2 kända ändringar, 7 rader, 1 konflikter öppnade",
            ),
            (
                IMPORT_PARTIAL.fill(&[&"r", &10, &0, &7, &0]),
                "import från replik r: 10 nya, 0 kända ändringar, 7 rader, 0 konflikter öppnade (ofullständig fil)",
            ),
            (PURGED.fill(&[&53, &410]), "gallrad: 53 rader och 410 ändringar raderade"),
            (ICS.fill(&[&3, &30]), "kalenderfil: 3 möten, 30 dagar"),
            (REPORT.fill(&[&"2026", &"agency"]), "rapport: 2026 (agency)"),
            (PSEUDONYMISED.fill(&[&12, &3]), "pseudonymiserad export: 12 klienter, 3 utan samtycke utelämnade"),
            (PLAN.fill(&[&"html"]), "Min plan (html)"),
            (OPENED.fill(&[]), "arbetsyta"),
            (SHOWN_ID.fill(&[]), "personnummer visat"),
            (SHOWN_PROTECTED.fill(&[]), "skyddad identitet visad"),
            (SHOWN_IN_FORM.fill(&[]), "visad i klientformuläret"),
            (COPIED.fill(&[]), "kopierat till urklipp"),
            (BACKUP.fill(&[]), "säkerhetskopia skriven"),
            (REKEY.fill(&[]), "lösenfrasen bytt"),
            (LOCK_IDLE.fill(&[]), "inaktivitet"),
            (LOCK_KEY.fill(&[]), "sekretessknappen"),
            (UNLOCK.fill(&[&2]), "efter 2 fel lösenfras(er)"),
            (FAILED_UNLOCK.fill(&[&3]), "fel lösenfras vid låsskärmen (3 hittills)"),
            (FAILED_OPEN.fill(&[]), "fel lösenfras när databasen öppnades (loggad vid nästa öppning)"),
        ];
        assert_eq!(cases.len(), ALL.len(), "a template without a case here");
        for (stored, swedish) in cases {
            assert_eq!(show(&stored, Lang::Sv), swedish, "stored: {stored}");
            assert_eq!(show(&stored, Lang::En), stored);
        }
    }

    #[test]
    fn what_stays_english_is_what_was_stored() {
        assert_eq!(EXPORT_ALL.fill(&[&5]), "export of 5 changes for all changes");
        assert_eq!(UNLOCK.fill(&[&0]), "after 0 wrong passphrase(s)");
    }

    #[test]
    fn a_detail_no_template_knows_is_shown_as_stored() {
        for detail in ["", "something an older build wrote", "export of 5 changes", "idle now", "purged: 1 rows"] {
            assert_eq!(show(detail, Lang::Sv), detail);
        }
    }
}
