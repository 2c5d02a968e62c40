//! Where the commitments meet the PLIE: per department, the share of PLIE participants living in
//! a priority neighbourhood (the parcours' `qpv`, by the department of the PLIE in plie.csv) in
//! the semester's year, next to the department's commitments for the semester.

use std::collections::BTreeSet;

use super::bilan::{nom_departement, share, table};
use super::figures::figures;
use super::model::{Indicateur, Periode};
use super::national::departements;
use super::store::Base;
use crate::query::{Crosstab, Dimension, Filter, Measure, Period};
use crate::tables::{Cell, Row, Table};
use crate::{Corpus, Error};

/// The PLIE × PAQTE table for semester `s`.
pub fn plie(base: &Base, corpus: &Corpus, s: Periode) -> Result<Table, Error> {
    let x = corpus.crosstab(&Crosstab {
        measure: Measure::EnParcours,
        period: Period::year(s.annee),
        rows: Dimension::Departement,
        cols: Some(Dimension::Qpv),
        filter: Filter::none(),
    })?;
    let col = |code: &str| x.col_values.iter().position(|c| c == code);
    let count = |r: usize, code: &str| {
        col(code).map_or(0, |c| match x.value(r, c) {
            crate::Value::Count(n) => n,
            crate::Value::Rate(_) => 0,
        })
    };
    let deps: BTreeSet<&str> = departements(base)
        .into_iter()
        .chain(
            x.row_values
                .iter()
                .map(String::as_str)
                .filter(|d| *d != "?"),
        )
        .collect();
    let columns = [
        ("participants", "Participants PLIE en parcours"),
        ("qpv", "dont résidant en QPV"),
        ("qpv_inconnu", "QPV non renseigné"),
        ("part_qpv", "Part résidant en QPV (QPV renseigné)"),
        ("entreprises", "Entreprises signataires PAQTE"),
        ("recrutements_qpv", "Recrutements QPV réalisés"),
        ("alternants_qpv", "Alternants QPV réalisés"),
        ("defm_qpv", "DEFM en QPV"),
    ];
    let title = format!(
        "PLIE et PAQTE, {s} (participants PLIE de l'année {})",
        s.annee
    );
    let mut t = table("paqte-plie", title, s, &Filter::none(), &columns);
    t.plies = x.plies;
    for d in deps {
        let r = x.row_values.iter().position(|v| v == d);
        let (oui, non, inconnu) =
            r.map_or((0, 0, 0), |r| (count(r, "1"), count(r, "0"), count(r, "?")));
        let f = figures(base, &[d], s);
        let realise = |i: Indicateur| Cell::Hundredths(f.indicateurs[i as usize].realise);
        let cells = vec![
            Cell::Count(oui + non + inconnu),
            Cell::Count(oui),
            Cell::Count(inconnu),
            share(oui, oui + non),
            Cell::Count(f.entreprises.len() as u64),
            realise(Indicateur::RecrutementsQpv),
            realise(Indicateur::AlternantsQpv),
            if f.contexte.is_empty() {
                Cell::Blank
            } else {
                Cell::Count(f.contexte_sum(|c| c.defm_qpv))
            },
        ];
        t.rows
            .push(Row::new("departement", d, nom_departement(d), 1, cells));
    }
    Ok(t)
}
