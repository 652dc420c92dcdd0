//! Domain types and rules: pure, no I/O.

pub mod enums;
pub mod id_number;
