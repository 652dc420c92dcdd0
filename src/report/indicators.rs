//! The follow-up indicators of domain.md §7.1, computed from the data, never typed in (R4, R5).
//!
//! Two steps: [`Store::follow_up_cached`] (in `cache.rs`) reads the few facts every indicator
//! needs about each client from the store's follow-up cache, kept current with
//! [`Store::follow_up_facts`]'s rules (in `facts.rs`), and [`compute`] is a pure function from
//! those facts to [`Indicators`]: tables of labelled rows with one figure per group, plus
//! series for bar charts and sparklines. docs/follow-up.md defines each figure.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::period::{Period, month_start};
use crate::domain::enums::*;
use crate::domain::timeline;
use crate::i18n::Lang;
use crate::store::{Result, Store};

/// How figures are split into groups (each table also has a total column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum By {
    /// No split: the total only.
    #[default]
    None,
    /// By probation office of the client's programme.
    Office,
    /// By the client's coordinator.
    Coordinator,
    /// By the client's recorded gender (R19).
    Gender,
}

impl std::str::FromStr for By {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "total" => Ok(By::None),
            "office" | "kontor" => Ok(By::Office),
            "coordinator" | "samordnare" => Ok(By::Coordinator),
            "gender" | "kon" | "kön" => Ok(By::Gender),
            other => Err(format!("cannot split by '{other}': use office, coordinator or gender")),
        }
    }
}

impl By {
    /// Stable code, used in CSV.
    pub fn code(self) -> &'static str {
        match self {
            By::None => "none",
            By::Office => "office",
            By::Coordinator => "coordinator",
            By::Gender => "gender",
        }
    }
}

/// What a row's figures measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Number of clients.
    Clients,
    /// Number of meetings.
    Meetings,
    /// Number of interventions.
    Interventions,
    /// A share in percent, 0–100.
    Percent,
    /// Whole days (a median).
    Days,
    /// A mean per client.
    PerClient,
}

impl Unit {
    /// Stable code, used in CSV.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Clients => "clients",
            Unit::Meetings => "meetings",
            Unit::Interventions => "interventions",
            Unit::Percent => "percent",
            Unit::Days => "days",
            Unit::PerClient => "per_client",
        }
    }
}

/// One column of every table: a group of clients, or the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Stable key: an organisation or contact id, a gender code, or `total`.
    pub key: String,
    /// Shown name.
    pub label: String,
}

/// One labelled figure per group.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable code of the figure within its table, e.g. `declined.tackat_nej`.
    pub item: String,
    /// Shown label.
    pub label: String,
    /// What the figures measure.
    pub unit: Unit,
    /// 0 for a main row, 1 for a breakdown of the row above (indent it).
    pub depth: u8,
    /// One value per group, in [`Indicators::groups`] order (the total last). `None` where the
    /// figure is undefined, e.g. a median of no clients.
    pub values: Vec<Option<f64>>,
}

impl Row {
    /// The value for the total column.
    pub fn total(&self) -> Option<f64> {
        self.values.last().copied().flatten()
    }

    /// A value as text: counts as integers, shares and means with one decimal, "–" when undefined.
    pub fn display(&self, group: usize) -> String {
        match self.values.get(group).copied().flatten() {
            None => "–".to_owned(),
            Some(v) => match self.unit {
                Unit::Percent => format!("{v:.1} %"),
                Unit::PerClient => format!("{v:.1}"),
                _ => format!("{v:.0}"),
            },
        }
    }
}

/// A table of rows: one indicator of §7.1.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Stable code, e.g. `funnel`.
    pub id: &'static str,
    /// Shown title.
    pub title: &'static str,
    /// Which clients or events the table counts, in a few words.
    pub cohort: &'static str,
    /// The rows, in display order.
    pub rows: Vec<Row>,
}

impl Table {
    /// The row with this item code.
    pub fn row(&self, item: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.item == item)
    }
}

/// A sequence of counts for a sparkline or bar chart (totals, not split).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Stable code, e.g. `meetings_by_month`.
    pub id: &'static str,
    /// Shown title.
    pub title: &'static str,
    /// One label per value (a month `YYYY-MM`, or a bar's name).
    pub labels: Vec<String>,
    /// The counts.
    pub values: Vec<u64>,
}

/// Every indicator for one period and split.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    /// The period covered.
    pub period: Period,
    /// The split.
    pub by: By,
    /// Columns of every table; the last is the total.
    pub groups: Vec<Group>,
    /// Tables in display order: funnel, meetings, lead_time, consent, interventions, outcomes, actors.
    pub tables: Vec<Table>,
    /// Series: funnel, meetings_by_month, releases_by_month, lead_time_buckets.
    pub series: Vec<Series>,
}

impl Indicators {
    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The series with this id.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.id == id)
    }
}

// --- facts ---------------------------------------------------------------------------------------

/// A held joint meeting, as the indicators see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeetingFact {
    /// Day it was held.
    pub day: NaiveDate,
    /// Planning point 1–5 it was tagged with.
    pub point: Option<u8>,
}

