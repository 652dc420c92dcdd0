//! Domain types and rules: pure, no I/O.

// `macro_use` lets the timeline's own enums use `labelled_enum!` like the stored ones.
#[macro_use]
pub mod enums;
pub mod id_number;
pub mod model;
pub mod rules;
pub mod timeline;
