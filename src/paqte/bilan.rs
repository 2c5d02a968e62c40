//! The departmental semi-annual balance of the circular of 4 February 2019: referent and
//! context, signatory companies (number, by size and sector, list), active conventions by axis,
//! target, achievement and rate per axis and indicator, and the trend over earlier semesters.

use std::collections::BTreeMap;

use super::figures::{figures, of_axe, semestres, Figures};
use super::model::{Axe, Dispositif, Periode, Taille};
use super::store::Base;
use crate::query::{Dimension, Filter, Period};
use crate::tables::{Cell, Column, Row, Table};
use crate::territoires::Territoires;

/// How many semesters the trend goes back, the balance's included.
pub const TENDANCE: usize = 8;

/// `44 Loire-Atlantique`, or the code alone when it is not a department of the reference.
pub fn nom_departement(code: &str) -> String {
    match Territoires::get().departement(code) {
        Some(d) => format!("{} {}", d.code, d.nom),
        None => code.to_owned(),
    }
}

pub(crate) fn table(
    code: &'static str,
    title: String,
    s: Periode,
    filter: &Filter,
    columns: &[(&str, &str)],
) -> Table {
    Table::new(
        code,
        title,
        Period::year(s.annee),
        filter,
        columns.iter().map(|(k, l)| Column::new(*k, *l)).collect(),
    )
}

pub(crate) fn share(n: u64, total: u64) -> Cell {
    Cell::Rate((total > 0).then(|| n as f64 / total as f64))
}

/// The balance of department `departement` for semester `s`, as tables.
pub fn bilan(base: &Base, departement: &str, s: Periode) -> Vec<Table> {
    let filter = Filter::none().with(Dimension::Departement, &[departement]);
    let nom = nom_departement(departement);
    let f = figures(base, &[departement], s);
    let title = |what: &str| format!("Bilan PAQTE {s} de {nom} : {what}");
    vec![
        contexte(&f, title("contexte"), s, &filter),
        entreprises(
            base,
            &f,
            "bilan-entreprises",
            title("entreprises signataires"),
            s,
            &filter,
        ),
        liste(
            base,
            &f,
            title("liste des entreprises signataires"),
            s,
            &filter,
        ),
        axes(&f, title("conventions actives par axe"), s, &filter),
        indicateurs(
            &f,
            "bilan-indicateurs",
            title("objectifs et réalisations"),
            s,
            &filter,
        ),
        tendance(
            base,
            &[departement],
            "bilan-tendance",
            title("tendance"),
            s,
            &filter,
        ),
    ]
}

fn contexte(f: &Figures, title: String, s: Periode, filter: &Filter) -> Table {
    let mut t = table("bilan-contexte", title, s, filter, &[("valeur", "Valeur")]);
    let referents: Vec<&str> = f
        .contexte
        .iter()
        .filter_map(|c| c.referent.as_deref())
        .collect();
    let referent = if referents.is_empty() {
        "non renseigné".to_owned()
    } else {
        referents.join(", ")
    };
    t.rows.push(Row::new(
        "referent",
        "referent",
        format!("Référent : {referent}"),
        0,
        vec![Cell::Blank],
    ));
    let absent = f.contexte.is_empty();
    let figure = |v: u64| if absent { Cell::Blank } else { Cell::Count(v) };
    let lines: [(&str, &str, u64); 4] = [
        (
            "qpv",
            "Quartiers prioritaires (QPV)",
            f.contexte_sum(|c| c.qpv),
        ),
        (
            "pru_nationaux",
            "Projets de renouvellement urbain nationaux",
            f.contexte_sum(|c| c.pru_nationaux),
        ),
        (
            "population_qpv",
            "Population des QPV",
            f.contexte_sum(|c| c.population_qpv),
        ),
        (
            "defm_qpv",
            "Demandeurs d'emploi en fin de mois résidant en QPV",
            f.contexte_sum(|c| c.defm_qpv),
        ),
    ];
    for (code, label, v) in lines {
        t.rows
            .push(Row::new("contexte", code, label, 1, vec![figure(v)]));
    }
    t
}

/// Signatory companies, by size and sector.
pub(crate) fn entreprises(
    base: &Base,
    f: &Figures,
    code: &'static str,
    title: String,
    s: Periode,
    filter: &Filter,
) -> Table {
    let columns = [("entreprises", "Entreprises"), ("part", "Part")];
    let mut t = table(code, title, s, filter, &columns);
    let total = f.entreprises.len() as u64;
    t.rows.push(Row::new(
        "total",
        "total",
        "Entreprises signataires",
        0,
        vec![Cell::Count(total), share(total, total)],
    ));
    let mut tailles = [0u64; 4];
    let mut secteurs: BTreeMap<String, u64> = BTreeMap::new();
    for siren in &f.entreprises {
        let e = base.entreprises.get(*siren);
        if let Some(e) = e {
            tailles[e.taille as usize] += 1;
        }
        let secteur = e.map_or("?".to_owned(), |e| char::from(b'A' + e.secteur).to_string());
        *secteurs.entry(secteur).or_default() += 1;
    }
    t.push_heading("taille", "Par taille");
    for (i, taille) in Taille::ALL.iter().enumerate() {
        t.rows.push(Row::new(
            "taille",
            taille.code(),
            taille.label(),
            1,
            vec![Cell::Count(tailles[i]), share(tailles[i], total)],
        ));
    }
    t.push_heading("secteur", "Par secteur (section NAF)");
    for (secteur, n) in secteurs {
        let label = format!("Section {secteur}");
        t.rows.push(Row::new(
            "secteur",
            secteur,
            label,
            1,
            vec![Cell::Count(n), share(n, total)],
        ));
    }
    t
}