/// An intervention, as the indicators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct InterventionFact {
    /// Its status.
    pub status: InterventionStatus,
    /// Kind of the providing organisation.
    pub provider: Option<OrgKind>,
    /// Life areas of the needs it addresses (empty: none linked).
    pub areas: Vec<LifeArea>,
}

/// An outcome snapshot (the latest recorded at each point).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeFact {
    /// When it was taken.
    pub point: OutcomePoint,
    /// Housing, if recorded.
    pub housing: Option<HousingStatus>,
    /// Occupation, if recorded.
    pub occupation: Option<OccupationStatus>,
    /// In treatment, if recorded.
    pub in_treatment: Option<bool>,
}

/// What the indicators need about one client. Built by [`Store::follow_up_facts`], or by hand
/// in tests.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClientFacts {
    /// The client's row id (never shown; the pseudonymised export keys its hash on it).
    pub id: String,
    /// Recorded gender.
    pub gender: Option<Gender>,
    /// Probation office of the current programme (organisation id).
    pub office_id: Option<String>,
    /// Coordinator of the current programme (contact id).
    pub coordinator_id: Option<String>,
    /// Status of the current programme; `None`: no programme recorded.
    pub status: Option<EnrolmentStatus>,
    /// Day the client was identified as a candidate (else asked, else decided).
    pub identified_on: Option<NaiveDate>,
    /// Day the client said yes or no.
    pub decided_on: Option<NaiveDate>,
    /// Decline reason code, if declined.
    pub decline_reason: Option<DeclineReason>,
    /// Abort reason code, if aborted.
    pub abort_reason: Option<AbortReason>,
    /// VF date of the current sentence.
    pub release_on: Option<NaiveDate>,
    /// Some consent was given.
    pub consent_given: bool,
    /// Some consent is documented in the VSP.
    pub consent_documented: bool,
    /// Some consent was given in writing.
    pub consent_written: bool,
    /// The programme description was given with some consent.
    pub consent_description_given: bool,
    /// The right to withdraw was explained with some consent.
    pub consent_withdraw_explained: bool,
    /// Held joint meetings.
    pub meetings: Vec<MeetingFact>,
    /// Interventions.
    pub interventions: Vec<InterventionFact>,
    /// Outcome snapshots, at most one per point.
    pub outcomes: Vec<OutcomeFact>,
    /// Kinds of the distinct organisations engaged with the client (one entry per organisation).
    pub actors: Vec<OrgKind>,
}

impl ClientFacts {
    /// Accepted the programme: active, aborted later, or completed.
    pub fn accepted(&self) -> bool {
        matches!(self.status, Some(EnrolmentStatus::Aktiv | EnrolmentStatus::Avbruten | EnrolmentStatus::Avslutad))
    }

    /// Days from the first held joint meeting to the VF date, by the rule of
    /// [`crate::domain::rules::lead_time_days`].
    pub fn lead_time(&self) -> Option<i64> {
        let first = self.meetings.iter().map(|m| m.day).min()?;
        Some(timeline::days_between(first, self.release_on?))
    }
}

/// The facts of every client plus the names groups are shown with.
#[derive(Debug, Clone, Default)]
pub struct FactBase {
    /// One entry per live client.
    pub clients: Vec<ClientFacts>,
    /// Organisation and contact names by id, for group labels.
    pub names: HashMap<String, String>,
}

/// Every indicator as of `today`, from the store's follow-up cache: what the Follow-up screen,
/// `sluss report` and `sluss bench` call ([`Store::follow_up_indicators`]).
pub fn follow_up(store: &Store, period: Period, by: By, today: NaiveDate, lang: Lang) -> Result<Indicators> {
    store.follow_up_indicators(period, by, today, lang)
}

// --- computing -----------------------------------------------------------------------------------

/// Sums per group with the total in the last slot.
struct Tally {
    groups: usize,
    rows: Vec<Row>,
    at: HashMap<String, usize>,
}

impl Tally {
    fn new(groups: usize) -> Self {
        Tally { groups, rows: Vec::new(), at: HashMap::new() }
    }

    /// Declares a row (so it shows with zeros too); returns its index.
    fn row(&mut self, item: impl Into<String>, label: impl Into<String>, unit: Unit, depth: u8) -> usize {
        let item = item.into();
        if let Some(&i) = self.at.get(&item) {
            return i;
        }
        let values = if matches!(unit, Unit::Percent | Unit::Days | Unit::PerClient) {
            vec![None; self.groups + 1]
        } else {
            vec![Some(0.0); self.groups + 1]
        };
        self.rows.push(Row { item: item.clone(), label: label.into(), unit, depth, values });
        self.at.insert(item, self.rows.len() - 1);
        self.rows.len() - 1
    }

    fn value(&self, row: usize, slot: usize) -> f64 {
        self.rows[row].values[slot].unwrap_or(0.0)
    }

    /// Fills a percent row as `part / whole * 100` for each group (undefined where whole is 0).
    fn percent(&mut self, row: usize, part: usize, whole: usize) {
        for slot in 0..=self.groups {
            let w = self.value(whole, slot);
            self.rows[row].values[slot] = (w > 0.0).then(|| 100.0 * self.value(part, slot) / w);
        }
    }

