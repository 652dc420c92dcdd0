//! Synthetic demo data: a directory of real agencies and made-up clients spread over every
//! phase around a given day, deterministic per seed, written through the one write path.

mod churn;
mod client;
mod directory;
mod names;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::store::{ChangeSet, Result, Store, StoreError};

pub use churn::churn;
pub use directory::{Directory, MUNICIPALITIES};

/// Clients written per transaction: big enough to be fast, small enough to show progress.
const BATCH: usize = 500;
/// Author recorded in the change log for demo data.
pub const AUTHOR: &str = "demo";
/// Ids are UUIDv7 stamped from this instant (2026-01-01) on, one millisecond apart, so
/// a seed gives the same ids and the same order on every run.
const ID_EPOCH_MS: u64 = 1_767_225_600_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of clients.
    pub clients: usize,
    /// Seed: the same seed and day give the same data.
    pub seed: u64,
    /// The day the data is arranged around.
    pub today: NaiveDate,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// Clients written.
    pub clients: usize,
    /// Rows written, all tables.
    pub rows: usize,
    /// Change-log entries written.
    pub changes: usize,
    /// Time taken.
    pub elapsed: Duration,
}

/// Generator state: the seeded random source and the id counter.
pub struct Gen {
    rng: ChaCha8Rng,
    seq: u64,
    today: NaiveDate,
}

/// The word lists, parsed once.
static NAMES: std::sync::LazyLock<names::Names> = std::sync::LazyLock::new(names::Names::load);

impl Gen {
    fn new(seed: u64, today: NaiveDate) -> Gen {
        Gen { rng: ChaCha8Rng::seed_from_u64(seed), seq: 0, today }
    }

    /// A seeded UUIDv7.
    fn id(&mut self) -> String {
        self.seq += 1;
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_unix_timestamp_millis(ID_EPOCH_MS + self.seq, &bytes).into_uuid().to_string()
    }

    fn rng_range(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi)
    }

    fn rng_bool(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// Picks an index by weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.rng.random_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn surname(&mut self) -> String {
        let p = *self.pick(&NAMES.prefixes);
        let s = *self.pick(&NAMES.suffixes);
        // "Övnings" + "sson" would read "Övningssson".
        if p.ends_with('s') && s.starts_with('s') { format!("{p}{}", &s[1..]) } else { format!("{p}{s}") }
    }

    fn person_name(&mut self, woman: bool) -> String {
        let first = *self.pick(if woman { &NAMES.women } else { &NAMES.men });
        format!("{first} {}", self.surname())
    }

    fn phone(&mut self) -> String {
        format!("010-{:03} {:02} {:02}", self.rng_range(100, 999), self.rng_range(0, 99), self.rng_range(0, 99))
    }

    fn day(&self, offset: i64) -> NaiveDate {
        self.today + chrono::Duration::days(offset)
    }

    /// A random day from `lo` to `hi` days after today (negative: before).
    fn day_between(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let offset = self.rng_range(lo, hi);
        self.day(offset)
    }
}

/// Fills an empty store with a directory and `opts.clients` clients. `progress` is called
/// after each batch with (clients written, clients in all).
pub fn generate(store: &mut Store, opts: &DemoOptions, progress: &mut dyn FnMut(usize, usize)) -> Result<DemoReport> {
    let started = Instant::now();
    let existing: i64 = store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0))?;
    if existing > 0 {
        return Err(StoreError::InvalidValue {
            entity: "client".to_owned(),
            field: "*".to_owned(),
            problem: format!("the store already holds {existing} clients: generate demo data into a new store"),
        });
    }
    let mut g = Gen::new(opts.seed, opts.today);
    let mut report = DemoReport::default();
    let mut cs = ChangeSet::new();
    let dir = g.directory(&mut cs);
    let applied = store.apply(AUTHOR, &cs)?;
    report.rows += applied.inserted;
    report.changes += applied.changes;
    let mut done = 0;
    while done < opts.clients {
        let n = BATCH.min(opts.clients - done);
        let mut cs = ChangeSet::new();
        for i in done..done + n {
            g.client(&mut cs, &dir, i);
        }
        let applied = store.apply(AUTHOR, &cs)?;
        report.rows += applied.inserted;
        report.changes += applied.changes;
        done += n;
        progress(done, opts.clients);
    }
    report.clients = done;
    report.elapsed = started.elapsed();
    Ok(report)
}
