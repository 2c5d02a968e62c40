//! Scoped reading for multi-tenant hosts: a [`Corpus`] that holds only the PLIE of a [`Scope`].
//!
//! A scoped corpus is built from the PLIE in scope only: the others are dropped as soon as the
//! store's snapshot reads the PLIE records, before any zone map, column, bitmap, dimension value
//! or cache is read or built, so every later read (columns, étapes, optional files) is of the
//! corpus's own PLIE only. So every table, cross-tab, analysis, list of PLIE and error message that goes
//! through the corpus answers as if the store held nothing else.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use consolide::Scope;
//! let mut scope = Scope::all();
//! scope.add("region=Bretagne")?;
//! scope.add("departement=29,35")?;
//! assert!(scope.add("sexe=F").is_err());
//! # Ok(()) }
//! ```

use std::collections::BTreeSet;
use std::fmt;

use super::Corpus;
use crate::store::{PlieRecord, Store, StoreError};

/// The PLIE a read handle may see: those whose code, department and region pass every restriction
/// given. `None` restricts nothing along that dimension; a set keeps the PLIE whose value is in it
/// (an empty set keeps none). Restrictions only ever narrow: [`Scope::add`] intersects with what
/// is already there, so a scope handed down by a host cannot be widened by adding to it.
///
/// A PLIE absent from plie.csv (or listed there without department or region) has department and
/// region `?`, as in queries: it is in a `departement` or `region` scope only if `?` is listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// PLIE codes, compared exactly (codes are case-sensitive).
    pub plies: Option<BTreeSet<String>>,
    /// INSEE department codes, compared in upper case (`2a` is `2A`).
    pub departements: Option<BTreeSet<String>>,
    /// Regions as written in plie.csv, compared exactly.
    pub regions: Option<BTreeSet<String>>,
}

/// A scope clause that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    #[error("a scope is written DIM=V1[,V2...] with DIM plie, departement or region, not {0:?}")]
    Syntax(String),
    #[error("a scope restricts by plie, departement or region only, not by {0:?}")]
    Dimension(String),
}

impl Scope {
    /// No restriction: every PLIE of the store.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Only these PLIE codes.
    pub fn plies<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> Scope {
        Scope {
            plies: Some(codes.into_iter().map(|c| c.as_ref().to_owned()).collect()),
            ..Scope::default()
        }
    }

    /// Only the PLIE of these departments.
    pub fn departements<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> Scope {
        Scope {
            departements: Some(
                codes
                    .into_iter()
                    .map(|c| c.as_ref().to_ascii_uppercase())
                    .collect(),
            ),
            ..Scope::default()
        }
    }

    /// Only the PLIE of these regions.
    pub fn regions<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Scope {
        Scope {
            regions: Some(names.into_iter().map(|c| c.as_ref().to_owned()).collect()),
            ..Scope::default()
        }
    }

    /// Whether this scope restricts nothing.
    pub fn is_all(&self) -> bool {
        self == &Scope::all()
    }

    /// Parses one `DIM=V1[,V2...]` (DIM `plie`, `departement` or `region`; values OR-ed) and
    /// narrows the scope with it.
    pub fn add(&mut self, clause: &str) -> Result<(), ScopeError> {
        let syntax = || ScopeError::Syntax(clause.to_owned());
        let (dim, values) = clause.split_once('=').ok_or_else(syntax)?;
        let values: BTreeSet<String> = values.split(',').map(|v| v.trim().to_owned()).collect();
        if values.iter().any(String::is_empty) {
            return Err(syntax());
        }
        let (slot, values) = match dim.trim().to_ascii_lowercase().as_str() {
            "plie" => (&mut self.plies, values),
            "departement" => (
                &mut self.departements,
                values.iter().map(|v| v.to_ascii_uppercase()).collect(),
            ),
            "region" => (&mut self.regions, values),
            _ => return Err(ScopeError::Dimension(dim.trim().to_owned())),
        };
        *slot = Some(match slot.take() {
            Some(before) => before.intersection(&values).cloned().collect(),
            None => values,
        });
        Ok(())
    }

