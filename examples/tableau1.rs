//! A host program: opens a store and prints Tableau 1 of a year as csv, using only the public API.
//!
//! `cargo run --release --example tableau1 -- consolide.redb 2017`

use consolide::{render, Corpus, Filter, Format, Period, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().unwrap_or_else(|| "consolide.redb".into());
    let year: i32 = args.next().map_or(Ok(2017), |y| y.parse())?;
    let corpus = Corpus::load(&Store::open(db.as_ref())?)?;
    let t1 = corpus.tableau1(Period::year(year), &Filter::none())?;
    eprintln!(
        "{} parcours en parcours in {year}, {} PLIE",
        t1.total().tally.en_parcours(),
        t1.plies
    );
    print!("{}", render::tableau1(&t1, Format::Csv));
    Ok(())
}
