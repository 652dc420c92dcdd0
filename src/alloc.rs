//! The memory allocator: mimalloc, told to hand memory back to the system as soon as it
//! is free.
//!
//! Import decodes changes on one thread and writes them on another, so most of its
//! allocations are freed by a thread other than the one that made them. glibc's malloc
//! spent a sixth of a large import's time on that (arena locks, consolidating free
//! chunks); mimalloc frees across threads cheaply, and an import takes a fifth to a
//! quarter less time (docs/performance.md). Its defaults keep freed memory a while and
//! commit whole arenas ahead: an import then peaked 10-25 MB higher, near the 150 MB
//! budget, hence [`tune`].
//!
//! SQLite allocates through the C library, and by default counts every allocation under a
//! global lock (its memory statistics, which sluss never reads); [`tune`] turns the count
//! off, a few hundredths of an import's time.

use libmimalloc_sys as mi;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The mimalloc release whose option numbers follow. libmimalloc-sys names only some
/// options; these two are positions in mimalloc's enum, so [`tune`] sets them on this
/// release only (Cargo.toml pins it, and a test checks the positions).
const TUNED_FOR: i32 = 30302;
/// `mi_option_arena_eager_commit`: commit an arena's memory only as it is used.
const ARENA_EAGER_COMMIT: mi::mi_option_t = 4;
/// `mi_option_purge_delay`: milliseconds before freed memory goes back to the system.
const PURGE_DELAY: mi::mi_option_t = 15;

/// Makes mimalloc commit memory as it is used and give freed memory back at once, and
/// turns SQLite's memory statistics off. Called first thing by the binary and the
/// benchmark, before they start a thread or open a store: mimalloc writes and reads its
/// options without synchronisation, and SQLite takes configuration only before its first
/// connection, from one thread.
pub fn tune() {
    // SAFETY: sqlite3_config with an integer argument while the process has one thread and
    // no connection (see above). Were SQLite in use already, it would refuse (SQLITE_MISUSE)
    // and change nothing, so the result needs no check.
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
    }
    // SAFETY: mimalloc's own entry points, with plain integers, called while the process
    // has one thread (see above).
    unsafe {
        if mi::mi_version() == TUNED_FOR {
            mi::mi_option_set(ARENA_EAGER_COMMIT, 0);
            mi::mi_option_set(PURGE_DELAY, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_numbers_are_those_of_the_mimalloc_linked() {
        // SAFETY: mimalloc's own entry points; reading options only, so other test
        // threads are not disturbed.
        let (version, eager, delay) =
            unsafe { (mi::mi_version(), mi::mi_option_get(ARENA_EAGER_COMMIT), mi::mi_option_get(PURGE_DELAY)) };
        assert_eq!(version, TUNED_FOR, "mimalloc changed: check the option numbers in src/alloc.rs");
        // Untuned, each position holds its option's documented default (options.c: eager
        // commit 2, "on an OS that overcommits"; purge delay 1000 ms), so the numbers name
        // the options meant and not two others.
        assert_eq!((eager, delay), (2, 1000));
    }
}