    /// Fills a mean row as `sum / n` for each group.
    fn ratio(&mut self, row: usize, sum: usize, n: usize) {
        for slot in 0..=self.groups {
            let d = self.value(n, slot);
            self.rows[row].values[slot] = (d > 0.0).then(|| self.value(sum, slot) / d);
        }
    }

    fn into_table(self, id: &'static str, title: &'static str, cohort: &'static str) -> Table {
        Table { id, title, cohort, rows: self.rows }
    }
}

fn pick(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { sv }
}

/// The median of whole days; the lower middle value for an even count, so it is a real value.
fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2] as f64)
}

/// The figures of one group (or of the total) as counts, filled in client by client.
#[derive(Debug, Clone, Default)]
struct Counts {
    candidates: u64,
    asked: u64,
    waiting: u64,
    declined: u64,
    decline: [u64; DeclineReason::ALL.len()],
    declined_none: u64,
    accepted: u64,
    active: u64,
    aborted: u64,
    abort: [u64; AbortReason::ALL.len()],
    aborted_none: u64,
    completed: u64,
    took_part: u64,
    meetings: u64,
    before: u64,
    after: u64,
    points: [u64; timeline::PlanningPoint::ALL.len()],
    no_point: u64,
    with_meeting: u64,
    four_plus: u64,
    released: u64,
    buckets: [u64; 6],
    consent_accepted: u64,
    documented: u64,
    given: u64,
    written: u64,
    description: u64,
    withdraw: u64,
    planned: u64,
    done: u64,
    status: [u64; STATUS_ROWS.len()],
    area_planned: [u64; LifeArea::ALL.len() + 1],
    area_done: [u64; LifeArea::ALL.len() + 1],
    provider_planned: [u64; OrgKind::ALL.len() + 1],
    provider_done: [u64; OrgKind::ALL.len() + 1],
    outcomes: [PointCounts; OutcomePoint::ALL.len()],
    actor_clients: u64,
    actors: u64,
    actor_count: [u64; 6],
    kinds: [u64; OrgKind::ALL.len()],
}

/// Outcome counts at one point.
#[derive(Debug, Clone, Default)]
struct PointCounts {
    recorded: u64,
    housing: [u64; HousingStatus::ALL.len()],
    occupation: [u64; OccupationStatus::ALL.len()],
    in_treatment: u64,
}

/// The statuses with a row of their own in the interventions table, in row order.
const STATUS_ROWS: [InterventionStatus; 8] = [
    InterventionStatus::Planerad,
    InterventionStatus::Erbjuden,
    InterventionStatus::Ansokt,
    InterventionStatus::Beviljad,
    InterventionStatus::Pagaende,
    InterventionStatus::Avbruten,
    InterventionStatus::Avbojd,
    InterventionStatus::EndastInformation,
];

/// Position of an area among the area rows: none first, then the enum's order.
fn area_at(a: Option<LifeArea>) -> usize {
    a.map_or(0, |a| a as usize + 1)
}

/// Position of a provider kind among the provider rows: none first, then the enum's order.
fn provider_at(k: Option<OrgKind>) -> usize {
    k.map_or(0, |k| k as usize + 1)
}

/// The lead-time bucket of a participant released in the period (row order of the table).
fn bucket(c: &ClientFacts) -> usize {
    match c.lead_time() {
        None => 5,
        Some(d) if d <= 0 => 4,
        Some(d) if d < 30 => 0,
        Some(d) if d <= 90 => 1,
        Some(d) if d <= 182 => 2,
        Some(_) => 3,
    }
}

