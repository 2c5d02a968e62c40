//! The optional files: financements (Tableaux 6 and 6BIS), allocations (Tableau 7) and activite
//! (Tableau 10). The published national totals are shared among the PLIE that answer (95, 75 and
//! 57 to 93 of the 115 contributing ones) in proportion to their size, so that at scale 1 the
//! national sums are the published ones.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::calibration::{num, Csv, PERIODES, TABLEAU10, TABLEAU6, TABLEAU6BIS, TABLEAU7};
use super::plies::Activity;
use super::{rng, Annexes, Ctx, Tag};
use crate::model::{Activite, Allocation, Financement, Financeur, GestionFse, Structure};

/// The indicators of activite.csv, one per line of Tableau 10: (code, French label). The table
/// owns the documented list; the generator draws a value for each of its codes.
pub const ACTIVITE_INDICATEURS: &[(&str, &str)] = crate::tables::Tableau10::INDICATEURS;

/// The group of PLIE that answers an indicator (each group is drawn separately).
fn group_of(code: &str) -> &'static str {
    match code {
        c if c.starts_with("EQUIPE") => "equipe",
        "MASSE_SALARIALE" | "COUT_TOTAL" | "COUT_ASSISTANCE_TECHNIQUE" => "cout",
        c if c.starts_with("INGENIERIE") => "ingenierie",
        "BENEFICIAIRES_NON_CONVENTIONNES" => "non_conventionnes",
        c if c.starts_with("BENEFICIAIRES") => "beneficiaires",
        c if c.starts_with("OPERATIONS") => "operations",
        "ENTREPRISES_PARTENAIRES" => "entreprises",
        "REUNIONS_EXTERIEURES" => "reunions_exterieures",
        c if c.starts_with("REUNIONS") => "reunions",
        _ => "referents",
    }
}

/// Totals computed as the sum of their lines (plus, for meetings, what the report prints above
/// the sum of its two lines).
fn sum_of(code: &str) -> Option<&'static [&'static str]> {
    const OPS_N: &[&str] = &[
        "OPERATIONS_UTILITE_SOCIALE_NOMBRE",
        "OPERATIONS_SIAE_NOMBRE",
        "OPERATIONS_FORMATION_NOMBRE",
        "OPERATIONS_CREATION_NOMBRE",
        "OPERATIONS_MEDIATION_NOMBRE",
        "OPERATIONS_EMPLOI_NOMBRE",
        "OPERATIONS_ACCOMPAGNEMENT_NOMBRE",
        "OPERATIONS_INGENIERIE_NOMBRE",
    ];
    const OPS_M: &[&str] = &[
        "OPERATIONS_UTILITE_SOCIALE_MONTANT",
        "OPERATIONS_SIAE_MONTANT",
        "OPERATIONS_FORMATION_MONTANT",
        "OPERATIONS_CREATION_MONTANT",
        "OPERATIONS_MEDIATION_MONTANT",
        "OPERATIONS_EMPLOI_MONTANT",
        "OPERATIONS_ACCOMPAGNEMENT_MONTANT",
        "OPERATIONS_INGENIERIE_MONTANT",
    ];
    const REF: &[&str] = &[
        "REFERENTS_PLIE_ASSOCIATION",
        "REFERENTS_PLIE_COMMUNE",
        "REFERENTS_PLIE_EPCI",
        "REFERENTS_PLIE_GIP",
        "REFERENTS_AI",
        "REFERENTS_EI",
        "REFERENTS_ACI",
        "REFERENTS_POLE_EMPLOI",
        "REFERENTS_MISSION_LOCALE",
        "REFERENTS_MDE",
        "REFERENTS_CCAS",
        "REFERENTS_COMMUNE",
        "REFERENTS_AUTRE",
    ];
    match code {
        "OPERATIONS_NOMBRE" => Some(OPS_N),
        "OPERATIONS_MONTANT" => Some(OPS_M),
        "REFERENTS" => Some(REF),
        "REUNIONS_ORGANISEES" => Some(&["REUNIONS_INSTITUTIONNELLES", "REUNIONS_OPERATIONNELLES"]),
        _ => None,
    }
}

/// Share of the PLIE with FSE that mobilise each financer.
fn financeur_share(f: Financeur) -> f64 {
    match f {
        Financeur::Collectivites | Financeur::Fse => 1.0,
        Financeur::Departement => 0.8,
        Financeur::Region => 0.5,
        Financeur::Etat => 0.85,
        Financeur::AutresPublics => 0.5,
        Financeur::AutresPrives => 0.35,
    }
}

