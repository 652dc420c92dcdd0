//! The panic report. A panic's message can quote data: slicing a string at a byte that is not
//! a character boundary panics with the string itself in the message ("... of `Name`"), and
//! so can an `expect` on a formatted value. So sluss prints where it stopped, never the
//! message, unless `SLUSS_PANIC_DETAILS=1` is set (for developers on synthetic data).

use std::panic::PanicHookInfo;

/// Set to `1` to get the full report (message and backtrace) from color-eyre.
pub const DETAILS_ENV: &str = "SLUSS_PANIC_DETAILS";

/// What is printed for a panic: the code location only.
pub fn report(info: &PanicHookInfo<'_>) -> String {
    let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_else(|| "unknown".to_owned());
    format!(
        "sluss stopped on an internal error at {at}. Nothing unsaved was written; saved work is safe.\n\
         The error's message is not shown because it may contain personal data.\n\
         Please report the location above to whoever maintains sluss."
    )
}

/// Installs color-eyre's hooks, then a panic hook that prints [`report`] instead of the
/// message unless [`DETAILS_ENV`] is `1`. The interface adds terminal restoration on top.
pub fn install() {
    let _ = color_eyre::install();
    let detailed = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var(DETAILS_ENV).is_ok_and(|v| v == "1") {
            detailed(info);
        } else {
            eprintln!("{}", report(info));
        }
    }));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    #[test]
    fn the_report_of_a_panic_quoting_a_name_does_not_hold_the_name() {
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&seen);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name().is_some_and(|n| n.contains("quoting_a_name")) {
                *sink.lock().unwrap() = format!("{info}\n---\n{}", super::report(info));
            }
        }));
        let name = String::from("Zyxxelbert Qwömpsson");
        let cut = std::hint::black_box(14);
        let result = std::panic::catch_unwind(|| name[..cut].len());
        std::panic::set_hook(previous);
        assert!(result.is_err());
        let seen = seen.lock().unwrap().clone();
        let (raw, report) = seen.split_once("\n---\n").unwrap();
        assert!(raw.contains("Qw"), "the control: Rust's own message quotes the string: {raw}");
        assert!(!report.contains("Zyxxelbert") && !report.contains("Qw"), "{report}");
        assert!(report.contains("src/panic.rs:"), "{report}");
    }
}