impl Counts {
    /// Counts one client.
    fn add(&mut self, c: &ClientFacts, period: Period, released: bool) {
        // Funnel: programmes whose candidate was identified in the period.
        if let Some(status) = c.status
            && period.contains(c.identified_on)
        {
            self.candidates += 1;
            if status != EnrolmentStatus::Kandidat {
                self.asked += 1;
            }
            match status {
                EnrolmentStatus::Tillfragad => self.waiting += 1,
                EnrolmentStatus::Avbojd => {
                    self.declined += 1;
                    match c.decline_reason {
                        Some(r) => self.decline[r as usize] += 1,
                        None => self.declined_none += 1,
                    }
                }
                EnrolmentStatus::Aktiv => self.active += 1,
                EnrolmentStatus::Avbruten => {
                    self.aborted += 1;
                    match c.abort_reason {
                        Some(r) => self.abort[r as usize] += 1,
                        None => self.aborted_none += 1,
                    }
                }
                EnrolmentStatus::Avslutad => self.completed += 1,
                EnrolmentStatus::Kandidat => {}
            }
            if c.accepted() {
                self.accepted += 1;
            }
            if !c.meetings.is_empty() {
                self.took_part += 1;
            }
        }
        // Meetings: held joint meetings dated in the period.
        let mut held = 0;
        for m in c.meetings.iter().filter(|m| period.contains(Some(m.day))) {
            held += 1;
            self.meetings += 1;
            if c.release_on.is_some_and(|r| m.day < r) {
                self.before += 1;
            } else {
                self.after += 1;
            }
            match m.point.and_then(|p| self.points.get_mut(usize::from(p).wrapping_sub(1))) {
                Some(n) => *n += 1,
                None => self.no_point += 1,
            }
        }
        if held > 0 {
            self.with_meeting += 1;
        }
        if held >= 4 {
            self.four_plus += 1;
        }
        // Consent: programmes accepted (decided) in the period.
        if c.accepted() && period.contains(c.decided_on) {
            self.consent_accepted += 1;
            self.documented += u64::from(c.consent_documented);
            self.given += u64::from(c.consent_given);
            self.written += u64::from(c.consent_written);
            self.description += u64::from(c.consent_description_given);
            self.withdraw += u64::from(c.consent_withdraw_explained);
        }
        if !released {
            return;
        }
        self.released += 1;
        self.buckets[bucket(c)] += 1;
        for i in &c.interventions {
            if let Some(k) = STATUS_ROWS.iter().position(|s| *s == i.status) {
                self.status[k] += 1;
            }
            // Information only is not a planned intervention (R23, R24).
            if i.status == InterventionStatus::EndastInformation {
                continue;
            }
            let finished = i.status == InterventionStatus::Avslutad;
            self.planned += 1;
            let none = [None];
            let keys = if i.areas.is_empty() { &none[..] } else { &[][..] };
            for a in keys.iter().copied().chain(i.areas.iter().map(|a| Some(*a))) {
                self.area_planned[area_at(a)] += 1;
                if finished {
                    self.area_done[area_at(a)] += 1;
                }
            }
            self.provider_planned[provider_at(i.provider)] += 1;
            if finished {
                self.done += 1;
                self.provider_done[provider_at(i.provider)] += 1;
            }
        }
        for o in &c.outcomes {
            let Some(p) = OutcomePoint::ALL.iter().position(|p| *p == o.point) else { continue };
            let at = &mut self.outcomes[p];
            at.recorded += 1;
            if let Some(h) = o.housing {
                at.housing[h as usize] += 1;
            }
            if let Some(x) = o.occupation {
                at.occupation[x as usize] += 1;
            }
            if o.in_treatment == Some(true) {
                at.in_treatment += 1;
            }
        }
        self.actor_clients += 1;
        self.actors += c.actors.len() as u64;
        self.actor_count[c.actors.len().min(5)] += 1;
        // Distinct kinds as bits: no set allocated per client.
        const _: () = assert!(OrgKind::ALL.len() <= 64);
        let kinds = c.actors.iter().fold(0u64, |bits, k| bits | 1 << (*k as usize));
        for (k, n) in self.kinds.iter_mut().enumerate() {
            if kinds & 1 << k != 0 {
                *n += 1;
            }
        }
    }
}

/// A group while clients are being counted: its key and counts.
#[derive(Debug, Clone)]
struct Tallied {
    key: String,
    counts: Counts,
    days: Vec<i64>,
}

/// Computes the indicators one client at a time, so the clients need not all be in memory
/// at once: [`Store::follow_up_indicators`] streams the follow-up cache into it. Feed
/// every live client to [`Fold::add`] (any order), then call [`Fold::finish`].
#[derive(Debug, Clone)]
pub struct Fold {
    period: Period,
    by: By,
    today: NaiveDate,
    total: Counts,
    total_days: Vec<i64>,
    groups: Vec<Tallied>,
    group_at: HashMap<String, usize>,
    months: HashMap<NaiveDate, u64>,
    release_months: HashMap<NaiveDate, u64>,
    areas_seen: [bool; LifeArea::ALL.len() + 1],
    providers_seen: [bool; OrgKind::ALL.len() + 1],
}

impl Fold {
    /// An empty fold for `period`, split `by`, as of `today` (a release after today has not
    /// happened yet).
    pub fn new(period: Period, by: By, today: NaiveDate) -> Fold {
        Fold {
            period,
            by,
            today,
            total: Counts::default(),
            total_days: Vec::new(),
            groups: Vec::new(),
            group_at: HashMap::new(),
            months: HashMap::new(),
            release_months: HashMap::new(),
            areas_seen: [false; LifeArea::ALL.len() + 1],
            providers_seen: [false; OrgKind::ALL.len() + 1],
        }
    }

    /// The group a client belongs to under the split (a client without one is in "none").
    fn group(&mut self, c: &ClientFacts) -> Option<usize> {
        let key = match self.by {
            By::None => return None,
            By::Office => c.office_id.as_deref().unwrap_or("none"),
            By::Coordinator => c.coordinator_id.as_deref().unwrap_or("none"),
            By::Gender => c.gender.unwrap_or(Gender::Okant).code(),
        };
        if let Some(&g) = self.group_at.get(key) {
            return Some(g);
        }
        self.group_at.insert(key.to_owned(), self.groups.len());
        self.groups.push(Tallied { key: key.to_owned(), counts: Counts::default(), days: Vec::new() });
        Some(self.groups.len() - 1)
    }