/// Share of the PLIE that fund each structure (Tableau 7).
fn structure_share(s: Structure) -> f64 {
    match s {
        Structure::Aci => 0.8,
        Structure::Ei => 0.2,
        Structure::Etti => 0.1,
        Structure::Ai => 0.3,
        Structure::Rq => 0.15,
        Structure::Geiq => 0.03,
        Structure::PoleEmploi => 0.2,
        Structure::MissionLocale => 0.3,
        Structure::OrganismeFormation => 0.6,
        Structure::Mde => 0.25,
        Structure::Cbe => 0.05,
        Structure::ClubFondation => 0.1,
        Structure::OperationInterne => 0.7,
        Structure::AssociationInsertion => 0.4,
        Structure::CcasCias => 0.25,
        Structure::Collectivite => 0.3,
        Structure::Autre => 0.6,
    }
}

/// A line of national funds: axis, financer, mobilised, direct and indirect euros.
type FundLine = (u8, Financeur, bool, f64, f64);

/// National funds of `year` (Tableau 6 for 2017 and after, 6BIS less 2017 for 2014-2016, the
/// programming periods' yearly averages before).
fn fund_totals(year: i32) -> Vec<FundLine> {
    let t6 = Csv::parse(TABLEAU6);
    let lines: Vec<FundLine> = t6
        .rows
        .iter()
        .map(|r| {
            let mobilise = r[2] == "1";
            let (direct, indirect) = if mobilise {
                (num(&r[4]), num(&r[5]))
            } else {
                (num(&r[3]), 0.0)
            };
            (
                num(&r[0]) as u8,
                Financeur::parse(&r[1]).expect("financeur"),
                mobilise,
                direct,
                indirect,
            )
        })
        .collect();
    match year {
        2017.. => lines,
        2014..=2016 => {
            let bis = Csv::parse(TABLEAU6BIS);
            let mut out = Vec::new();
            for &(axe, f, mobilise, direct, indirect) in &lines {
                if axe == 4 {
                    out.push((axe, f, mobilise, direct, indirect));
                    continue;
                }
                let row = bis
                    .rows
                    .iter()
                    .find(|r| r[0] == f.code() && (r[1] == "1") == mobilise)
                    .expect("6BIS row");
                let same = |pick: fn(&FundLine) -> f64| -> f64 {
                    lines
                        .iter()
                        .filter(|l| l.1 == f && l.2 == mobilise)
                        .map(|l| {
                            let k = if l.0 == 4 { 4.0 } else { 1.0 };
                            pick(l) * k
                        })
                        .sum()
                };
                let (d4, i4) = (same(|l| l.3), same(|l| l.4));
                let (bd, bi) = if mobilise {
                    (num(&row[3]), num(&row[4]))
                } else {
                    (num(&row[2]), 0.0)
                };
                out.push((
                    3,
                    f,
                    mobilise,
                    ((bd - d4) / 3.0).max(0.0),
                    ((bi - i4) / 3.0).max(0.0),
                ));
            }
            out
        }
        _ => {
            let p = Csv::parse(PERIODES);
            let col = if year <= 2006 {
                "2000-2006"
            } else {
                "2007-2013"
            };
            let get = |name: &str| p.num(p.row(&[name]), col) * 1e6 / 7.0;
            let mut out = vec![
                (
                    3,
                    Financeur::Collectivites,
                    true,
                    get("collectivites_direct_meur"),
                    get("collectivites_indirect_meur"),
                ),
                (
                    3,
                    Financeur::Departement,
                    true,
                    get("departement_direct_meur"),
                    get("departement_indirect_meur"),
                ),
                (
                    3,
                    Financeur::Region,
                    true,
                    get("region_direct_meur"),
                    get("region_indirect_meur"),
                ),
                (
                    3,
                    Financeur::Etat,
                    true,
                    get("etat_direct_meur"),
                    get("etat_indirect_meur"),
                ),
            ];
            for f in [Financeur::AutresPublics, Financeur::AutresPrives] {
                out.push((
                    3,
                    f,
                    true,
                    get("autres_direct_meur") / 2.0,
                    get("autres_indirect_meur") / 2.0,
                ));
            }
            out.push((3, Financeur::Fse, true, get("fse_total_meur"), 0.0));
            out
        }
    }
}

/// Splits `total` into whole units over `weights` (largest remainder), exactly.
fn apportion(total: f64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    let target = total.round() as i64;
    if sum <= 0.0 || target <= 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total.round() * w / sum).collect();
    let mut out: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut left = target - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        if weights[i] > 0.0 {
            out[i] += 1;
            left -= 1;
        }
    }
    out
}

/// Whether an indicator is an amount or a number of FTE (two decimals), not a count.
fn has_decimals(code: &str) -> bool {
    ["MONTANT", "BUDGET", "MASSE", "COUT", "ETP"]
        .iter()
        .any(|k| code.contains(k))
}

