//! The dashboards of daily work. Each starts from a page of candidate clients found by an
//! indexed query and keeps those the domain rules pick, so the rules stay the one
//! definition of "consent missing" or "need gap" and the cost follows the page, not the store.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::domain::model::ClientFile;
use crate::domain::rules::{self, ConsentState, NeedGaps, ReadinessFlags};
use crate::domain::timeline;
use crate::store::views::{Candidates, ClientRow};
use crate::store::{Result, Store};

/// A dashboard that lists clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientDashboard {
    /// Releases in the next N days, with readiness flags.
    ReleaseRadar(i64),
    /// Released in the last N days.
    FirstWeeks(i64),
    /// Active clients whose consent is missing, expiring, expired, revoked or undocumented.
    Consent,
    /// Active clients with a need gap.
    NeedGaps,
    /// Prövotid ends within 60 days and no handover is recorded.
    SupervisionEnding,
}

/// What a dashboard found about one client.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Readiness flags before release.
    Readiness(ReadinessFlags),
    /// Days since release, and the readiness flags still open.
    Released(i64, ReadinessFlags),
    /// The consent state.
    Consent(ConsentState),
    /// The gaps.
    Gaps(NeedGaps),
    /// Days left of the prövotid.
    Ending(i64),
}

/// One row of a client dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardRow {
    /// The client.
    pub client: ClientRow,
    /// What was found.
    pub finding: Finding,
}

/// Most candidates read per query while scanning.
const SCAN_PAGE: usize = 64;
/// Fewest candidates read per query: a dashboard that skips most of them still moves on quickly.
const MIN_SCAN: usize = 16;

impl ClientDashboard {
    fn candidates(self, today: NaiveDate) -> Candidates {
        match self {
            ClientDashboard::ReleaseRadar(days) => {
                Candidates::ReleasedBetween(today, today + Duration::days(days), false)
            }
            ClientDashboard::FirstWeeks(days) => Candidates::ReleasedBetween(today - Duration::days(days), today, true),
            ClientDashboard::Consent | ClientDashboard::NeedGaps => Candidates::Active,
            ClientDashboard::SupervisionEnding => {
                Candidates::ProbationEndsBetween(today, today + Duration::days(rules::SUPERVISION_ENDING_DAYS))
            }
        }
    }

    /// The finding for one client, or `None` if this dashboard does not list them.
    pub fn evaluate(self, file: &ClientFile, today: NaiveDate) -> Option<Finding> {
        match self {
            ClientDashboard::ReleaseRadar(_) => Some(Finding::Readiness(rules::readiness(file, today))),
            ClientDashboard::FirstWeeks(days) => {
                let since = -timeline::days_to_release(file.sentence.as_ref(), today)?;
                (0..=days).contains(&since).then(|| Finding::Released(since, rules::readiness(file, today)))
            }
            ClientDashboard::Consent => match rules::consent_state(file, today) {
                ConsentState::Active { .. } => None,
                state => Some(Finding::Consent(state)),
            },
            ClientDashboard::NeedGaps => {
                let gaps = rules::need_gaps(file);
                (gaps.count() > 0).then_some(Finding::Gaps(gaps))
            }
            ClientDashboard::SupervisionEnding => {
                let end = file.probation_end_on()?;
                rules::supervision_ending_without_handover(file, today)
                    .then(|| Finding::Ending(timeline::days_between(today, end)))
            }
        }
    }

    /// Whether every candidate is listed, so a page can start reading candidates at its
    /// own offset instead of counting matches from the top.
    fn lists_every_candidate(self) -> bool {
        matches!(self, ClientDashboard::ReleaseRadar(_) | ClientDashboard::FirstWeeks(_))
    }

    /// Rows `skip..skip + limit` of the dashboard.
    /// `search`: only clients a typed search finds, as in the client list.
    pub fn rows(
        self,
        store: &Store,
        today: NaiveDate,
        search: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<DashboardRow>> {
        let mut out = Vec::new();
        let (mut offset, mut matched) = if self.lists_every_candidate() { (skip, skip) } else { (0, 0) };
        loop {
            // Read about as many candidates as rows are still wanted: a file costs a dozen reads.
            let want = limit.saturating_sub(out.len()).clamp(MIN_SCAN, SCAN_PAGE);
            let page = store.candidates(self.candidates(today), search, offset, want)?;
            offset += page.len();
            let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
            let mut files: HashMap<String, ClientFile> =
                store.client_files(&ids)?.into_iter().map(|f| (f.client.id.clone(), f)).collect();
            for client in &page {
                let Some(file) = files.remove(&client.id) else { continue };
                let Some(finding) = self.evaluate(&file, today) else { continue };
                matched += 1;
                if matched > skip {
                    out.push(DashboardRow { client: client.clone(), finding });
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
            if page.len() < want {
                return Ok(out);
            }
        }
    }
}