    /// Whether the PLIE of `record` is in scope.
    pub fn contains(&self, record: &PlieRecord) -> bool {
        let within = |set: &Option<BTreeSet<String>>, value: Option<&str>| {
            set.as_ref()
                .is_none_or(|s| s.contains(value.unwrap_or("?")))
        };
        within(&self.plies, Some(&record.plie))
            && within(
                &self.departements,
                record
                    .departement
                    .as_deref()
                    .map(str::to_ascii_uppercase)
                    .as_deref(),
            )
            && within(&self.regions, record.region.as_deref())
    }
}

/// `plie=P1,P2; region=Bretagne`, or `tout` when nothing is restricted.
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("plie", &self.plies),
            ("departement", &self.departements),
            ("region", &self.regions),
        ]
        .into_iter()
        .filter_map(|(name, set)| {
            let values: Vec<&str> = set.as_ref()?.iter().map(String::as_str).collect();
            Some(format!("{name}={}", values.join(",")))
        })
        .collect();
        if parts.is_empty() {
            f.write_str("tout")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

impl Corpus {
    /// Reads the PLIE of `store` that are in `scope` (one read transaction) into memory: a corpus
    /// that knows nothing of the other PLIE, so that every query through it answers within the
    /// scope. With [`Scope::all`] it is [`Corpus::load`].
    pub fn load_scoped(store: &Store, scope: &Scope) -> Result<Corpus, StoreError> {
        Ok(Corpus::of_snapshot(store.snapshot(&|r| scope.contains(r))?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(plie: &str, departement: Option<&str>, region: Option<&str>) -> PlieRecord {
        PlieRecord {
            plie: plie.into(),
            nom: None,
            departement: departement.map(Into::into),
            region: region.map(Into::into),
            communes: None,
            structure_porteuse: None,
            gestion_fse: None,
            content_hash: 0,
            parcours: 0,
            etapes: 0,
            parcours_chunks: 0,
            etapes_chunks: 0,
            financements: 0,
            allocations: 0,
            activite: 0,
            years: None,
            imported_at: 0,
            source: String::new(),
            extraction: None,
            complet_depuis: None,
            fenetre_declaree: 0,
        }
    }

    #[test]
    fn clauses_narrow_and_never_widen() {
        let a = record("A", Some("2A"), Some("Corse"));
        let b = record("B", Some("44"), Some("Pays de la Loire"));
        let c = record("C", None, None);
        let mut scope = Scope::all();
        assert!(scope.is_all() && [&a, &b, &c].iter().all(|r| scope.contains(r)));
        scope.add("plie=A,B").unwrap();
        assert!(scope.contains(&a) && scope.contains(&b) && !scope.contains(&c));
        scope.add("plie=B,C").unwrap();
        assert!(!scope.contains(&a) && scope.contains(&b) && !scope.contains(&c));
        scope.add("plie=A").unwrap();
        assert!(![&a, &b, &c].iter().any(|r| scope.contains(r)), "{scope}");
        let mut scope = Scope::all();
        scope.add(" departement = 2a ").unwrap();
        assert!(scope.contains(&a) && !scope.contains(&b) && !scope.contains(&c));
        scope.add("region=Pays de la Loire").unwrap();
        assert!(!scope.contains(&a));
        assert!(Scope::departements(["?"]).contains(&c));
        assert!(
            !Scope::regions(["corse"]).contains(&a),
            "regions compare exactly"
        );
        assert!(
            !Scope::plies(["a"]).contains(&a),
            "PLIE codes compare exactly"
        );
        assert_eq!(Scope::plies(["B", "A"]).to_string(), "plie=A,B".to_string());
    }

    #[test]
    fn only_territorial_dimensions_are_accepted() {
        let mut scope = Scope::all();
        assert_eq!(
            scope.add("sexe=F"),
            Err(ScopeError::Dimension("sexe".into()))
        );
        assert!(matches!(scope.add("plie"), Err(ScopeError::Syntax(_))));
        assert!(matches!(scope.add("plie=A,"), Err(ScopeError::Syntax(_))));
        assert!(matches!(scope.add("plie="), Err(ScopeError::Syntax(_))));
        assert!(scope.is_all(), "a refused clause changes nothing");
    }
}
