//! Parsers for single values, already trimmed and known to be present. Each returns the value or
//! the end of a sentence that follows the quoted value in the error message ("is not a date: ...").

use time::{Date, Month};

use crate::model::{BirthMonth, Inactivite};

/// A parse failure: the rest of the sentence after the quoted value.
pub(crate) type Tail = String;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The number written by `digits` (ASCII digits only, at most 4), or `None`.
fn number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &b| n * 10 + u16::from(b - b'0')))
}

/// `YYYY-MM-DD` (exactly 4-2-2 digits) or `D/M/YYYY` (day and month of one or two digits).
pub(crate) fn date(s: &str) -> Result<Date, Tail> {
    const SHAPE: &str = "is not a date: write YYYY-MM-DD or DD/MM/YYYY";
    let b = s.as_bytes();
    if let Some(date) = spreadsheet_day(s) {
        return Err(format!(
            "is not a date but a spreadsheet's day number (it stands for {date}): format the \
             column as a date (JJ/MM/AAAA) before saving, or write YYYY-MM-DD"
        ));
    }
    let parts = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        (number(&b[..4]), number(&b[5..7]), number(&b[8..]))
    } else {
        let mut it = b.split(|&c| c == b'/');
        match (it.next(), it.next(), it.next(), it.next()) {
            (Some(d), Some(m), Some(y), None)
                if (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) && y.len() == 4 =>
            {
                (number(y), number(m), number(d))
            }
            _ => return Err(SHAPE.into()),
        }
    };
    let (Some(y), Some(m), Some(d)) = parts else {
        return Err(SHAPE.into());
    };
    Month::try_from(m as u8)
        .ok()
        .and_then(|month| Date::from_calendar_date(i32::from(y), month, d as u8).ok())
        .ok_or_else(|| "is not a day of the calendar".into())
}

/// The day a spreadsheet's serial day number stands for (Excel and LibreOffice count days from
/// 1899-12-30), for the five-digit numbers of the years 1990 to 2099.
fn spreadsheet_day(s: &str) -> Option<Date> {
    if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    if !(32_874..=73_415).contains(&n) {
        return None;
    }
    let epoch = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    epoch.checked_add(time::Duration::days(n))
}

/// The end of the message for text that is not UTF-8: what it reads as in Windows-1252 (the
/// encoding of Excel's "CSV (point-virgule)") when that is plausible text, and how to import it.
/// A `private` value (a participant key) is never shown, in any reading.
pub(crate) fn not_utf8(bytes: &[u8], private: bool) -> String {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let plausible = !text.chars().any(|c| c.is_control() && !c.is_whitespace());
    let reading = if private {
        "it reads as Windows-1252 text".to_string()
    } else {
        format!("read as Windows-1252 it is {:?}", text.trim())
    };
    if plausible {
        format!(
            "is not valid UTF-8 text; {reading}, as in a file saved by Excel as \"CSV \
             (point-virgule)\": import the transfer with --encoding windows-1252, or save it as \
             \"CSV UTF-8\""
        )
    } else {
        "is not valid UTF-8 text: save the file as UTF-8".into()
    }
}

/// `YYYY-MM`, month `01` to `12`.
pub(crate) fn birth_month(s: &str) -> Result<BirthMonth, Tail> {
    let shape = || Tail::from("is not a birth month: write YYYY-MM, e.g. 1985-04");
    let (y, m) = s.split_once('-').ok_or_else(shape)?;
    if y.len() != 4 || m.len() != 2 || !all_digits(y) || !all_digits(m) {
        return Err(shape());
    }
    let month: u8 = m.parse().unwrap();
    if !(1..=12).contains(&month) {
        return Err(format!("has month {m}, which is not a month from 01 to 12"));
    }
    Ok(BirthMonth {
        year: y.parse().unwrap(),
        month,
    })
}

/// `0`, `1`, `non`, `oui`, in any case.
pub(crate) fn boolean(s: &str) -> Result<bool, Tail> {
    if s == "1" || s.eq_ignore_ascii_case("oui") {
        Ok(true)
    } else if s == "0" || s.eq_ignore_ascii_case("non") {
        Ok(false)
    } else {
        Err("is not a yes/no value: write 1 or 0 (or oui, non)".into())
    }
}

