//! Hybrid logical clock: wall-clock milliseconds in the high 48 bits and a counter in the
//! low 16. It never goes backwards on one replica, even if the wall clock does, and after
//! an import it is ahead of every change seen, so a later local edit always sorts after
//! the edits it replaced.

/// Bits used by the logical counter.
const COUNTER_BITS: u32 = 16;

/// The clock value for `now_ms` wall-clock milliseconds.
pub fn from_millis(now_ms: u64) -> u64 {
    now_ms << COUNTER_BITS
}

/// Wall-clock milliseconds of a clock value.
pub fn to_millis(hlc: u64) -> u64 {
    hlc >> COUNTER_BITS
}

/// The next clock value after `last`, given the wall clock.
pub fn tick(last: u64, now_ms: u64) -> u64 {
    let wall = from_millis(now_ms);
    if wall > last { wall } else { last + 1 }
}

/// The clock after seeing a remote value: at least as far as anything seen.
pub fn observe(last: u64, remote: u64) -> u64 {
    last.max(remote)
}

/// The current wall clock in milliseconds since the epoch.
pub fn wall_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_follows_the_wall_clock_when_it_moves_forward() {
        assert_eq!(tick(from_millis(1000), 2000), from_millis(2000));
    }

    #[test]
    fn tick_never_goes_backwards_when_the_wall_clock_does() {
        let last = from_millis(5000) + 3;
        assert_eq!(tick(last, 4000), last + 1);
        assert_eq!(tick(last, 5000), last + 1);
    }

    #[test]
    fn after_observing_a_remote_clock_the_next_tick_is_later() {
        let remote = from_millis(9000) + 7;
        let seen = observe(from_millis(1000), remote);
        assert!(tick(seen, 1000) > remote);
        assert_eq!(to_millis(tick(seen, 1000)), 9000);
    }
}
