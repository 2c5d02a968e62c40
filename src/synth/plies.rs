//! The 150 synthetic PLIE: codes and names over real departments (with their regions), the
//! published `gestion_fse` mix, sizes, creation and closure years, and what each one fills in.
//!
//! Every attribute is drawn once for all 150 PLIE from the seed alone, so that `--plie N` gives
//! the first N PLIE of the full corpus, identical.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::calibration::{num, Csv, CHIFFRES_CLES, DEPARTEMENTS};
use super::{day, rng, Tag};
use crate::model::{GestionFse, PlieInfo};

/// Number of PLIE in the national corpus (chiffres clés).
pub const PLIE_COUNT: usize = 150;
/// PLIE with parcours active in the last year (115 contributed to the 2017 consolidation).
pub const CONTRIBUTING: usize = 115;
/// PLIE closed (or merged) before the first published year: history only, every parcours closed.
pub const CLOSED: usize = 20;

/// Whether and until when a PLIE sends parcours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Sends parcours every year since its creation.
    Contributing,
    /// Closed on this day (days since 1990-01-01): no entry after it, every open parcours ended
    /// on it.
    Closed(i32),
    /// In plie.csv only (not equipped, or did not join the consolidation).
    Silent,
}

/// One synthetic PLIE.
#[derive(Debug, Clone)]
pub struct Plie {
    pub index: usize,
    pub info: PlieInfo,
    pub activity: Activity,
    /// Year of creation: entries start on 1 January of it.
    pub creation: i32,
    /// Relative size (entries per year), lognormal.
    pub weight: f64,
    /// Yearly growth of the size.
    pub trend: f64,
    /// INSEE codes of the communes covered; the first is the main town.
    pub communes: Vec<String>,
    /// Cumulative weights of residence over `communes` (Zipf-like).
    pub commune_cumul: Vec<f64>,
    pub fills_commune: bool,
    pub fills_qpv: bool,
    /// Records whether each étape is funded by the PLIE (Tableau 5: 66 PLIE).
    pub records_finance: bool,
    /// Records the details of exits to employment and training (Tableaux 8 and 9).
    pub records_details: bool,
    /// A propensity to answer the optional questionnaires (annexes), shared by all of them.
    pub diligence: f64,
}

impl Plie {
    pub fn code(&self) -> &str {
        &self.info.plie
    }

    /// Whether the PLIE takes entries during `year`.
    pub fn active_in(&self, year: i32) -> bool {
        if year < self.creation {
            return false;
        }
        match self.activity {
            Activity::Contributing => true,
            Activity::Closed(c) => year <= super::year_of(c),
            Activity::Silent => false,
        }
    }

    /// Relative size in `year` (0 when not active).
    pub fn weight_in(&self, year: i32) -> f64 {
        if self.active_in(year) {
            self.weight * (1.0 + self.trend).powi(year - 2017)
        } else {
            0.0
        }
    }
}

struct Departement {
    code: String,
    nom: String,
    region: String,
    plies: usize,
}

fn departements() -> Vec<Departement> {
    let csv = Csv::parse(DEPARTEMENTS);
    csv.rows
        .iter()
        .map(|r| Departement {
            code: r[0].clone(),
            nom: r[1].clone(),
            region: r[2].clone(),
            plies: num(&r[3]) as usize,
        })
        .collect()
}

/// The `gestion_fse` counts of the chiffres clés, in code order.
fn gestion_mix() -> Vec<(GestionFse, usize)> {
    let csv = Csv::parse(CHIFFRES_CLES);
    GestionFse::ALL
        .iter()
        .map(|g| {
            let name = format!("gestion_fse_{}", g.code());
            (*g, num(&csv.row(&[&name])[1]) as usize)
        })
        .collect()
}

/// Total communes covered (chiffres clés).
fn communes_total() -> f64 {
    let csv = Csv::parse(CHIFFRES_CLES);
    num(&csv.row(&["communes_couvertes"])[1])
}

fn normal(r: &mut impl rand::Rng) -> f64 {
    StandardNormal.sample(r)
}

/// A random permutation of `0..n`.
fn shuffled(r: &mut impl rand::Rng, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = r.random_range(0..=i);
        v.swap(i, j);
    }
    v
}