/// `total` split over `weights` in hundredths: whole units for counts, cents for amounts.
fn in_hundredths(code: &str, total: f64, weights: &[f64]) -> Vec<i64> {
    if has_decimals(code) {
        apportion(total * 100.0, weights)
    } else {
        apportion(total, weights)
            .into_iter()
            .map(|v| v * 100)
            .collect()
    }
}

/// The `n` PLIE (indexes) answering among the contributing ones, by diligence and chance.
fn answering(ctx: &Ctx, r: &mut impl rand::Rng, n: usize) -> Vec<bool> {
    let mut scored: Vec<(f64, usize)> = ctx
        .plies
        .iter()
        .filter(|p| p.activity == Activity::Contributing)
        .map(|p| {
            let noise: f64 = StandardNormal.sample(r);
            (p.diligence + 0.8 * noise, p.index)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = vec![false; ctx.plies.len()];
    for &(_, i) in scored.iter().take(n) {
        out[i] = true;
    }
    out
}

fn lognormal(r: &mut impl rand::Rng, sigma: f64) -> f64 {
    let z: f64 = StandardNormal.sample(r);
    (sigma * z).exp()
}

/// Entries of `year` relative to 2017 (the annexes follow the volume).
fn drift(ctx: &Ctx, year: i32) -> f64 {
    ctx.model.entrees(year.min(2017)) / ctx.model.entrees(2017)
}

/// The annexes of every PLIE (index order).
pub(crate) fn all(ctx: &Ctx) -> Vec<Annexes> {
    let n = ctx.plies.len();
    let mut out = vec![Annexes::default(); n];
    let mut r = rng(ctx.options.seed, Tag::Annexes, 0, 0);
    let scale = ctx.options.scale;
    let years = ctx.options.from..=ctx.options.to;

    // ---- financements: 95 PLIE.
    let fin = answering(ctx, &mut r, 95);
    let keys: Vec<(u8, Financeur, bool)> =
        fund_totals(2017).iter().map(|l| (l.0, l.1, l.2)).collect();
    // Who has which line, and a size noise per (PLIE, line).
    let has: Vec<Vec<f64>> = ctx
        .plies
        .iter()
        .map(|p| {
            keys.iter()
                .map(|&(axe, f, mobilise)| {
                    let noise = lognormal(&mut r, 0.35);
                    let sans_fse = p.info.gestion_fse == Some(GestionFse::SansFse);
                    let share = if !mobilise {
                        0.1
                    } else if axe == 4 {
                        0.25
                    } else if f == Financeur::Fse && sans_fse {
                        0.0
                    } else {
                        financeur_share(f)
                    };
                    if fin[p.index] && r.random_bool(share) {
                        noise
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    for year in years.clone() {
        for line in fund_totals(year) {
            let Some(k) = keys
                .iter()
                .position(|&(a, f, m)| (a, f, m) == (line.0, line.1, line.2))
            else {
                continue;
            };
            let weights: Vec<f64> = ctx
                .plies
                .iter()
                .map(|p| p.weight_in(year) * has[p.index][k])
                .collect();
            let direct = apportion(line.3 * scale * 100.0, &weights);
            let indirect = apportion(line.4 * scale * 100.0, &weights);
            for p in &ctx.plies {
                let i = p.index;
                if weights[i] > 0.0 && (direct[i] > 0 || indirect[i] > 0) {
                    out[i].financements.push(Financement {
                        plie: p.code().to_owned(),
                        annee: year,
                        axe: line.0,
                        financeur: line.1,
                        direct_centimes: direct[i],
                        indirect_centimes: indirect[i],
                        mobilise: line.2,
                    });
                }
            }
        }
    }

    // ---- allocations: 75 PLIE, from 2014.
    let alloc = answering(ctx, &mut r, 75);
    let t7 = Csv::parse(TABLEAU7);
    let structures: Vec<(Structure, f64, f64)> = t7
        .rows
        .iter()
        .map(|row| {
            (
                Structure::parse(&row[0]).expect("structure"),
                num(&row[1]),
                num(&row[2]),
            )
        })
        .collect();
    let funds: Vec<Vec<f64>> = ctx
        .plies
        .iter()
        .map(|p| {
            structures
                .iter()
                .map(|(s, _, _)| {
                    let noise = lognormal(&mut r, 0.5);
                    if alloc[p.index] && r.random_bool(structure_share(*s)) {
                        noise
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    for year in years.clone().filter(|&y| y >= 2014) {
        for (k, &(s, montant, fse)) in structures.iter().enumerate() {
            let weights: Vec<f64> = ctx
                .plies
                .iter()
                .map(|p| p.weight_in(year) * funds[p.index][k])
                .collect();
            let amounts = apportion(montant * scale * drift(ctx, year) * 100.0, &weights);
            for p in &ctx.plies {
                let m = amounts[p.index];
                if m > 0 {
                    out[p.index].allocations.push(Allocation {
                        plie: p.code().to_owned(),
                        annee: year,
                        structure: s,
                        montant_centimes: m,
                        dont_fse_centimes: (m as f64 * fse / montant).round() as i64,
                    });
                }
            }
        }
    }

    // ---- activite: each group of indicators has its own PLIE.
    let t10 = Csv::parse(TABLEAU10);
    let mut groups: Vec<(&str, Vec<bool>, Vec<f64>)> = Vec::new();
    for (code, _) in ACTIVITE_INDICATEURS {
        let g = group_of(code);
        if groups.iter().any(|(name, _, _)| *name == g) {
            continue;
        }
        let row = t10.row(&[code]);
        let count = num(&row[t10.col("plie")]) as usize;
        let who = answering(ctx, &mut r, count);
        let noise = ctx.plies.iter().map(|_| lognormal(&mut r, 0.3)).collect();
        groups.push((g, who, noise));
    }
    for year in years.filter(|&y| y >= 2014) {
        let mut values: Vec<(&str, Vec<i64>)> = Vec::new();
        for (code, _) in ACTIVITE_INDICATEURS {
            if sum_of(code).is_some() {
                continue;
            }
            let (_, who, noise) = groups
                .iter()
                .find(|(g, _, _)| *g == group_of(code))
                .expect("group");
            let weights: Vec<f64> = ctx
                .plies
                .iter()
                .map(|p| {
                    if who[p.index] {
                        p.weight_in(year).powf(0.6) * noise[p.index]
                    } else {
                        0.0
                    }
                })
                .collect();
            let total = num(&t10.row(&[code])[1]) * scale * drift(ctx, year);
            values.push((code, in_hundredths(code, total, &weights)));
        }
        // Meetings: the report's total is above the sum of its two lines.
        let parts = ["REUNIONS_INSTITUTIONNELLES", "REUNIONS_OPERATIONNELLES"];
        let value = |code: &str, values: &[(&str, Vec<i64>)]| -> Vec<i64> {
            values
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| vec![0; n])
        };
        for (code, _) in ACTIVITE_INDICATEURS {
            let Some(lines) = sum_of(code) else { continue };
            let mut total = vec![0i64; n];
            for line in lines {
                for (t, v) in total.iter_mut().zip(value(line, &values)) {
                    *t += v;
                }
            }
            if *code == "REUNIONS_ORGANISEES" {
                let printed = num(&t10.row(&[code])[1]);
                let parts_sum: f64 = parts.iter().map(|c| num(&t10.row(&[c])[1])).sum();
                let (_, who, noise) = groups
                    .iter()
                    .find(|(g, _, _)| *g == "reunions")
                    .expect("group");
                let weights: Vec<f64> = ctx
                    .plies
                    .iter()
                    .map(|p| {
                        if who[p.index] {
                            p.weight_in(year).powf(0.6) * noise[p.index]
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let extra = in_hundredths(
                    code,
                    (printed - parts_sum) * scale * drift(ctx, year),
                    &weights,
                );
                for (t, e) in total.iter_mut().zip(extra) {
                    *t += e;
                }
            }
            values.push((code, total));
        }
        for (code, _) in ACTIVITE_INDICATEURS {
            let (_, who, _) = groups
                .iter()
                .find(|(g, _, _)| *g == group_of(code))
                .expect("group");
            let v = value(code, &values);
            for p in &ctx.plies {
                if who[p.index] && p.active_in(year) {
                    out[p.index].activite.push(Activite {
                        plie: p.code().to_owned(),
                        annee: year,
                        indicateur: (*code).to_owned(),
                        valeur_centiemes: v[p.index],
                    });
                }
            }
        }
    }
    for a in &mut out {
        a.financements.sort_by(|x, y| {
            (x.annee, x.axe, x.financeur, !x.mobilise).cmp(&(
                y.annee,
                y.axe,
                y.financeur,
                !y.mobilise,
            ))
        });
        a.allocations.sort_by_key(|x| (x.annee, x.structure));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact() {
        let v = apportion(10.0, &[1.0, 1.0, 1.0]);
        assert_eq!(v.iter().sum::<i64>(), 10);
        assert_eq!(apportion(5.0, &[0.0, 2.0, 0.0]), vec![0, 5, 0]);
    }

    #[test]
    fn indicators_are_tableau10s_lines() {
        let t10 = Csv::parse(TABLEAU10);
        let codes: Vec<&str> = t10.rows.iter().map(|r| r[0].as_str()).collect();
        let ours: Vec<&str> = ACTIVITE_INDICATEURS.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ours);
    }
}
