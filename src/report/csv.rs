//! The indicators as CSV and JSON for spreadsheets, pandas and evaluators.
//!
//! CSV is "long": one figure per line, each column holding one kind of thing (codes, labels,
//! one number), UTF-8 with a header row and ISO dates, so `pandas.read_csv` needs no cleaning
//! and a pivot gives any wide layout.

use serde_json::json;

use super::indicators::Indicators;
use super::{ReportError, Result};

/// The CSV header, in column order.
pub const HEADER: [&str; 11] =
    ["period_from", "period_to", "by", "group_key", "group", "indicator", "item", "label", "depth", "unit", "value"];

fn csv_err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Csv(e.to_string())
}

/// Writes the indicators as CSV: the header, then one line per table row and group.
pub fn to_csv(ind: &Indicators) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(csv_err)?;
    let from = ind.period.from.map(|d| d.to_string()).unwrap_or_default();
    let to = ind.period.to.map(|d| d.to_string()).unwrap_or_default();
    for table in &ind.tables {
        for row in &table.rows {
            for (group, value) in ind.groups.iter().zip(&row.values) {
                // An undefined figure (a median of nobody) is an empty cell: NaN in pandas.
                let value = value.map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.4}") });
                w.write_record([
                    from.as_str(),
                    to.as_str(),
                    ind.by.code(),
                    group.key.as_str(),
                    group.label.as_str(),
                    table.id,
                    row.item.as_str(),
                    row.label.as_str(),
                    &row.depth.to_string(),
                    row.unit.code(),
                    value.as_deref().unwrap_or(""),
                ])
                .map_err(csv_err)?;
            }
        }
    }
    w.into_inner().map_err(csv_err)
}

/// Writes the indicators as one JSON document: period, groups, tables and series.
pub fn to_json(ind: &Indicators) -> Vec<u8> {
    let tables: Vec<_> = ind
        .tables
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "title": t.title,
                "cohort": t.cohort,
                "rows": t.rows.iter().map(|r| json!({
                    "item": r.item, "label": r.label, "unit": r.unit.code(), "depth": r.depth, "values": r.values,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let series: Vec<_> = ind
        .series
        .iter()
        .map(|s| json!({"id": s.id, "title": s.title, "labels": s.labels, "values": s.values}))
        .collect();
    let doc = json!({
        "period": {"from": ind.period.from.map(|d| d.to_string()), "to": ind.period.to.map(|d| d.to_string())},
        "by": ind.by.code(),
        "groups": ind.groups.iter().map(|g| json!({"key": g.key, "label": g.label})).collect::<Vec<_>>(),
        "tables": tables,
        "series": series,
    });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
