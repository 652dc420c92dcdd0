//! A Bloom filter of rows: which rows an import has written so far, in a few bits each.
//!
//! An import into a store whose change log was empty (a new machine's first sync) asks the
//! log, for every row of a batch, what it held of the row before; only rows an earlier
//! batch wrote can have anything there. Remembering those rows exactly would take memory
//! in proportion to the bundle (4 million rows: hundreds of megabytes); this filter takes
//! eight bits a row (4 MiB at most, under import's memory budget) and may only err towards
//! asking the log when it need not (about two rows in a hundred).

use std::hash::BuildHasher;

/// Bits per expected row, and the number of bits each row sets: one false "maybe" in about
/// 45 lookups while the filter holds no more rows than it was made for.
const BITS_PER_ROW: u64 = 8;
const PROBES: u64 = 6;
/// The most the filter takes (4 MiB, eight bits a row for a first sync of 4 million). A
/// larger bundle fills it faster and asks the log more often; it never gives a wrong "no".
const MAX_BITS: u64 = 1 << 25;

/// Rows seen, by entity and id.
pub(crate) struct RowFilter {
    words: Vec<u64>,
    /// The number of bits less one (a power of two less one).
    mask: u64,
    hasher: std::hash::RandomState,
}

impl RowFilter {
    /// A filter sized for about `rows` rows.
    pub(crate) fn new(rows: u64) -> Self {
        let bits = (rows.saturating_mul(BITS_PER_ROW)).clamp(1 << 12, MAX_BITS).next_power_of_two();
        RowFilter { words: vec![0; (bits / 64) as usize], mask: bits - 1, hasher: std::hash::RandomState::new() }
    }

    /// Remembers a row; whether it may have been remembered before (false only if it
    /// certainly was not).
    pub(crate) fn insert(&mut self, entity: &str, row: &str) -> bool {
        let mut before = true;
        for bit in self.bits(entity, row) {
            let (word, mask) = ((bit / 64) as usize, 1 << (bit % 64));
            before &= self.words[word] & mask != 0;
            self.words[word] |= mask;
        }
        before
    }

    /// The row's bit positions: two halves of one hash combined (Kirsch and Mitzenmacher),
    /// as good as independent hashes for a Bloom filter.
    fn bits(&self, entity: &str, row: &str) -> impl Iterator<Item = u64> + use<> {
        let hash = self.hasher.hash_one((entity, row));
        let (a, b) = (hash & 0xffff_ffff, (hash >> 32) | 1);
        let mask = self.mask;
        (0..PROBES).map(move |i| a.wrapping_add(i.wrapping_mul(b)) & mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_put_in_is_found_and_few_others_are() {
        let mut filter = RowFilter::new(10_000);
        let id = |i: u32| format!("019b76da-a955-721f-bb85-{i:012}");
        // The first 10 000 rows, each once: a row's first time may err towards "maybe".
        let first_maybes = (0..10_000).filter(|&i| filter.insert("client", &id(i))).count();
        assert!((0..10_000).all(|i| filter.insert("client", &id(i))), "a row put in is missing");
        // Ids never put in, and the same ids under another entity, are new rows.
        let false_maybes = first_maybes
            + (10_000..15_000).filter(|&i| filter.insert("client", &id(i))).count()
            + (0..5_000).filter(|&i| filter.insert("note", &id(i))).count();
        assert!(false_maybes < 20_000 / 50, "{false_maybes} of 20000 new rows said maybe");
    }

    #[test]
    fn its_size_is_bounded_at_both_ends() {
        assert_eq!(RowFilter::new(0).words.len(), (1 << 12) / 64);
        assert_eq!(RowFilter::new(u64::MAX).words.len(), (MAX_BITS / 64) as usize);
    }
}