fn liste(base: &Base, f: &Figures, title: String, s: Periode, filter: &Filter) -> Table {
    let columns = [("conventions", "Conventions actives"), ("axes", "Axes")];
    let mut t = table("bilan-liste", title, s, filter, &columns);
    for siren in &f.entreprises {
        let mine: Vec<_> = f
            .conventions
            .iter()
            .filter(|c| c.entreprise == *siren)
            .collect();
        let axes = mine.iter().fold(0u8, |a, c| a | c.axes).count_ones();
        let (group, label) = match base.entreprises.get(*siren) {
            Some(e) => (
                e.taille.code().to_owned(),
                format!(
                    "{} ({siren}, {}, section {})",
                    e.nom,
                    e.taille.code(),
                    char::from(b'A' + e.secteur)
                ),
            ),
            None => ("?".to_owned(), format!("? ({siren}, non décrite)")),
        };
        t.rows.push(Row::new(
            group,
            *siren,
            label,
            1,
            vec![Cell::Count(mine.len() as u64), Cell::Count(u64::from(axes))],
        ));
    }
    t
}

fn axes(f: &Figures, title: String, s: Periode, filter: &Filter) -> Table {
    let mut t = table(
        "bilan-axes",
        title,
        s,
        filter,
        &[("conventions", "Conventions actives")],
    );
    t.rows.push(Row::new(
        "total",
        "total",
        "Conventions actives",
        0,
        vec![Cell::Count(f.conventions.len() as u64)],
    ));
    t.push_heading("dispositif", "Par dispositif");
    for d in Dispositif::ALL {
        let n = f.conventions.iter().filter(|c| c.dispositif == *d).count() as u64;
        t.rows.push(Row::new(
            "dispositif",
            d.code(),
            d.label(),
            1,
            vec![Cell::Count(n)],
        ));
    }
    t.push_heading(
        "axe",
        "Par axe (une convention compte dans chacun de ses axes)",
    );
    for (i, axe) in Axe::ALL.iter().enumerate() {
        t.rows.push(Row::new(
            "axe",
            axe.code(),
            axe.label(),
            1,
            vec![Cell::Count(f.par_axe[i])],
        ));
    }
    t
}

/// Target, achievement and rate per axis and indicator.
pub(crate) fn indicateurs(
    f: &Figures,
    code: &'static str,
    title: String,
    s: Periode,
    filter: &Filter,
) -> Table {
    let columns = [
        ("cible", "Objectif du semestre"),
        ("realise", "Réalisé"),
        ("taux", "Taux de réalisation"),
    ];
    let mut t = table(code, title, s, filter, &columns);
    for axe in Axe::ALL {
        t.push_heading(axe.code(), axe.label());
        for i in of_axe(*axe) {
            let suivi = f.indicateurs[i as usize];
            let cells = vec![
                Cell::Hundredths(suivi.cible()),
                Cell::Hundredths(suivi.realise),
                Cell::Rate(suivi.taux()),
            ];
            t.rows
                .push(Row::new(axe.code(), i.code(), i.label(), 1, cells));
        }
    }
    t
}

/// Semester by semester up to `s`: companies, conventions, indicators followed and reached.
pub(crate) fn tendance(
    base: &Base,
    codes: &[&str],
    code: &'static str,
    title: String,
    s: Periode,
    filter: &Filter,
) -> Table {
    let columns = [
        ("entreprises", "Entreprises signataires"),
        ("conventions", "Conventions actives"),
        ("indicateurs_suivis", "Indicateurs avec objectif"),
        ("indicateurs_atteints", "Indicateurs atteints"),
        ("part_atteints", "Part atteinte"),
    ];
    let mut t = table(code, title, s, filter, &columns);
    for p in semestres(base, codes, s, TENDANCE) {
        let f = figures(base, codes, p);
        let (suivis, atteints) = f.atteints();
        let cells = vec![
            Cell::Count(f.entreprises.len() as u64),
            Cell::Count(f.conventions.len() as u64),
            Cell::Count(suivis),
            Cell::Count(atteints),
            share(atteints, suivis),
        ];
        t.rows
            .push(Row::new("semestre", p.to_string(), p.to_string(), 1, cells));
    }
    t
}