/// A whole number from 0 to `max`, digits only.
pub(crate) fn integer(s: &str, max: u64) -> Result<u64, Tail> {
    if !all_digits(s) {
        return Err("is not a whole number of 0 or more (digits only)".into());
    }
    match s.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("is too large (at most {max})")),
    }
}

/// A number of months (at most [`Inactivite::MAX_MOIS`]) or `JAMAIS`.
pub(crate) fn inactivite(s: &str) -> Result<Inactivite, Tail> {
    if s.eq_ignore_ascii_case("JAMAIS") {
        return Ok(Inactivite::Jamais);
    }
    if !all_digits(s) {
        return Err("is not a number of months (0 or more) nor JAMAIS".into());
    }
    match s.parse::<u64>() {
        Ok(n) if n <= u64::from(Inactivite::MAX_MOIS) => Ok(Inactivite::Mois(n as u16)),
        _ => Err(format!(
            "is too many months (at most {})",
            Inactivite::MAX_MOIS
        )),
    }
}

/// The thousands separators accepted inside a number: space, no-break space, narrow no-break space.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// A non-negative decimal number with at most two decimals, in hundredths: `1234.56`, `1 234,56`
/// (a decimal comma only when `comma_ok`, i.e. in `;`-separated files), thousands separated by
/// spaces in groups of three.
pub(crate) fn hundredths(s: &str, comma_ok: bool) -> Result<i64, Tail> {
    const SHAPE: &str =
        "is not a number of 0 or more with at most two decimals (e.g. 1234.56 or 1 234,56)";
    let (int, dec) = match s.find(['.', ',']) {
        Some(i) => {
            if s.as_bytes()[i] == b',' && !comma_ok {
                return Err(
                    "has a decimal comma, which only files separated by ; may use: \
                     write a decimal point (1234.56)"
                        .into(),
                );
            }
            (&s[..i], Some(&s[i + 1..]))
        }
        None => (s, None),
    };
    // Integer part: digits, optionally grouped by three with spaces.
    let groups: Vec<&str> = int.split(is_group_space).collect();
    let grouped_ok = groups
        .iter()
        .enumerate()
        .all(|(i, g)| all_digits(g) && if i == 0 { g.len() <= 3 } else { g.len() == 3 });
    if !(all_digits(int) || (groups.len() > 1 && grouped_ok)) {
        return Err(SHAPE.into());
    }
    let digits: String = groups.concat();
    if digits.len() > 15 {
        return Err("is too large".into());
    }
    let units: i64 = digits.parse().map_err(|_| Tail::from(SHAPE))?;
    let cents: i64 = match dec {
        None => 0,
        Some(d) if all_digits(d) && d.len() == 1 => d.parse::<i64>().unwrap() * 10,
        Some(d) if all_digits(d) && d.len() == 2 => d.parse().unwrap(),
        Some(d) if all_digits(d) => return Err("has more than two decimals".into()),
        Some(_) => return Err(SHAPE.into()),
    };
    Ok(units * 100 + cents)
}

/// A PLIE code: 1 to 32 characters among `A-Z a-z 0-9 _ -`.
pub(crate) fn plie_code(s: &str) -> Result<(), Tail> {
    let ok = (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("is not a PLIE code: 1 to 32 letters A-Z a-z, digits, _ or -".into())
    }
}

/// A participant key: 1 to 64 characters (not bytes).
pub(crate) fn participant(s: &str) -> Result<(), Tail> {
    let n = s.chars().count();
    if n > 64 {
        Err(format!("has {n} characters, more than 64"))
    } else if is_scientific(s) {
        Err(
            "is a number in scientific notation, as a spreadsheet writes a long number it read \
             as a number: the key's digits are lost; export the column as text, then send the \
             transfer again"
                .into(),
        )
    } else {
        Ok(())
    }
}

/// `1,5E+12`, `1.23457e+14`: a long number a spreadsheet turned into its scientific notation.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once([',', '.']) {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(mantissa),
    };
    mantissa_ok && digits(exponent)
}

/// What a participant key looks like when it is an identity rather than a pseudonym: a French
/// social-security number, an e-mail address or a French phone number (docs/FORMAT.md, rule
/// `ParticipantIdentity`). `None` for a key that may be a pseudonym.
///
/// The key is screened as [`screened`] spells it, wrappers and prefixes taken off
/// ([`unwrapped`]), so that another spelling of one identity is caught as well.
pub(crate) fn identity(s: &str) -> Option<&'static str> {
    // The étapes of a parcours follow each other with one key: screened once per run of rows.
    thread_local! {
        static LAST: std::cell::RefCell<(String, Option<&'static str>)> =
            const { std::cell::RefCell::new((String::new(), None)) };
    }
    LAST.with_borrow_mut(|(key, found)| {
        if key != s {
            key.clear();
            key.push_str(s);
            *found = screen(s);
        }
        *found
    })
}

