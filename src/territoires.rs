//! The reference of French territories: the 101 departments (with `2A`, `2B` and `971` to `976`
//! but `975`, which is not a department) and the 18 regions, with their INSEE codes and names.
//! Shipped with the crate (`data/reference/departements.csv` and `regions.csv`), so that a PLIE's
//! `plie.csv` and a commitments transfer are checked against the same list.

use std::sync::OnceLock;

const REGIONS: &str = include_str!("../data/reference/regions.csv");

/// A department of the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departement {
    /// INSEE code: `01`..`95`, `2A`, `2B`, `971`..`976`.
    pub code: String,
    pub nom: String,
    /// INSEE code of its region.
    pub region: String,
}

/// A region of the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// INSEE code, two digits (`52`).
    pub code: String,
    pub nom: String,
}

/// Every department and region, in INSEE code order.
#[derive(Debug)]
pub struct Territoires {
    pub departements: Vec<Departement>,
    pub regions: Vec<Region>,
}

impl Territoires {
    /// The reference, read once from the embedded files.
    pub fn get() -> &'static Territoires {
        static REFERENCE: OnceLock<Territoires> = OnceLock::new();
        REFERENCE.get_or_init(|| {
            let regions: Vec<Region> = Csv::parse(REGIONS)
                .rows
                .iter()
                .map(|r| Region {
                    code: r[0].clone(),
                    nom: r[1].clone(),
                })
                .collect();
            let departements = Csv::parse(DEPARTEMENTS)
                .rows
                .iter()
                .map(|r| Departement {
                    code: r[0].clone(),
                    nom: r[1].clone(),
                    region: regions
                        .iter()
                        .find(|g| g.nom == r[2])
                        .unwrap_or_else(|| panic!("region {} of the reference", r[2]))
                        .code
                        .clone(),
                })
                .collect();
            Territoires {
                departements,
                regions,
            }
        })
    }

    /// The department of INSEE code `code` (any case).
    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departements
            .iter()
            .find(|d| d.code.eq_ignore_ascii_case(code))
    }

    /// The region of INSEE code `code`.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The region named `name` (case and surrounding spaces ignored) or of INSEE code `name`.
    pub fn region_named(&self, name: &str) -> Option<&Region> {
        let name = name.trim();
        self.regions
            .iter()
            .find(|r| r.code == name || r.nom.to_lowercase() == name.to_lowercase())
    }

    /// The region of the department `code`.
    pub fn region_of(&self, code: &str) -> Option<&Region> {
        self.departement(code).and_then(|d| self.region(&d.region))
    }
}

/// The reference of departments (INSEE code, name, region), embedded.
pub const DEPARTEMENTS: &str = include_str!("../data/reference/departements.csv");

/// One embedded CSV file (the references here and the generator's calibration tables).
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .expect("embedded reference header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                r.expect("embedded reference row")
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        Csv { header, rows }
    }

    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("reference column {name}"))
    }

    /// The first row whose first columns are `key`.
    pub fn row(&self, key: &[&str]) -> &[String] {
        self.rows
            .iter()
            .find(|r| key.iter().zip(r.iter()).all(|(k, v)| k == v))
            .unwrap_or_else(|| panic!("reference row {key:?}"))
    }

    pub fn num(&self, row: &[String], col: &str) -> f64 {
        num(&row[self.col(col)])
    }
}

/// A number of a reference file; empty is 0.
pub fn num(s: &str) -> f64 {
    let s = s.trim();
    if s.is_empty() {
        0.0
    } else {
        s.parse()
            .unwrap_or_else(|_| panic!("reference number {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_holds_101_departments_in_18_regions() {
        let t = Territoires::get();
        assert_eq!(t.departements.len(), 101);
        assert_eq!(t.regions.len(), 18);
        for r in &t.regions {
            assert!(t.departements.iter().any(|d| d.region == r.code), "{r:?}");
        }
        assert_eq!(t.departement("2a").unwrap().nom, "Corse-du-Sud");
        assert_eq!(t.region_of("2B").unwrap().nom, "Corse");
        assert_eq!(t.region_of("44").unwrap().code, "52");
        assert_eq!(t.region_of("976").unwrap().nom, "Mayotte");
        assert!(t.departement("975").is_none());
        assert!(t.departement("20").is_none());
        assert_eq!(t.region_named("pays de la loire").unwrap().code, "52");
        assert_eq!(t.region_named("32").unwrap().nom, "Hauts-de-France");
    }
}