    /// Counts one live client.
    pub fn add(&mut self, c: &ClientFacts) {
        let period = self.period;
        let released = c.accepted() && period.contains(c.release_on) && c.release_on.is_some_and(|r| r <= self.today);
        self.total.add(c, period, released);
        let group = self.group(c);
        if let Some(g) = group {
            self.groups[g].counts.add(c, period, released);
        }
        for m in c.meetings.iter().filter(|m| period.contains(Some(m.day))) {
            *self.months.entry(month_start(m.day)).or_default() += 1;
        }
        if !released {
            return;
        }
        if let Some(r) = c.release_on {
            *self.release_months.entry(month_start(r)).or_default() += 1;
        }
        if let Some(d) = c.lead_time() {
            self.total_days.push(d);
            if let Some(g) = group {
                self.groups[g].days.push(d);
            }
        }
        for i in &c.interventions {
            if i.areas.is_empty() {
                self.areas_seen[0] = true;
            }
            for a in &i.areas {
                self.areas_seen[area_at(Some(*a))] = true;
            }
            self.providers_seen[provider_at(i.provider)] = true;
        }
    }

    /// The indicators: groups sorted and labelled (`names` gives organisation and contact
    /// names), tables and series.
    pub fn finish(mut self, names: &HashMap<String, String>, lang: Lang) -> Indicators {
        let (period, by) = (self.period, self.by);
        let label = |key: &str| -> String {
            if key == "none" {
                return pick(lang, "Ingen uppgift", "Not recorded").to_owned();
            }
            match by {
                By::Gender => Gender::from_code(key).map(|g| g.label(lang)).unwrap_or(key).to_owned(),
                _ => names.get(key).cloned().unwrap_or_else(|| key.to_owned()),
            }
        };
        let mut order: Vec<(Group, usize)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, t)| (Group { key: t.key.clone(), label: label(&t.key) }, i))
            .collect();
        match by {
            // Genders in the order the enum lists them; names alphabetically.
            By::Gender => order.sort_by_key(|(g, _)| Gender::from_code(&g.key).map(|x| x as usize)),
            _ => order.sort_by(|(a, _), (b, _)| {
                (a.key == "none", &a.label, &a.key).cmp(&(b.key == "none", &b.label, &b.key))
            }),
        }
        let n = order.len();
        // Every group's counts in column order, the total last.
        let mut days: Vec<Vec<i64>> = order.iter().map(|&(_, i)| std::mem::take(&mut self.groups[i].days)).collect();
        days.push(std::mem::take(&mut self.total_days));
        let mut columns: Vec<&Counts> = order.iter().map(|&(_, i)| &self.groups[i].counts).collect();
        columns.push(&self.total);
        let mut groups: Vec<Group> = order.iter().map(|(g, _)| g.clone()).collect();
        groups.push(Group { key: "total".to_owned(), label: pick(lang, "Totalt", "Total").to_owned() });
        // Sets a declared row's values from one count per column.
        let fill = |t: &mut Tally, row: usize, count: &dyn Fn(&Counts) -> u64| {
            t.rows[row].values = columns.iter().map(|c| Some(count(c) as f64)).collect();
        };
        let mut tables = Vec::new();

        // Funnel.
        let mut t = Tally::new(n);
        let candidates = t.row("candidates", pick(lang, "Kandidater", "Candidates"), Unit::Clients, 0);
        fill(&mut t, candidates, &|c| c.candidates);
        let asked = t.row("asked", pick(lang, "Tillfrågade", "Asked"), Unit::Clients, 0);
        fill(&mut t, asked, &|c| c.asked);
        let row = t.row("awaiting_answer", pick(lang, "Väntar på svar", "Awaiting answer"), Unit::Clients, 1);
        fill(&mut t, row, &|c| c.waiting);
        // The reasons below are the client's "no" and the service's (ineligible, no capacity).
        let row = t.row("declined", pick(lang, "Nej (klient/verksamhet)", "No (client/service)"), Unit::Clients, 1);
        fill(&mut t, row, &|c| c.declined);
        for (k, r) in DeclineReason::ALL.iter().enumerate() {
            let row = t.row(format!("declined.{}", r.code()), r.label(lang), Unit::Clients, 2);
            fill(&mut t, row, &|c| c.decline[k]);
        }
        let row = t.row("declined.not_given", pick(lang, "Skäl saknas", "No reason given"), Unit::Clients, 2);
        fill(&mut t, row, &|c| c.declined_none);
        let accepted = t.row("accepted", pick(lang, "Tackade ja", "Accepted"), Unit::Clients, 1);
        fill(&mut t, accepted, &|c| c.accepted);
        let active = t.row("active", pick(lang, "Aktiva", "Active"), Unit::Clients, 0);
        fill(&mut t, active, &|c| c.active);
        let row = t.row("aborted", pick(lang, "Avbrutna", "Aborted"), Unit::Clients, 0);
        fill(&mut t, row, &|c| c.aborted);
        for (k, r) in AbortReason::ALL.iter().enumerate() {
            let row = t.row(format!("aborted.{}", r.code()), r.label(lang), Unit::Clients, 1);
            fill(&mut t, row, &|c| c.abort[k]);
        }
        let row = t.row("aborted.not_given", pick(lang, "Skäl saknas", "No reason given"), Unit::Clients, 1);
        fill(&mut t, row, &|c| c.aborted_none);
        let completed = t.row("completed", pick(lang, "Avslutade", "Completed"), Unit::Clients, 0);
        fill(&mut t, completed, &|c| c.completed);
        let row = t.row(
            "took_part",
            pick(lang, "Deltog (minst ett samverkansmöte)", "Took part (at least one joint meeting)"),
            Unit::Clients,
            0,
        );
        fill(&mut t, row, &|c| c.took_part);
        let mut funnel_series = [0u64; 5];
        for (i, row) in [candidates, asked, accepted, active, completed].into_iter().enumerate() {
            funnel_series[i] = t.value(row, n) as u64;
        }
        tables.push(t.into_table(
            "funnel",
            pick(lang, "Rekrytering", "Enrolment funnel"),
            pick(lang, "kandidater identifierade under perioden", "candidates identified in the period"),
        ));

        // Meetings.
        let mut t = Tally::new(n);
        let meetings = t.row("joint_meetings", pick(lang, "Samverkansmöten", "Joint meetings"), Unit::Meetings, 0);
        fill(&mut t, meetings, &|c| c.meetings);
        let row = t.row("before_release", pick(lang, "före frigivningen", "before release"), Unit::Meetings, 1);
        fill(&mut t, row, &|c| c.before);
        let row = t.row(
            "after_release",
            pick(lang, "på eller efter frigivningsdagen", "on or after release day"),
            Unit::Meetings,
            1,
        );
        fill(&mut t, row, &|c| c.after);
        for (k, (code, label)) in timeline_points(lang).into_iter().enumerate() {
            let row = t.row(format!("point.{code}"), label, Unit::Meetings, 1);
            fill(&mut t, row, &|c| c.points[k]);
        }
        let row = t.row("point.none", pick(lang, "utan planeringspunkt", "no planning point"), Unit::Meetings, 1);
        fill(&mut t, row, &|c| c.no_point);
        let with = t.row("clients", pick(lang, "Klienter med möte", "Clients with a meeting"), Unit::Clients, 0);
        fill(&mut t, with, &|c| c.with_meeting);
        let row = t.row(
            "clients_4_plus",
            pick(lang, "Klienter med minst 4 möten", "Clients with 4+ meetings"),
            Unit::Clients,
            1,
        );
        fill(&mut t, row, &|c| c.four_plus);
        let per = t.row("per_client", pick(lang, "Möten per klient", "Meetings per client"), Unit::PerClient, 0);
        t.ratio(per, meetings, with);
        tables.push(t.into_table(
            "meetings",
            pick(lang, "Samverkansmöten", "Joint meetings"),
            pick(lang, "genomförda samverkansmöten under perioden", "joint meetings held in the period"),
        ));

        // Lead time of participants released in the period.
        let mut t = Tally::new(n);
        let rel = t.row("released", pick(lang, "Frigivna deltagare", "Participants released"), Unit::Clients, 0);
        fill(&mut t, rel, &|c| c.released);
        let med = t.row(
            "median_days",
            pick(lang, "Median, dagar från första möte till frigivning", "Median days from first meeting to release"),
            Unit::Days,
            0,
        );
        let bucket_defs: [(&str, &str, &str); 6] = [
            ("under_1_month", "mindre än 1 månad före", "under 1 month before"),
            ("1_to_3_months", "1–3 månader före", "1–3 months before"),
            ("3_to_6_months", "3–6 månader före", "3–6 months before"),
            ("over_6_months", "mer än 6 månader före", "over 6 months before"),
            ("after_release", "första mötet på eller efter frigivningsdagen", "first meeting on or after release day"),
            ("no_meeting", "inget samverkansmöte", "no joint meeting"),
        ];
        let mut buckets = Vec::new();
        for (k, (code, sv, en)) in bucket_defs.iter().enumerate() {
            let row = t.row(*code, pick(lang, sv, en), Unit::Clients, 1);
            fill(&mut t, row, &|c| c.buckets[k]);
            buckets.push(row);
        }
        for (slot_days, v) in days.iter_mut().zip(t.rows[med].values.iter_mut()) {
            *v = median(slot_days);
        }
        let lead_series = Series {
            id: "lead_time_buckets",
            title: pick(lang, "Första mötet före frigivning", "First meeting before release"),
            labels: bucket_defs.iter().map(|(_, sv, en)| pick(lang, sv, en).to_owned()).collect(),
            values: buckets.iter().map(|&b| t.value(b, n) as u64).collect(),
        };
        tables.push(t.into_table(
            "lead_time",
            pick(lang, "Ledtid före frigivning", "Lead time before release"),
            pick(lang, "deltagare frigivna under perioden", "participants released in the period"),
        ));

        // Consent.
        let mut t = Tally::new(n);
        let acc =
            t.row("accepted", pick(lang, "Deltagare som tackat ja", "Participants who accepted"), Unit::Clients, 0);
        fill(&mut t, acc, &|c| c.consent_accepted);
        let doc =
            t.row("documented", pick(lang, "med dokumenterat samtycke", "with documented consent"), Unit::Clients, 1);
        fill(&mut t, doc, &|c| c.documented);
        let doc_share =
            t.row("documented_share", pick(lang, "andel dokumenterat samtycke", "share documented"), Unit::Percent, 1);
        let given =
            t.row("given", pick(lang, "med samtycke (alla former)", "with consent (any form)"), Unit::Clients, 1);
        fill(&mut t, given, &|c| c.given);
        let given_share =
            t.row("given_share", pick(lang, "andel med samtycke", "share with consent"), Unit::Percent, 1);
        let row = t.row("written", pick(lang, "skriftligt samtycke", "written consent"), Unit::Clients, 1);
        fill(&mut t, row, &|c| c.written);
        let row = t.row(
            "description_given",
            pick(lang, "fått programbeskrivning", "programme description given"),
            Unit::Clients,
            1,
        );
        fill(&mut t, row, &|c| c.description);
        let row = t.row(
            "withdraw_explained",
            pick(lang, "informerad om rätten att återkalla", "right to withdraw explained"),
            Unit::Clients,
            1,
        );
        fill(&mut t, row, &|c| c.withdraw);
        t.percent(doc_share, doc, acc);
        t.percent(given_share, given, acc);
        tables.push(t.into_table(
            "consent",
            pick(lang, "Samtycke", "Consent"),
            pick(lang, "deltagare som tackat ja under perioden", "participants who accepted in the period"),
        ));

        // Interventions of participants released in the period.
        let mut t = Tally::new(n);
        let planned =
            t.row("planned", pick(lang, "Planerade insatser", "Interventions planned"), Unit::Interventions, 0);
        fill(&mut t, planned, &|c| c.planned);
        let done = t.row("completed", pick(lang, "Genomförda (avslutade)", "Completed"), Unit::Interventions, 0);
        fill(&mut t, done, &|c| c.done);
        let share = t.row("completed_share", pick(lang, "Andel genomförda", "Share completed"), Unit::Percent, 0);
        for (k, s) in STATUS_ROWS.iter().enumerate() {
            let row = t.row(format!("status.{}", s.code()), s.label(lang), Unit::Interventions, 1);
            fill(&mut t, row, &|c| c.status[k]);
        }
        // Two rows per life area or provider: "<label>: planerade" and "<label>: genomförda".
        let planned_and_done = |t: &mut Tally,
                                key: &str,
                                label: &str,
                                planned: &dyn Fn(&Counts) -> u64,
                                done: &dyn Fn(&Counts) -> u64| {
            for (what, sv, en, count) in
                [("planned", "planerade", "planned", planned), ("completed", "genomförda", "completed", done)]
            {
                let row =
                    t.row(format!("{key}.{what}"), format!("{label}: {}", pick(lang, sv, en)), Unit::Interventions, 1);
                fill(t, row, count);
            }
        };
        let none_label = pick(lang, "Inget behov kopplat", "No need linked");
        let no_provider = pick(lang, "Ingen utförare", "No provider");
        for a in std::iter::once(None).chain(LifeArea::ALL.iter().map(|a| Some(*a))) {
            let at = area_at(a);
            if !self.areas_seen[at] {
                continue;
            }
            let (code, label) = a.map_or(("none", none_label), |a| (a.code(), a.label(lang)));
            planned_and_done(&mut t, &format!("area.{code}"), label, &|c| c.area_planned[at], &|c| c.area_done[at]);
        }
        for k in std::iter::once(None).chain(OrgKind::ALL.iter().map(|k| Some(*k))) {
            let at = provider_at(k);
            if !self.providers_seen[at] {
                continue;
            }
            let (code, label) = k.map_or(("none", no_provider), |k| (k.code(), k.label(lang)));
            let (planned, done) = (|c: &Counts| c.provider_planned[at], |c: &Counts| c.provider_done[at]);
            planned_and_done(&mut t, &format!("provider.{code}"), label, &planned, &done);
        }
        t.percent(share, done, planned);
        tables.push(t.into_table(
            "interventions",
            pick(lang, "Insatser planerade och genomförda", "Interventions planned and completed"),
            pick(
                lang,
                "insatser för deltagare frigivna under perioden",
                "interventions of participants released in the period",
            ),
        ));

        // Outcomes at release, +3 months, +6 months and end of supervision.
        let mut t = Tally::new(n);
        let row = t.row("released", pick(lang, "Frigivna deltagare", "Participants released"), Unit::Clients, 0);
        fill(&mut t, row, &|c| c.released);
        for (k, p) in OutcomePoint::ALL.iter().enumerate() {
            let pc = p.code();
            let row = t.row(
                format!("{pc}.recorded"),
                format!("{}: {}", p.label(lang), pick(lang, "registrerat", "recorded")),
                Unit::Clients,
                0,
            );
            fill(&mut t, row, &|c| c.outcomes[k].recorded);
            for (h, s) in HousingStatus::ALL.iter().enumerate() {
                let row = t.row(format!("{pc}.housing.{}", s.code()), s.label(lang), Unit::Clients, 1);
                fill(&mut t, row, &|c| c.outcomes[k].housing[h]);
            }
            for (o, s) in OccupationStatus::ALL.iter().enumerate() {
                let row = t.row(format!("{pc}.occupation.{}", s.code()), s.label(lang), Unit::Clients, 1);
                fill(&mut t, row, &|c| c.outcomes[k].occupation[o]);
            }
            let row = t.row(format!("{pc}.in_treatment"), pick(lang, "I behandling", "In treatment"), Unit::Clients, 1);
            fill(&mut t, row, &|c| c.outcomes[k].in_treatment);
        }
        tables.push(t.into_table(
            "outcomes",
            pick(lang, "Boende, sysselsättning och behandling", "Housing, occupation and treatment"),
            pick(lang, "deltagare frigivna under perioden", "participants released in the period"),
        ));

        // Actors engaged per client.
        let mut t = Tally::new(n);
        let cl = t.row("clients", pick(lang, "Frigivna deltagare", "Participants released"), Unit::Clients, 0);
        fill(&mut t, cl, &|c| c.actor_clients);
        let total_actors =
            t.row("actors", pick(lang, "Engagerade aktörer (summa)", "Actors engaged (sum)"), Unit::Clients, 0);
        fill(&mut t, total_actors, &|c| c.actors);
        let mean = t.row("per_client", pick(lang, "Aktörer per klient", "Actors per client"), Unit::PerClient, 0);
        for (k, code) in ["0", "1", "2", "3", "4", "5_plus"].iter().enumerate() {
            let label = match *code {
                "5_plus" => pick(lang, "5 eller fler aktörer", "5 or more actors").to_owned(),
                "1" => pick(lang, "1 aktör", "1 actor").to_owned(),
                c => format!("{c} {}", pick(lang, "aktörer", "actors")),
            };
            let row = t.row(format!("count.{code}"), label, Unit::Clients, 1);
            fill(&mut t, row, &|c| c.actor_count[k]);
        }
        for (k, kind) in OrgKind::ALL.iter().enumerate() {
            let row = t.row(format!("kind.{}", kind.code()), kind.label(lang), Unit::Clients, 1);
            fill(&mut t, row, &|c| c.kinds[k]);
        }
        t.ratio(mean, total_actors, cl);
        // Kinds no client was engaged with would only be noise in the table.
        let mut table = t.into_table(
            "actors",
            pick(lang, "Aktörer per klient", "Actors engaged per client"),
            pick(lang, "deltagare frigivna under perioden", "participants released in the period"),
        );
        table.rows.retain(|r| !r.item.starts_with("kind.") || r.total().is_some_and(|v| v > 0.0));
        tables.push(table);

        let funnel_labels = [
            pick(lang, "Kandidater", "Candidates"),
            pick(lang, "Tillfrågade", "Asked"),
            // Short: a bar's label is as wide as the bar.
            pick(lang, "Sa ja", "Accepted"),
            pick(lang, "Aktiva", "Active"),
            pick(lang, "Avslutade", "Completed"),
        ];
        let by_month: BTreeMap<NaiveDate, u64> = self.months.into_iter().collect();
        let release_months: BTreeMap<NaiveDate, u64> = self.release_months.into_iter().collect();
        let series = vec![
            Series {
                id: "funnel",
                title: pick(lang, "Rekrytering", "Enrolment funnel"),
                labels: funnel_labels.iter().map(|s| (*s).to_owned()).collect(),
                values: funnel_series.to_vec(),
            },
            month_series(
                "meetings_by_month",
                pick(lang, "Samverkansmöten per månad", "Joint meetings per month"),
                &by_month,
                period,
            ),
            month_series(
                "releases_by_month",
                pick(lang, "Frigivna deltagare per månad", "Participants released per month"),
                &release_months,
                period,
            ),
            lead_series,
        ];
        Indicators { period, by, groups, tables, series }
    }
}

