//! Byte searches in the parser at every offset (see `cases/searches.rs`).

#[path = "cases/searches.rs"]
mod searches;

#[test]
fn line_ends_at_every_offset() {
    searches::line_ends_at_every_offset();
}

#[test]
fn list_commas_at_every_offset() {
    searches::list_commas_at_every_offset();
}

#[test]
fn quotes_end_at_every_offset() {
    searches::quotes_end_at_every_offset();
}
