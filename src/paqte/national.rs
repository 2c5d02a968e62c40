//! The national consolidation of the balances for a semester: each department, each region and
//! the nation (national conventions counted at this level only), with the number of departments
//! that reported; then the nation's companies, indicators and trend.

use super::bilan::{entreprises, indicateurs, share, table, tendance};
use super::figures::{figures, Figures};
use super::model::Periode;
use super::store::Base;
use super::transfer::NATIONAL;
use crate::query::Filter;
use crate::tables::{Cell, Row, Table};
use crate::territoires::Territoires;

/// The departments with commitments in the store, in code order (`NATIONAL` left out).
pub fn departements(base: &Base) -> Vec<&str> {
    base.donnees
        .keys()
        .map(String::as_str)
        .filter(|d| *d != NATIONAL)
        .collect()
}

/// How many departments reported for `s`, out of those with commitments in the store.
pub fn rapportant(base: &Base, s: Periode) -> (usize, usize) {
    let deps = departements(base);
    (figures(base, &deps, s).rapportant.len(), deps.len())
}

fn cells(f: &Figures) -> Vec<Cell> {
    let (suivis, atteints) = f.atteints();
    vec![
        Cell::Count(f.rapportant.len() as u64),
        Cell::Count(f.entreprises.len() as u64),
        Cell::Count(f.conventions.len() as u64),
        Cell::Count(suivis),
        Cell::Count(atteints),
        share(atteints, suivis),
        Cell::Count(f.contexte_sum(|c| c.qpv)),
        Cell::Count(f.contexte_sum(|c| c.population_qpv)),
        Cell::Count(f.contexte_sum(|c| c.defm_qpv)),
    ]
}

/// The national results for semester `s`, as tables.
pub fn national(base: &Base, s: Periode) -> Vec<Table> {
    let filter = Filter::none();
    let deps = departements(base);
    let mut all = deps.clone();
    all.push(NATIONAL);
    let columns = [
        ("departements_rapportant", "Départements ayant rendu compte"),
        ("entreprises", "Entreprises signataires"),
        ("conventions", "Conventions actives"),
        ("indicateurs_suivis", "Indicateurs avec objectif"),
        ("indicateurs_atteints", "Indicateurs atteints"),
        ("part_atteints", "Part atteinte"),
        ("qpv", "QPV"),
        ("population_qpv", "Population des QPV"),
        ("defm_qpv", "DEFM en QPV"),
    ];
    let title = |what: &str| format!("PAQTE {s}, consolidation nationale : {what}");
    let mut t = table(
        "national-territoires",
        title("par territoire"),
        s,
        &filter,
        &columns,
    );
    let reference = Territoires::get();
    t.push_heading("departement", "Départements");
    for d in &deps {
        let label = super::bilan::nom_departement(d);
        t.rows.push(Row::new(
            "departement",
            *d,
            label,
            1,
            cells(&figures(base, &[d], s)),
        ));
    }
    t.push_heading("region", "Régions");
    for r in &reference.regions {
        let of_region: Vec<&str> = deps
            .iter()
            .copied()
            .filter(|d| reference.region_of(d).is_some_and(|g| g.code == r.code))
            .collect();
        if !of_region.is_empty() {
            let label = format!("{} {}", r.code, r.nom);
            t.rows.push(Row::new(
                "region",
                &r.code,
                label,
                1,
                cells(&figures(base, &of_region, s)),
            ));
        }
    }
    let national = figures(base, &[NATIONAL], s);
    t.push_heading("nation", "France");
    t.rows.push(Row::new(
        "nation",
        NATIONAL,
        "Conventions nationales",
        1,
        cells(&national),
    ));
    let nation = figures(base, &all, s);
    t.rows.push(Row::new(
        "nation",
        "total",
        "France entière",
        0,
        cells(&nation),
    ));
    vec![
        t,
        entreprises(
            base,
            &nation,
            "national-entreprises",
            title("entreprises signataires"),
            s,
            &filter,
        ),
        indicateurs(
            &nation,
            "national-indicateurs",
            title("objectifs et réalisations"),
            s,
            &filter,
        ),
        tendance(
            base,
            &all,
            "national-tendance",
            title("tendance"),
            s,
            &filter,
        ),
    ]
}