/// The 150 PLIE of the corpus for `seed`, in code order; closures fall in the years before
/// `from`.
pub fn plies(seed: u64, from: i32) -> Vec<Plie> {
    let mut r = rng(seed, Tag::Plies, 0, 0);
    let mut list: Vec<(PlieInfo, usize)> = Vec::new();
    for d in departements() {
        for n in 1..=d.plies {
            let nom = if d.plies == 1 {
                format!("PLIE {}", d.nom)
            } else {
                format!("PLIE {} {n}", d.nom)
            };
            let info = PlieInfo {
                plie: format!("P{}-{n:02}", d.code),
                nom: Some(nom),
                departement: Some(d.code.clone()),
                region: Some(d.region.clone()),
                ..PlieInfo::default()
            };
            list.push((info, list.len()));
        }
    }
    assert_eq!(list.len(), PLIE_COUNT, "departements.csv holds 150 PLIE");
    list.sort_by(|a, b| a.0.plie.cmp(&b.0.plie));
    let n = list.len();

    // gestion_fse: the metropolitan OI (Lyon, Marseille) go to PLIE of the Rhône and the
    // Bouches-du-Rhône; the other kinds are dealt at random.
    let mix = gestion_mix();
    let mut gestion: Vec<Option<GestionFse>> = vec![None; n];
    let metro_count = mix
        .iter()
        .find(|(g, _)| *g == GestionFse::OiMetropole)
        .map_or(0, |m| m.1);
    let metro: Vec<usize> = shuffled(&mut r, n)
        .into_iter()
        .filter(|&i| matches!(list[i].0.departement.as_deref(), Some("69" | "13")))
        .take(metro_count)
        .collect();
    for &i in &metro {
        gestion[i] = Some(GestionFse::OiMetropole);
    }
    let free: Vec<usize> = shuffled(&mut r, n)
        .into_iter()
        .filter(|&i| gestion[i].is_none())
        .collect();
    let mut rest = free.into_iter();
    for (g, count) in &mix {
        if *g == GestionFse::OiMetropole {
            continue;
        }
        for _ in 0..*count {
            if let Some(i) = rest.next() {
                gestion[i] = Some(*g);
            }
        }
    }

    // Activity: 115 contributing, 20 closed before `from`, 15 silent.
    let order = shuffled(&mut r, n);
    let mut activity = vec![Activity::Contributing; n];
    for &i in &order[CONTRIBUTING..CONTRIBUTING + CLOSED] {
        let year = from - r.random_range(1..=6);
        activity[i] = Activity::Closed(day(year, 1, 1) + r.random_range(0..365));
    }
    for &i in &order[CONTRIBUTING + CLOSED..] {
        activity[i] = Activity::Silent;
    }

    // Communes covered: lognormal around the published mean, summing to the published total.
    let raw: Vec<f64> = (0..n).map(|_| (0.9 * normal(&mut r)).exp()).collect();
    let k = communes_total() / raw.iter().sum::<f64>();

    let mut out = Vec::with_capacity(n);
    for (i, (mut info, _)) in list.into_iter().enumerate() {
        info.gestion_fse = gestion[i];
        let communes = ((raw[i] * k).round() as usize).clamp(1, 600);
        info.communes = Some(communes as u32);
        let u: f64 = r.random();
        info.structure_porteuse = Some(
            match u {
                ..0.50 => "Association",
                ..0.75 => "EPCI",
                ..0.90 => "GIP",
                ..0.97 => "Maison de l'emploi",
                _ => "Commune",
            }
            .to_owned(),
        );
        let departement = info.departement.clone().unwrap_or_default();
        let (codes, cumul) = commune_codes(&mut r, &departement, communes);
        let creation = match r.random::<f64>() {
            u if u < 0.30 => r.random_range(1990..=1995),
            u if u < 0.65 => r.random_range(1996..=2000),
            u if u < 0.85 => r.random_range(2001..=2005),
            _ => r.random_range(2006..=2012),
        };
        let creation = match activity[i] {
            Activity::Closed(c) => creation.min(super::year_of(c) - 3),
            _ => creation.min(from - 2),
        };
        let weight = (0.75 * normal(&mut r)).exp();
        let trend = 0.02 * normal(&mut r);
        out.push(Plie {
            index: i,
            info,
            activity: activity[i],
            creation,
            weight,
            trend,
            communes: codes,
            commune_cumul: cumul,
            fills_commune: r.random_bool(0.9),
            fills_qpv: r.random_bool(0.8),
            records_finance: false,
            records_details: r.random_bool(0.85),
            diligence: normal(&mut r),
        });
    }
    // Tableau 5's 66 PLIE record which steps they fund, among the contributing ones.
    let contributing: Vec<usize> = shuffled(&mut r, n)
        .into_iter()
        .filter(|&i| out[i].activity == Activity::Contributing)
        .collect();
    for &i in contributing.iter().take(66) {
        out[i].records_finance = true;
    }
    out
}

/// `count` distinct commune codes of `departement`, and cumulative residence weights.
fn commune_codes(
    r: &mut impl rand::Rng,
    departement: &str,
    count: usize,
) -> (Vec<String>, Vec<f64>) {
    let outre_mer = departement.len() == 3;
    let max = if outre_mer { 34 } else { 900 };
    let count = count.min(max);
    let mut numbers: Vec<u32> = Vec::with_capacity(count);
    while numbers.len() < count {
        let v = r.random_range(1..=max as u32);
        if !numbers.contains(&v) {
            numbers.push(v);
        }
    }
    let codes = numbers
        .iter()
        .map(|v| {
            if outre_mer {
                format!("{departement}{v:02}")
            } else {
                format!("{departement}{v:03}")
            }
        })
        .collect();
    let mut acc = 0.0;
    let cumul = (0..count)
        .map(|rank| {
            acc += 1.0 / (rank as f64 + 1.0).powf(1.1);
            acc
        })
        .collect();
    (codes, cumul)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hundred_and_fifty_plie_with_the_published_mix() {
        let p = plies(1, 2014);
        assert_eq!(p.len(), 150);
        let count = |g| p.iter().filter(|x| x.info.gestion_fse == Some(g)).count();
        assert_eq!(count(GestionFse::OiPivot), 71);
        assert_eq!(count(GestionFse::OiMetropole), 9);
        assert_eq!(count(GestionFse::SansFse), 3);
        let contributing = p
            .iter()
            .filter(|x| x.activity == Activity::Contributing)
            .count();
        assert_eq!(contributing, 115);
        let communes: u32 = p.iter().map(|x| x.info.communes.unwrap()).sum();
        assert!((communes as f64 - 11108.0).abs() < 200.0, "{communes}");
        let mut codes: Vec<&str> = p.iter().map(Plie::code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 150);
        assert_eq!(plies(1, 2014)[7].communes, p[7].communes);
    }
}
