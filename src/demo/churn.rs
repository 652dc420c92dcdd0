//! `sluss demo --churn N`: realistic edits through the write path, to grow a change log
//! the way daily work does (status changes, done action items, notes, revoked consent).

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::enums::*;
use crate::store::{ChangeSet, Result, Store, StoreError};

use super::{AUTHOR, NAMES};

/// Edits per transaction.
const BATCH: usize = 1000;

fn ids(store: &Store, sql: &str) -> Result<Vec<String>> {
    let mut stmt = store.conn().prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// Applies `edits` random edits; returns the number of change-log entries written.
pub fn churn(
    store: &mut Store,
    edits: usize,
    seed: u64,
    today: chrono::NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    let needs = ids(store, "SELECT id FROM need WHERE deleted = 0")?;
    let actions = ids(store, "SELECT id FROM action_item WHERE deleted = 0")?;
    let interventions = ids(store, "SELECT id FROM intervention WHERE deleted = 0")?;
    let clients = ids(store, "SELECT id FROM client WHERE deleted = 0")?;
    let meetings = ids(store, "SELECT id FROM meeting WHERE deleted = 0")?;
    if clients.is_empty() || needs.is_empty() || actions.is_empty() || interventions.is_empty() || meetings.is_empty() {
        return Err(StoreError::InvalidValue {
            entity: "client".to_owned(),
            field: "*".to_owned(),
            problem: "the store has no demo data to edit: run `sluss demo --clients N` first".to_owned(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_C4A2);
    let pick = |rng: &mut ChaCha8Rng, v: &[String]| v[rng.random_range(0..v.len())].clone();
    let now = format!("{today}T12:00");
    let mut written = 0;
    let mut done = 0;
    while done < edits {
        let n = BATCH.min(edits - done);
        let mut cs = ChangeSet::new();
        for _ in 0..n {
            match rng.random_range(0..6) {
                0 => {
                    let need = pick(&mut rng, &needs);
                    let status = NeedStatus::ALL[rng.random_range(0..NeedStatus::ALL.len())];
                    cs.update("need", &need).set("status", status.code());
                    cs.insert("need_update")
                        .set("need_id", need)
                        .set("at", now.clone())
                        .set("status", status.code())
                        .set("comment", "Status ändrad");
                }
                1 => {
                    let done = rng.random_bool(0.5);
                    cs.update("action_item", &pick(&mut rng, &actions))
                        .set("status", if done { ActionStatus::Klar } else { ActionStatus::Oppen }.code())
                        .set(
                            "done_on",
                            if done { serde_json::Value::from(today.to_string()) } else { serde_json::Value::Null },
                        );
                }
                2 => {
                    let status = InterventionStatus::ALL[rng.random_range(0..InterventionStatus::ALL.len())];
                    cs.update("intervention", &pick(&mut rng, &interventions)).set("status", status.code());
                }
                3 => {
                    let text = NAMES.notes[rng.random_range(0..NAMES.notes.len())];
                    cs.insert("note")
                        .set("client_id", pick(&mut rng, &clients))
                        .set("at", now.clone())
                        .set("author", AUTHOR)
                        .set("text", text);
                }
                4 => {
                    cs.update("meeting", &pick(&mut rng, &meetings))
                        .set("room_booked", rng.random_bool(0.5))
                        .set("mode", MeetingMode::ALL[rng.random_range(0..MeetingMode::ALL.len())].code());
                }
                _ => {
                    let (muni, _, _) = super::MUNICIPALITIES[rng.random_range(0..super::MUNICIPALITIES.len())];
                    cs.update("client", &pick(&mut rng, &clients)).set("residence_municipality", muni);
                }
            }
        }
        written += store.apply(AUTHOR, &cs)?.changes;
        done += n;
        progress(done, edits);
    }
    Ok(written)
}
