//! The rows of a commitments transfer checked value by value, file by file: each reader returns
//! the row's key (readable even when the row is refused) and its record.

use time::Date;

use super::model::{
    bit, Action, Adhesion, Axe, Axes, Club, Contexte, Convention, Dispositif, Engagement,
    Entreprise, Indicateur, Nature, Periode, Realisation, Taille,
};
use super::transfer::{Item, NATIONAL};
use crate::transfer::row::{Row, V};
use crate::transfer::values;
use crate::transfer::Rule;

/// The last day the store can hold.
fn last_day() -> Date {
    crate::model::Day(u16::MAX - 1).date()
}

/// A required value read with `v`.
fn need<T>(row: &mut Row<'_, '_>, c: usize, v: V<T>) -> Option<T> {
    row.need(c, v)
}

fn siren(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Siren, |s| {
        if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s.to_owned())
        } else {
            Err("is not a SIREN: write the company's 9 digits, without spaces".into())
        }
    });
    need(row, c, v)
}

fn identifiant(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Identifiant, |s| {
        let ok = s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'));
        if ok {
            Ok(s.to_owned())
        } else {
            Err("is not an id: 1 to 64 letters, digits, _, -, . or /".into())
        }
    });
    need(row, c, v)
}

fn departement(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Departement, values::departement);
    need(row, c, v)
}

fn periode(row: &mut Row<'_, '_>, c: usize, per_year: u8, today: Date) -> Option<Periode> {
    let what = if per_year == 2 {
        "a semester: write 2019S1 or 2019S2"
    } else {
        "a quarter: write 2019T1 to 2019T4"
    };
    let v = row.parse(c, Rule::Periode, |s| {
        Periode::parse(s, per_year).ok_or_else(|| format!("is not {what}"))
    });
    let p = need(row, c, v)?;
    let text = row.text(c).ok().unwrap_or_default();
    if p.annee < crate::model::FIRST_YEAR {
        row.invalid(c, text, Rule::DateBefore1990, "starts before 1990-01-01");
        return None;
    }
    if p.debut() > today {
        let tail = format!("starts after the day of the import, {today}");
        row.invalid(c, text, Rule::DateAfterImport, &tail);
        return None;
    }
    Some(p)
}

fn number(row: &mut Row<'_, '_>, c: usize) -> Option<i64> {
    let comma_ok = row.table.sep == b';';
    let v = row.parse(c, Rule::Number, |s| values::hundredths(s, comma_ok));
    need(row, c, v)
}

fn count(row: &mut Row<'_, '_>, c: usize) -> Option<u64> {
    let v = row.parse(c, Rule::Integer, |s| {
        values::integer(s, u64::from(u32::MAX))
    });
    need(row, c, v)
}

pub(crate) fn entreprise(row: &mut Row<'_, '_>, _: Date) -> Item<Entreprise> {
    let siren = siren(row, 0);
    let nom = row.text(1).ok().map(str::to_owned);
    let taille = row.code(2, Taille::parse, Taille::codes);
    let taille = need(row, 2, taille);
    let secteur = row.parse(3, Rule::Code, |s| {
        values::secteur(s)
            .map_err(|_| "is not a code of secteur: write a NAF section, A to U".into())
    });
    let secteur = need(row, 3, secteur);
    let departement = departement(row, 4);
    let record = (|| {
        Some(Entreprise {
            siren: siren.clone()?,
            nom: nom.unwrap_or_default(),
            taille: taille?,
            secteur: secteur?,
            departement: departement?,
        })
    })();
    Item { key: siren, record }
}

/// `SENSIBILISER|FORMER`: the set of axes.
fn axes(s: &str) -> Result<Axes, String> {
    let mut set: Axes = 0;
    for part in s.split('|') {
        let part = part.trim();
        let axe = Axe::parse(part).ok_or_else(|| {
            format!(
                "is not a list of axes: {:?} is not one of {}",
                part,
                Axe::codes()
            )
        })?;
        if set & bit(axe) != 0 {
            return Err(format!("names the axis {} twice", axe.code()));
        }
        set |= bit(axe);
    }
    Ok(set)
}