/// Computes every indicator for `period`, split `by`, as of `today` (a release after today has
/// not happened yet). Pure: the same facts give the same figures.
pub fn compute(base: &FactBase, period: Period, by: By, today: NaiveDate, lang: Lang) -> Indicators {
    let mut fold = Fold::new(period, by, today);
    for c in &base.clients {
        fold.add(c);
    }
    fold.finish(&base.names, lang)
}

fn timeline_points(lang: Lang) -> Vec<(String, String)> {
    timeline::PlanningPoint::ALL
        .iter()
        .map(|p| (p.number().to_string(), format!("{} {}", p.number(), p.label(lang))))
        .collect()
}

/// Longest month series a chart gets when the period has an open end: three years.
const MAX_MONTHS: usize = 36;

/// Counts per month with empty months filled in, over the period (or the data's span, at
/// most the last `MAX_MONTHS` months of it, when the period is open).
fn month_series(id: &'static str, title: &'static str, counts: &BTreeMap<NaiveDate, u64>, period: Period) -> Series {
    let first = period.from.map(month_start).or_else(|| counts.keys().next().copied());
    let last = period.to.map(month_start).or_else(|| counts.keys().next_back().copied());
    let mut labels = Vec::new();
    let mut values = Vec::new();
    if let (Some(mut m), Some(last)) = (first, last) {
        while m <= last {
            labels.push(m.format("%Y-%m").to_string());
            values.push(counts.get(&m).copied().unwrap_or(0));
            m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(last.succ_opt().unwrap_or(last));
        }
    }
    if labels.len() > MAX_MONTHS {
        let cut = labels.len() - MAX_MONTHS;
        labels.drain(..cut);
        values.drain(..cut);
    }
    Series { id, title, labels, values }
}