fn screen(s: &str) -> Option<&'static str> {
    // Most pseudonyms are plain letters and digits, with a letter that no NIR (only `2A`/`2B`),
    // phone or e-mail without `@` can hold, and no prefix to take off: told apart before the
    // allocations of the full screening.
    let letter = |b: u8| b.is_ascii_alphabetic() && !matches!(b.to_ascii_lowercase(), b'a' | b'b');
    let prefixed = || {
        PREFIXES.iter().any(|p| {
            s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        })
    };
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) && s.bytes().any(letter) && !prefixed() {
        return None;
    }
    let key = screened(s);
    let bare = unwrapped(&key);
    // Most pseudonyms hold a letter that no NIR (only `2a`/`2b`), phone or e-mail without `@`
    // can: they are told apart without the allocations of the full screening.
    let letter = |b: &u8| b.is_ascii_lowercase() && !matches!(b, b'a' | b'b');
    if bare.is_ascii() && !key.contains('@') && bare.bytes().any(|b| letter(&b)) {
        return None;
    }
    if looks_like_nir(bare) {
        Some("a social-security number (NIR)")
    } else if looks_like_email(&key) {
        Some("an e-mail address")
    } else if looks_like_phone(bare) {
        Some("a French phone number")
    } else {
        None
    }
}

/// The key as the screening reads it: Unicode NFKC (full-width digits and letters, ligatures,
/// no-break spaces become their plain forms), every decimal digit of any script as an ASCII
/// digit (NFKC leaves Arabic-Indic digits as they are), lower case.
pub(crate) fn screened(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        return if s.bytes().any(|b| b.is_ascii_uppercase()) {
            s.to_ascii_lowercase().into()
        } else {
            s.into()
        };
    }
    s.nfkc()
        .map(ascii_digit)
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .into()
}

fn is_decimal_digit(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::DecimalNumber
}

/// A decimal digit of any script as its ASCII digit; any other character as it is.
fn ascii_digit(c: char) -> char {
    if c.is_ascii() || !is_decimal_digit(c) {
        return c;
    }
    // Unicode encodes decimal digits in runs of ten, 0 to 9, and keeps them so (its stability
    // policy): a digit's value is its distance from the start of its block of runs, modulo 10.
    let mut from = c as u32;
    while let Some(prev) = from
        .checked_sub(1)
        .and_then(char::from_u32)
        .filter(|&p| is_decimal_digit(p))
    {
        from = prev as u32;
    }
    char::from(b'0' + ((c as u32 - from) % 10) as u8)
}

/// Prefixes written before an identity to say what it is (`tel:+33...`, `NIR 1 85...`), lower
/// case, longest first where one starts another.
const PREFIXES: [&str; 16] = [
    "mailto",
    "telephone",
    "téléphone",
    "tel",
    "tél",
    "phone",
    "mobile",
    "portable",
    "gsm",
    "fax",
    "nir",
    "nss",
    "secu",
    "sécu",
    "insee",
    "n°",
];

/// A screened key without what people wrap an identity in: surrounding spaces, brackets and
/// quotes (`<jean@example.fr>`), and a prefix of [`PREFIXES`] with its `:`, `=`, `.` or spaces.
pub(crate) fn unwrapped(key: &str) -> &str {
    const PAIRS: [(char, char); 7] = [
        ('<', '>'),
        ('(', ')'),
        ('[', ']'),
        ('{', '}'),
        ('"', '"'),
        ('\'', '\''),
        ('«', '»'),
    ];
    let mut key = key.trim();
    loop {
        let before = key;
        for (open, close) in PAIRS {
            if let Some(inner) = key.strip_prefix(open).and_then(|k| k.strip_suffix(close)) {
                key = inner.trim();
            }
        }
        if let Some(rest) = PREFIXES.iter().find_map(|p| key.strip_prefix(p)) {
            let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || ":=.#".contains(c));
            // A prefix glued to letters is a word that happens to start like one (`telma42`).
            if !rest.starts_with(char::is_alphabetic) {
                key = rest;
            }
        }
        if key == before {
            return key;
        }
    }
}

