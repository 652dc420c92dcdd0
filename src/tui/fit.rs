//! Table cells cut to their column with "…". ratatui cuts a cell silently at the column's
//! edge, and a name cut short without a mark reads as another name ("Skissberg, Nikl"), so
//! rows are made through [`Columns::row`], which knows each column's width.

use std::borrow::Cow;

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Row;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A cell's text and style, cut when its row is made. Built with `Cell::from(text)` like
/// ratatui's cell; used as one directly (uncut) where a row needs no cutting, e.g. headers.
#[derive(Debug, Clone)]
pub(crate) struct Cell<'a> {
    text: Cow<'a, str>,
    style: Style,
}

impl<'a> Cell<'a> {
    /// The cell in this style.
    pub fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }
}

impl<'a, T: Into<Cow<'a, str>>> From<T> for Cell<'a> {
    fn from(text: T) -> Self {
        Cell { text: text.into(), style: Style::default() }
    }
}

impl<'a> From<Cell<'a>> for ratatui::widgets::Cell<'a> {
    fn from(c: Cell<'a>) -> Self {
        ratatui::widgets::Cell::from(c.text).style(c.style)
    }
}

/// The widths a bordered table's columns get: the same rule as ratatui's `Table` (columns
/// one apart, packed from the left), inside the block's borders.
#[derive(Debug, Clone)]
pub(crate) struct Columns(Vec<u16>);

impl Columns {
    /// The columns of a table drawn with a bordered block into `area`.
    pub fn new(area: Rect, widths: &[Constraint]) -> Self {
        let inner = Rect::new(0, 0, area.width.saturating_sub(2), 1);
        let rects = Layout::horizontal(widths.iter().copied()).flex(Flex::Start).spacing(1).split(inner);
        Columns(rects.iter().map(|r| r.width).collect())
    }

    /// Whether `text` is cut in column `i`.
    pub fn cuts(&self, i: usize, text: &str) -> bool {
        self.0.get(i).is_some_and(|&w| text.width() > usize::from(w))
    }

    /// The first column at least `width` wide, else the widest.
    pub fn first_fitting(&self, width: usize) -> usize {
        let widest = (0..self.0.len()).rev().max_by_key(|&i| self.0[i]).unwrap_or(0);
        self.0.iter().position(|&w| usize::from(w) >= width).unwrap_or(widest)
    }

    /// A row whose cells are cut to their columns (cells beyond the last column are kept).
    pub fn row<'a>(&self, cells: Vec<Cell<'a>>) -> Row<'a> {
        Row::new(cells.into_iter().enumerate().map(|(i, c)| {
            let text = match self.0.get(i) {
                Some(&w) => cut(c.text, usize::from(w)),
                None => c.text,
            };
            ratatui::widgets::Cell::from(text).style(c.style)
        }))
    }
}

/// `text` in at most `width` columns; when something is cut, the last column shows "…".
pub fn cut(text: Cow<'_, str>, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return text;
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    if width > 0 {
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    Cow::Owned(out)
}

/// A line of spans in at most `width` columns: the span where it runs out is cut with
/// "…" and those after it dropped. For rows laid out in columns, which wrapping would break.
pub fn cut_line(line: ratatui::text::Line<'_>, width: usize) -> ratatui::text::Line<'_> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = span.width();
        if w <= left {
            left -= w;
            spans.push(span);
        } else {
            let style = span.style;
            spans.push(ratatui::text::Span::styled(cut(span.content, left), style));
            left = 0;
        }
    }
    ratatui::text::Line { spans, ..line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_too_long_is_cut_in_the_span_where_it_runs_out() {
        use ratatui::text::{Line, Span};
        let line = Line::from(vec![
            Span::raw("Bostad    "),
            Span::raw("Identifierat "),
            Span::raw("Socialtjänsten Norrköping"),
        ]);
        let cut = cut_line(line.clone(), 30);
        assert_eq!(cut.width(), 30);
        assert_eq!(cut.to_string(), "Bostad    Identifierat Social…");
        assert_eq!(cut_line(line.clone(), 23).to_string(), "Bostad    Identifierat ");
        assert_eq!(cut_line(line.clone(), 60), line);
    }

    #[test]
    fn a_cut_text_ends_in_an_ellipsis_and_a_fitting_one_is_untouched() {
        assert_eq!(cut("Skisström, Mika".into(), 15), "Skisström, Mika");
        assert_eq!(cut("Skisström, Mika".into(), 14), "Skisström, Mi…");
        // No "…" after a space: the cut word is visibly cut.
        assert_eq!(cut("Skisström, Mika".into(), 12), "Skisström,…");
        assert_eq!(cut("ab".into(), 1), "…");
        assert_eq!(cut("ab".into(), 0), "");
        // Wide characters count two columns.
        assert_eq!(cut("日本語です".into(), 5), "日本…");
    }

    #[test]
    fn columns_follow_the_tables_own_layout() {
        // 80 columns minus borders: 10, then two halves of the rest with one space between each.
        let cols =
            Columns::new(Rect::new(0, 0, 80, 10), &[Constraint::Length(10), Constraint::Fill(1), Constraint::Fill(1)]);
        assert_eq!(cols.0, vec![10, 33, 33]);
        assert_eq!(cols.first_fitting(15), 1, "a message too wide for the date column goes beside it");
        assert_eq!(cols.first_fitting(5), 0);
        assert_eq!(cols.first_fitting(50), 1, "none fits: the widest");
    }
}
