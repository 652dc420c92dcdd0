//! sluss: coordination of a client's return to society after conditional release.
//!
//! The core (domain, store, demo) never imports the terminal UI; the UI never writes SQL.

pub mod alloc;
pub mod bench;
pub mod cli;
pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod forms;
pub mod i18n;
pub mod panic;
pub mod passphrase;
pub mod report;
pub mod store;
pub mod sync;
pub mod tui;