/// The separators people put between groups of digits: white space (tab, no-break spaces), dot,
/// slash, underscore and dashes of any kind.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '-' | '/' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}'
        )
}

/// Whether a key looks like a French social-security number (NIR): separators (see
/// [`is_separator`]) ignored, 13 characters, or 15 whose last two are the NIR check key; starting
/// with 1, 2, 3, 4, 7 or 8, with a birth month (characters 4-5) from 01 to 12 or 20 to 99; digits
/// only, except the Corsican departments `2A` / `2B` (any case) as characters 6-7, counted as 19 /
/// 18 in the key.
pub(crate) fn looks_like_nir(s: &str) -> bool {
    let mut digits: Vec<u8> = s
        .chars()
        .filter(|&c| !is_separator(c))
        .map(|c| if c.is_ascii() { c as u8 } else { b'x' })
        .collect();
    if !matches!(digits.len(), 13 | 15) || !matches!(digits[0], b'1'..=b'4' | b'7' | b'8') {
        return false;
    }
    // Corsica: 2A stands for 19 and 2B for 18 when computing the key.
    let corsica = match (digits[5], digits[6].to_ascii_uppercase()) {
        (b'2', b'A') => Some(b"19"),
        (b'2', b'B') => Some(b"18"),
        _ => None,
    };
    if let Some(code) = corsica {
        digits[5..7].copy_from_slice(code);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let number = |d: &[u8]| d.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    let plausible_month = matches!(number(&digits[3..5]), 1..=12 | 20..=99);
    match digits.len() {
        13 => plausible_month,
        _ => plausible_month && 97 - number(&digits[..13]) % 97 == number(&digits[13..]),
    }
}

/// Whether a key holds an e-mail address: a word (between white space, brackets, quotes, commas
/// or semicolons; `mailto:` taken off) shaped `local@domain.tld` with a non-empty local part, a
/// domain of non-empty labels and a top-level label of two or more letters of any script
/// (`.fr`, `.рф`) or a punycode label (`xn--p1ai`).
pub(crate) fn looks_like_email(s: &str) -> bool {
    let words = s.split(|c: char| c.is_whitespace() || "<>()[]{}\"',;«»".contains(c));
    words.into_iter().any(|word| {
        let word = word.strip_prefix("mailto:").unwrap_or(word);
        let Some((local, domain)) = word.rsplit_once('@') else {
            return false;
        };
        let labels: Vec<&str> = domain.split('.').collect();
        let tld = labels[labels.len() - 1];
        let tld_ok = (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
            || (tld.len() > 4
                && tld.starts_with("xn--")
                && tld.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        !local.is_empty() && labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok
    })
}

/// The country codes of France and of its overseas territories, with the number of digits of a
/// national number after them.
const COUNTRY_CODES: [(&str, usize); 10] = [
    ("33", 9),
    ("262", 9), // La Réunion, Mayotte
    ("269", 9), // Mayotte (former code)
    ("590", 9), // Guadeloupe, Saint-Martin, Saint-Barthélemy
    ("594", 9), // Guyane
    ("596", 9), // Martinique
    ("508", 6), // Saint-Pierre-et-Miquelon
    ("681", 6), // Wallis-et-Futuna
    ("687", 6), // Nouvelle-Calédonie
    ("689", 8), // Polynésie française
];

/// Whether a key looks like a French phone number: separators (see [`is_separator`]) and
/// brackets ignored, ten digits `0[1-9]XXXXXXXX`; or an international form, `+` or `00` then a
/// code of [`COUNTRY_CODES`] and its national number (for the nine-digit ones `[1-9]XXXXXXXX`,
/// optionally written `(0)` or `0` first); or the nine-digit ones' code written without `+`
/// (`33612345678`). A ten-digit key starting with `00`, or with any other digit than 0, is not
/// phone-shaped and stays a valid pseudonym.
pub(crate) fn looks_like_phone(s: &str) -> bool {
    let compact: String = s
        .chars()
        .filter(|&c| !is_separator(c) && c != '(' && c != ')')
        .collect();
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let national = |d: &str, n: usize| {
        if n == 9 {
            let d = d.strip_prefix('0').unwrap_or(d);
            d.len() == 9 && digits(d) && !d.starts_with('0')
        } else {
            d.len() == n && digits(d)
        }
    };
    let after_code = |rest: &str, bare: bool| {
        COUNTRY_CODES
            .iter()
            .filter(|(_, n)| !bare || *n == 9)
            .any(|(cc, n)| {
                rest.strip_prefix(cc).is_some_and(|d| {
                    // Without `+`, only the exact length: `33` and a national number.
                    national(d, *n) && (!bare || d.len() == *n)
                })
            })
    };
    if let Some(rest) = compact
        .strip_prefix('+')
        .or_else(|| compact.strip_prefix("00"))
    {
        return after_code(rest, false);
    }
    (compact.len() == 10 && compact.starts_with('0') && national(&compact, 9))
        || after_code(&compact, true)
}

/// An INSEE commune code: 5 digits, or `2A`/`2B` and 3 digits; returned in upper case.
pub(crate) fn commune(s: &str) -> Result<String, Tail> {
    let b = s.as_bytes();
    let ok = b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[0] == b'2'
                && matches!(b[1], b'A' | b'B' | b'a' | b'b')
                && b[2..].iter().all(u8::is_ascii_digit)));
    if ok {
        Ok(s.to_ascii_uppercase())
    } else if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        Err(format!(
            "is not an INSEE commune code (5 digits): its leading zero was probably lost in a \
             spreadsheet that read the column as numbers; write 0{s}, and format the column as \
             text before saving"
        ))
    } else {
        Err("is not an INSEE commune code: 5 digits, or 2A or 2B and 3 digits".into())
    }
}

