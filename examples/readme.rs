use consolide::Store;
use consolide::{import, Corpus, Crosstab, Dimension, Filter, ImportOptions, Measure, Period};

#[rustfmt::skip]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let summary = import("consolide.redb".as_ref(), &["transfers/plie44".into()], &ImportOptions::now())?;
    assert!(!summary.refused());
    let store = Store::open("consolide.redb".as_ref())?;
    let corpus = Corpus::load(&store)?;                                         // one consistent snapshot
    let t1 = corpus.tableau1(Period::year(2017), &Filter::none())?;             // a typed table
    println!("{} en parcours, {:?} taux", t1.total().tally.en_parcours(), t1.total().get(Measure::TauxSortiesPositives));
    let x = corpus.crosstab(&Crosstab { measure: Measure::Abandons, period: Period::years(2014, 2017)?,
        rows: Dimension::Public, cols: Some(Dimension::Sexe), filter: Filter::none().with(Dimension::Qpv, &["1"]) })?;
    println!("{:?} abandons {} {}", x.value(0, 1), x.row_values[0], x.col_values[1]);
    let t2 = corpus.tableau2(Period::year(2017), &Filter::none())?;             // étapes: reads the same snapshot
    println!("{:?} étapes par participant", t2.moyenne_par_participant(None));
    let all = corpus.consolidation(Period::year(2017), None, &Filter::none())?;  // every table, generic
    consolide::render::xlsx::write("consolidation-2017.xlsx".as_ref(), &all, corpus.plies())?;
    Ok(())
}
