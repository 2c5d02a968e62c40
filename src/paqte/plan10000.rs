//! The plan 10 000 entreprises dashboard for a quarter: companies committed (members of a
//! departmental club) against the target (100 per department, 10 000 nationally by 2022), clubs
//! per department, actions per theme and nature, and the progress quarter by quarter.

use std::collections::{BTreeMap, BTreeSet};

use super::bilan::{nom_departement, table};
use super::model::{Nature, Periode, THEMATIQUES};
use super::national::departements;
use super::store::Base;
use crate::model::Day;
use crate::query::Filter;
use crate::tables::{Cell, Row, Table};

/// Companies a department's club aims at.
pub const CIBLE_DEPARTEMENT: u64 = 100;
/// Companies the plan aims at nationally by 2022.
pub const CIBLE_NATIONALE: u64 = 10_000;
/// How many quarters the progress goes back, the dashboard's included.
pub const PROGRESSION: usize = 16;

/// Clubs convened and companies committed in department `d` by the end of `t`.
fn engagees<'b>(base: &'b Base, d: &str, t: Periode) -> (u64, BTreeSet<&'b str>) {
    let end = Day::from_date(t.fin()).unwrap_or(Day(u16::MAX - 1));
    let Some(data) = base.donnees.get(d) else {
        return (0, BTreeSet::new());
    };
    let clubs = data
        .clubs
        .iter()
        .filter(|c| c.date_convention <= end)
        .count() as u64;
    let companies = data
        .adhesions
        .iter()
        .filter(|a| a.date <= end)
        .map(|a| a.entreprise.as_str())
        .collect();
    (clubs, companies)
}

fn rate(n: u64, target: u64) -> Cell {
    Cell::Rate(Some(n as f64 / target as f64))
}

/// The dashboard for quarter `t`, as tables.
pub fn plan10000(base: &Base, t: Periode) -> Vec<Table> {
    let filter = Filter::none();
    let deps = departements(base);
    let title = |what: &str| format!("Plan 10 000 entreprises, {t} : {what}");
    let columns = [
        ("clubs", "Clubs"),
        ("entreprises", "Entreprises engagées"),
        ("cible", "Cible"),
        ("taux", "Taux d'atteinte"),
        ("actions", "Lignes d'actions du trimestre"),
    ];
    let mut parts = table(
        "plan10000-departements",
        title("entreprises engagées"),
        t,
        &filter,
        &columns,
    );
    let (mut clubs, mut all) = (0, BTreeSet::new());
    let mut actions = 0;
    for d in &deps {
        let (c, companies) = engagees(base, d, t);
        let n = companies.len() as u64;
        let a = base.donnees[*d]
            .actions
            .iter()
            .filter(|a| a.periode == t)
            .count() as u64;
        if c == 0 && n == 0 {
            continue;
        }
        let cells = vec![
            Cell::Count(c),
            Cell::Count(n),
            Cell::Count(CIBLE_DEPARTEMENT),
            rate(n, CIBLE_DEPARTEMENT),
            Cell::Count(a),
        ];
        parts
            .rows
            .push(Row::new("departement", *d, nom_departement(d), 1, cells));
        clubs += c;
        all.extend(companies);
        actions += a;
    }
    let n = all.len() as u64;
    let cells = vec![
        Cell::Count(clubs),
        Cell::Count(n),
        Cell::Count(CIBLE_NATIONALE),
        rate(n, CIBLE_NATIONALE),
        Cell::Count(actions),
    ];
    parts
        .rows
        .push(Row::new("nation", "total", "France entière", 0, cells));

    vec![
        parts,
        themes(base, &deps, t, title("actions par thématique")),
        progression(base, &deps, t, title("progression")),
    ]
}

fn themes(base: &Base, deps: &[&str], t: Periode, title: String) -> Table {
    let mut columns: Vec<(&str, &str)> =
        Nature::ALL.iter().map(|n| (n.code(), n.label())).collect();
    columns.push(("entreprises", "Entreprises"));
    let columns: Vec<(String, &str)> = columns
        .into_iter()
        .map(|(k, l)| (k.to_lowercase(), l))
        .collect();
    let columns: Vec<(&str, &str)> = columns.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    let mut table = table("plan10000-actions", title, t, &Filter::none(), &columns);
    let mut sums: BTreeMap<u8, ([i64; 3], BTreeSet<&str>)> = BTreeMap::new();
    for d in deps {
        for a in base.donnees[*d].actions.iter().filter(|a| a.periode == t) {
            let entry = sums.entry(a.thematique).or_default();
            entry.0[a.nature as usize] += a.valeur;
            entry.1.insert(&a.entreprise);
        }
    }
    for (i, label) in THEMATIQUES.iter().enumerate() {
        let theme = i as u8 + 1;
        let (values, companies) = sums.remove(&theme).unwrap_or_default();
        let mut cells: Vec<Cell> = values.iter().map(|v| Cell::Hundredths(*v)).collect();
        cells.push(Cell::Count(companies.len() as u64));
        table.rows.push(Row::new(
            "thematique",
            theme.to_string(),
            format!("{theme}. {label}"),
            1,
            cells,
        ));
    }
    table
}

fn progression(base: &Base, deps: &[&str], t: Periode, title: String) -> Table {
    let columns = [
        ("clubs", "Clubs"),
        ("departements_avec_club", "Départements avec un club"),
        ("nouvelles_entreprises", "Nouvelles entreprises engagées"),
        ("entreprises", "Entreprises engagées"),
        ("taux", "Taux d'atteinte (10 000)"),
    ];
    let mut table = table("plan10000-progression", title, t, &Filter::none(), &columns);
    let first = deps
        .iter()
        .flat_map(|d| {
            let data = &base.donnees[*d];
            data.clubs
                .iter()
                .map(|c| c.date_convention)
                .chain(data.adhesions.iter().map(|a| a.date))
        })
        .min()
        .map_or(t, |day| {
            let date = day.date();
            Periode::trimestre(date.year(), (date.month() as u8 - 1) / 3 + 1)
        })
        .min(t);
    let mut quarters = vec![t];
    while quarters.len() < PROGRESSION && *quarters.last().expect("one") > first {
        let previous = quarters.last().expect("one").previous();
        quarters.push(previous);
    }
    quarters.reverse();
    let mut before = 0;
    for q in quarters {
        let (mut clubs, mut with_club, mut all) = (0, 0, BTreeSet::new());
        for d in deps {
            let (c, companies) = engagees(base, d, q);
            clubs += c;
            with_club += u64::from(c > 0);
            all.extend(companies);
        }
        let n = all.len() as u64;
        let cells = vec![
            Cell::Count(clubs),
            Cell::Count(with_club),
            Cell::Count(n.saturating_sub(before)),
            Cell::Count(n),
            rate(n, CIBLE_NATIONALE),
        ];
        table.rows.push(Row::new(
            "trimestre",
            q.to_string(),
            q.to_string(),
            1,
            cells,
        ));
        before = n;
    }
    table
}