/// An INSEE department code of the reference ([`crate::territoires`]): `01`-`19`, `21`-`95`,
/// `2A`, `2B`, `971`-`974`, `976`; returned in upper case.
pub(crate) fn departement(s: &str) -> Result<String, Tail> {
    match crate::territoires::Territoires::get().departement(s) {
        Some(d) => Ok(d.code.clone()),
        None if s.len() == 1 && s.as_bytes()[0].is_ascii_digit() => Err(format!(
            "is not the INSEE code of a department (two digits): its leading zero was probably \
             lost in a spreadsheet that read the column as numbers; write 0{s}, and format the \
             column as text before saving"
        )),
        None => Err(
            "is not the INSEE code of a department: 01 to 95 (two digits), 2A, 2B, 971 to 974 or 976"
                .into(),
        ),
    }
}

/// An activity indicator code: 1 to 64 characters among `A-Z 0-9 _` (any case); returned in
/// upper case.
pub(crate) fn indicateur(s: &str) -> Result<String, Tail> {
    let ok =
        (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(s.to_ascii_uppercase())
    } else {
        Err("is not an indicator code: 1 to 64 letters, digits or _".into())
    }
}

/// A NAF section letter `A` to `U` (any case), as 0 to 20.
pub(crate) fn secteur(s: &str) -> Result<u8, Tail> {
    match s.as_bytes() {
        [b @ (b'A'..=b'U' | b'a'..=b'u')] => Ok(b.to_ascii_uppercase() - b'A'),
        _ => Err("is not a NAF section letter from A to U".into()),
    }
}

/// A year with four digits, from 1990 to `max`.
pub(crate) fn year(s: &str, max: i32) -> Result<i32, Tail> {
    if s.len() != 4 || !all_digits(s) {
        return Err("is not a year of four digits".into());
    }
    let y: i32 = s.parse().unwrap();
    if (crate::model::FIRST_YEAR..=max).contains(&y) {
        Ok(y)
    } else {
        Err(format!(
            "is outside the years {} to {max}",
            crate::model::FIRST_YEAR
        ))
    }
}

