//! The near miss of a mistyped name or code, so that a refusal can say what was probably meant
//! (`unknown dimension "nivaeu"; did you mean "niveau"? valid dimensions: ...`). It lives with
//! the query's errors so that every caller of the library (the command line, the Python package)
//! prints the same message.

use super::folded;

/// The candidate `word` is a near miss of: an edit or two away (a letter swapped counts as one),
/// once case, accents and separators are set aside; the nearest. `None` when nothing is near,
/// or when several are equally near.
pub fn near_miss<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = folded(word);
    let mut nearest: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for c in candidates {
        let valid = folded(c);
        let distance = strsim::damerau_levenshtein(&typed, &valid);
        // About an edit per three letters: more would make every short code near every other.
        if distance > (valid.chars().count() / 3).clamp(1, 3) {
            continue;
        }
        match nearest {
            Some((d, _)) if d < distance => {}
            Some((d, _)) if d == distance => tied = true,
            _ => {
                nearest = Some((distance, c));
                tied = false;
            }
        }
    }
    // A tie is no suggestion: `Z` is one letter from both `H` and `F`, and picking one would
    // only be a guess.
    nearest.filter(|_| !tied).map(|(_, c)| c)
}

/// `did you mean "region"? ` (with its trailing space, to sit before the list of valid values)
/// when `word` is a near miss of one of `candidates`, else nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    near_miss(word, candidates).map_or(String::new(), |c| format!("did you mean {c:?}? "))
}

/// [`did_you_mean`] over a list written `a, b, c`, as the errors carry their valid values.
pub(crate) fn did_you_mean_in(word: &str, valid: &str) -> String {
    did_you_mean(word, valid.split(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_is_suggested_and_a_far_one_is_not() {
        let dims = ["sexe", "niveau", "niveau_groupe", "region"];
        assert_eq!(near_miss("nivaeu", dims), Some("niveau"));
        assert_eq!(near_miss("Région", dims), Some("region"));
        assert_eq!(near_miss("couleur", dims), None);
        assert_eq!(near_miss("Z", ["H", "F"]), None);
        assert_eq!(near_miss("h", ["H", "F"]), Some("H"));
        assert_eq!(did_you_mean("regon", dims), "did you mean \"region\"? ");
        assert_eq!(did_you_mean("bleu", dims), "");
        assert_eq!(
            did_you_mean_in("Hauts-de-Franc", "Hauts-de-France, Pays de la Loire"),
            "did you mean \"Hauts-de-France\"? "
        );
    }

    #[test]
    fn the_query_error_itself_carries_the_suggestion() {
        let e = crate::query::Dimension::parse("nivaeu").unwrap_err();
        assert_eq!(e.suggestion(), Some("niveau"));
        assert!(e.to_string().starts_with(
            "unknown dimension \"nivaeu\"; did you mean \"niveau\"? valid dimensions: sexe, "
        ));
        let e = crate::query::Measure::parse("couleur").unwrap_err();
        assert_eq!(e.suggestion(), None);
        assert!(e
            .to_string()
            .starts_with("unknown measure \"couleur\"; valid measures: entrees, "));
        assert_eq!(crate::QueryError::SameDimension("sexe").suggestion(), None);
    }
}