pub(crate) fn convention(row: &mut Row<'_, '_>, today: Date) -> Item<Convention> {
    let id = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let departement = match row.text(2) {
        V::Ok(s) if s.eq_ignore_ascii_case(NATIONAL) => Some(None),
        _ => departement(row, 2).map(Some),
    };
    let dispositif = row.code(3, Dispositif::parse, Dispositif::codes);
    let dispositif = need(row, 3, dispositif);
    let debut = row.date(4, today);
    let debut = need(row, 4, debut);
    // A convention is signed for years to come: its end is bounded only by what the store holds.
    let fin = row.date(5, last_day());
    let fin = need(row, 5, fin);
    let axes = row.parse(6, Rule::Axes, axes);
    let axes = need(row, 6, axes);
    let record = (|| {
        Some(Convention {
            convention: id.clone()?,
            entreprise: entreprise?,
            departement: departement?,
            dispositif: dispositif?,
            debut: debut?,
            fin: fin?,
            axes: axes?,
        })
    })();
    Item { key: id, record }
}

fn indicateur(row: &mut Row<'_, '_>, c: usize) -> Option<Indicateur> {
    let v = row.code(c, Indicateur::parse, Indicateur::codes);
    need(row, c, v)
}

pub(crate) fn engagement(row: &mut Row<'_, '_>, _: Date) -> Item<Engagement> {
    let convention = identifiant(row, 0);
    let indicateur = indicateur(row, 1);
    // Objectives are set for years to come; EngagementOutsideConvention bounds them.
    let annee = row.parse(2, Rule::Year, |s| values::year(s, last_day().year()));
    let annee = need(row, 2, annee);
    let objectif = number(row, 3);
    let record = (|| {
        Some(Engagement {
            convention: convention.clone()?,
            indicateur: indicateur?,
            annee: annee?,
            objectif: objectif?,
        })
    })();
    Item {
        key: convention,
        record,
    }
}

pub(crate) fn realisation(row: &mut Row<'_, '_>, today: Date) -> Item<Realisation> {
    let convention = identifiant(row, 0);
    let indicateur = indicateur(row, 1);
    let periode = periode(row, 2, 2, today);
    let valeur = number(row, 3);
    let record = (|| {
        Some(Realisation {
            convention: convention.clone()?,
            indicateur: indicateur?,
            periode: periode?,
            valeur: valeur?,
        })
    })();
    Item {
        key: convention,
        record,
    }
}

pub(crate) fn contexte(row: &mut Row<'_, '_>, today: Date) -> Item<Contexte> {
    let departement = departement(row, 0);
    let periode = periode(row, 1, 2, today);
    let figures = [2, 3, 4, 5].map(|c| count(row, c));
    let referent = row.text(6).ok().map(str::to_owned);
    let record = (|| {
        Some(Contexte {
            departement: departement.clone()?,
            periode: periode?,
            qpv: figures[0]?,
            pru_nationaux: figures[1]?,
            population_qpv: figures[2]?,
            defm_qpv: figures[3]?,
            referent,
        })
    })();
    Item {
        key: departement,
        record,
    }
}

pub(crate) fn club(row: &mut Row<'_, '_>, today: Date) -> Item<Club> {
    let id = identifiant(row, 0);
    let departement = departement(row, 1);
    let date = row.date(2, today);
    let date = need(row, 2, date);
    let record = (|| {
        Some(Club {
            club: id.clone()?,
            departement: departement?,
            date_convention: date?,
        })
    })();
    Item { key: id, record }
}

pub(crate) fn adhesion(row: &mut Row<'_, '_>, today: Date) -> Item<Adhesion> {
    let club = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let date = row.date(2, today);
    let date = need(row, 2, date);
    let record = (|| {
        Some(Adhesion {
            club: club.clone()?,
            entreprise: entreprise?,
            date: date?,
        })
    })();
    Item { key: club, record }
}

pub(crate) fn action(row: &mut Row<'_, '_>, today: Date) -> Item<Action> {
    let club = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let thematique = row.parse(2, Rule::Code, |s| match s.parse::<u8>() {
        Ok(n @ 1..=14) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err("is not a code of thematique: write the theme's number, 1 to 14".into()),
    });
    let thematique = need(row, 2, thematique);
    let nature = row.code(3, Nature::parse, Nature::codes);
    let nature = need(row, 3, nature);
    let periode = periode(row, 4, 4, today);
    let valeur = number(row, 5);
    let record = (|| {
        Some(Action {
            club: club.clone()?,
            entreprise: entreprise?,
            thematique: thematique?,
            nature: nature?,
            periode: periode?,
            valeur: valeur?,
        })
    })();
    Item { key: club, record }
}