/// The ESF axis: 3 or 4.
pub(crate) fn axe(s: &str) -> Result<u8, Tail> {
    match s {
        "3" => Ok(3),
        "4" => Ok(4),
        _ => Err("is not an ESF axis: write 3 or 4".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        let d = Date::from_calendar_date(2017, Month::March, 2).unwrap();
        assert_eq!(date("2017-03-02"), Ok(d));
        assert_eq!(date("2/3/2017"), Ok(d));
        assert_eq!(date("02/03/2017"), Ok(d));
        assert!(date("2017-3-2").is_err());
        assert!(date("2017-02-29").is_err());
        assert!(date("29/02/2016").is_ok());
        assert!(date("002/03/2017").is_err());
        assert!(date("2/3/17").is_err());
        assert!(date("+017-03-02").is_err());
        assert!(date("2017/03/02").is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(hundredths("1234.56", false), Ok(123456));
        assert_eq!(hundredths("1234,5", true), Ok(123450));
        assert_eq!(hundredths("1 234 567,89", true), Ok(123456789));
        assert_eq!(hundredths("1\u{a0}234", true), Ok(123400));
        assert_eq!(hundredths("1\u{202f}234.5", false), Ok(123450));
        assert_eq!(hundredths("0", false), Ok(0));
        assert!(hundredths("1234,56", false).is_err());
        assert!(hundredths("12 34", true).is_err());
        assert!(hundredths("1234 567", true).is_err());
        assert!(hundredths("1.234", false).is_err());
        assert!(hundredths("-1", false).is_err());
        assert!(hundredths("1.", false).is_err());
        assert!(hundredths(".5", false).is_err());
        assert!(hundredths("1.2.3", false).is_err());
        assert!(hundredths("1 234.5 6", false).is_err());
    }

    #[test]
    fn nir_detection() {
        assert!(looks_like_nir("1850578006084"));
        assert!(looks_like_nir("1 85 05 78 006 084"));
        assert!(looks_like_nir("1.85.05.78.006.084"));
        assert!(looks_like_nir("1-85-05-78-006-084"));
        assert!(looks_like_nir(
            "1\u{a0}85\u{a0}05\u{a0}78\u{a0}006\u{a0}084"
        ));
        let thirteen = "2690549588157";
        let key = 97 - thirteen.parse::<u64>().unwrap() % 97;
        assert!(looks_like_nir(&format!("{thirteen}{key:02}")));
        assert!(looks_like_nir(&format!("2 69 05 49 588 157 {key:02}")));
        assert!(!looks_like_nir(&format!(
            "{thirteen}{:02}",
            (key + 1) % 100
        )));
        // Born in Corsica: 2A counts as 19, 2B as 18 in the key.
        assert!(looks_like_nir("1 80 01 2A 004 123"));
        assert!(looks_like_nir("180012b004123"));
        let key = 97 - 1_800_119_004_123u64 % 97;
        assert!(looks_like_nir(&format!("1 80 01 2A 004 123 {key:02}")));
        assert!(!looks_like_nir(&format!("1 80 01 2B 004 123 {key:02}")));
        let key = 97 - 1_800_118_004_123u64 % 97;
        assert!(looks_like_nir(&format!("18001 2B004123{key:02}")));
        assert!(!looks_like_nir("1 80 01 2C 004 123"));
        assert!(!looks_like_nir("1 80 01 3A 004 123"));
        assert!(!looks_like_nir("P000123"));
        assert!(!looks_like_nir("0000000012345"));
        assert!(!looks_like_nir("5850578006084"));
        assert!(!looks_like_nir("1851378006084"), "month 13");
        assert!(!looks_like_nir("123"));
        assert!(!looks_like_nir("1850578006084é"));
    }

    #[test]
    fn email_detection() {
        for yes in [
            "jean.dupont@example.fr",
            "a@b.co",
            "Jean-Dupont+plie@mail.example.org",
            "x@sub.domain.COM",
        ] {
            assert!(looks_like_email(yes), "{yes}");
        }
        for no in [
            "a01",
            "@example.fr",
            "jean@localhost",
            "jean@example.",
            "jean@.fr",
            "jean@example.f",
            "P1@2017.3",
            "jean.dupont",
        ] {
            assert!(!looks_like_email(no), "{no}");
        }
    }

    #[test]
    fn phone_detection() {
        for yes in [
            "0612345678",
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "01 23 45 67 89",
            "09\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "+33612345678",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033 6 12 34 56 78",
            "0033612345678",
            "+262 692 12 34 56",
            "0692 12 34 56",
        ] {
            assert!(looks_like_phone(yes), "{yes}");
        }
        for no in [
            "1234567890",
            "0012345678",
            "0000012345",
            "061234567",
            "06123456789",
            "+33012345678",
            "+44 20 7946 0958",
            "a01",
            "06 12 34 56 7x",
            "550e8400-e29b-41d4-a716-446655440000",
        ] {
            assert!(!looks_like_phone(no), "{no}");
        }
    }

    #[test]
    fn pseudonyms_are_not_identities() {
        for key in [
            "a01",
            "P000123",
            "1234567890",
            "0012345678",
            "550e8400-e29b-41d4-a716-446655440000",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "d41d8cd98f00b204e9800998ecf8427e",
            "PLIE44-000123",
            "2017-000042",
        ] {
            assert_eq!(identity(key), None, "{key}");
        }
        assert!(identity("1 85 05 78 006 084").unwrap().contains("NIR"));
        assert!(identity("a@b.fr").unwrap().contains("e-mail"));
        assert!(identity("06 12 34 56 78").unwrap().contains("phone"));
    }

    #[test]
    fn other_spellings_of_an_identity_are_caught() {
        let nir = "1850578006084";
        for key in [
            "jean@пример.рф",
            "jean@example.xn--p1ai",
            "<jean@example.fr>",
            "Jean Dupont <jean@example.fr>",
            "mailto:jean@example.fr",
            "jean＠example.fr",
            "１８５０５７８００６０８４",
            "١٨٥٠٥٧٨٠٠٦٠٨٤",
            "۱۸۵۰۵۷۸۰۰۶۰۸۴",
            "१८५०५७८००६०८४",
            "NIR185077512345608",
            "NIR 1 85 05 78 006 084",
            "06/12/34/56/78",
            "06_12_34_56_78",
            "06\t12\t34\t56\t78",
            "06–12–34–56–78",
            "06—12—34—56—78",
            "tel:+33612345678",
            "Tél. 06 12 34 56 78",
            "(06) 12 34 56 78",
            "33612345678",
            "+687 12 34 56",
            "+689 87 12 34 56",
            "+508 41 23 45",
            "00687123456",
            "+262 692 12 34 56",
            "262692123456",
        ] {
            assert!(identity(key).is_some(), "{key}");
        }
        assert_eq!(screened(nir), nir);
        let key = 97 - 1_850_775_123_456u64 % 97;
        assert_eq!(key, 8, "the issue's NIR has a valid key");
    }

    #[test]
    fn pseudonyms_stay_pseudonyms_after_normalisation() {
        for key in [
            "telma42",
            "nss42",
            "P-000123",
            "687123",
            "68712345",
            "3312345678",
            "336123456789",
            "2019/000042",
            "a_01_b",
            "ｐｌｉｅ４４－０１",
            "٤٢",
        ] {
            assert_eq!(identity(key), None, "{key}");
        }
    }

    #[test]
    fn insee_codes() {
        assert_eq!(commune("2a004"), Ok("2A004".to_string()));
        assert!(commune("44109").is_ok());
        assert!(commune("4410").is_err());
        assert!(commune("2C004").is_err());
        assert!(departement("20").is_err());
        assert!(departement("974").is_ok());
        assert!(
            departement("975").is_err(),
            "Saint-Pierre-et-Miquelon is not a department"
        );
        assert!(departement("977").is_err());
        assert!(departement("4").is_err());
        assert_eq!(departement("2b"), Ok("2B".to_string()));
    }

    proptest::proptest! {
        #[test]
        fn amounts_read_back_in_every_spelling(cents in 0i64..10_000_000_000_000, grouped: bool, comma: bool, sep in 0usize..3) {
            let units = (cents / 100).to_string();
            let int = if grouped {
                let space = [" ", "\u{a0}", "\u{202f}"][sep];
                let head = units.len() % 3;
                let mut groups: Vec<&str> = Vec::new();
                if head > 0 {
                    groups.push(&units[..head]);
                }
                groups.extend((head..units.len()).step_by(3).map(|i| &units[i..i + 3]));
                groups.join(space)
            } else {
                units.clone()
            };
            let mark = if comma { "," } else { "." };
            let text = format!("{int}{mark}{:02}", cents % 100);
            proptest::prop_assert_eq!(hundredths(&text, true), Ok(cents));
            proptest::prop_assert_eq!(hundredths(&text, false).is_ok(), !comma);
        }

        #[test]
        fn both_date_forms_read_to_the_same_day(julian in 2_400_000i32..2_500_000, pad: bool) {
            let d = Date::from_julian_day(julian).unwrap();
            let iso = format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day());
            let french = if pad {
                format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year())
            } else {
                format!("{}/{}/{:04}", d.day(), d.month() as u8, d.year())
            };
            proptest::prop_assert_eq!(date(&iso), Ok(d));
            proptest::prop_assert_eq!(date(&french), Ok(d));
        }
    }
}
