//! `Ident`: the one place identifiers are compared. Unquoted names fold to lower case, quoted
//! names keep their case, as in Postgres (`Media` and `media` are the same; `"Media"` is not).

use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A folded SQL identifier: the name as Postgres stores it in the catalog. Names of up to 24
/// bytes (nearly all) are held inline: resolving a statement copies table and column names
/// into its scopes, and such a copy is not an allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(CompactString);

impl Ident {
    /// An unquoted identifier: folds ASCII letters to lower case, as Postgres does in UTF-8.
    pub fn unquoted(name: &str) -> Self {
        let mut folded = CompactString::from(name);
        folded.as_mut_str().make_ascii_lowercase();
        Ident(folded)
    }

    /// A quoted identifier (or a name read from the catalog): kept exactly.
    pub fn quoted(name: &str) -> Self {
        Ident(name.into())
    }

    /// From a sqlparser identifier, honouring its quote style.
    pub fn from_ast(ident: &sqlparser::ast::Ident) -> Self {
        match ident.quote_style {
            Some(_) => Ident::quoted(&ident.value),
            None => Ident::unquoted(&ident.value),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How to write this name in SQL so that it folds back to itself.
    pub fn to_sql(&self) -> String {
        let plain = !self.0.is_empty()
            && self
                .0
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        if plain {
            self.0.to_string()
        } else {
            format!("\"{}\"", self.0.replace('"', "\"\""))
        }
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

impl Serialize for Ident {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Ident(CompactString::from(String::deserialize(
            deserializer,
        )?)))
    }
}

impl From<&str> for Ident {
    /// Treats the text as an unquoted identifier (folds case).
    fn from(s: &str) -> Self {
        Ident::unquoted(s)
    }
}

/// Levenshtein distance, for "did you mean" hints on short names.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a distance that scales with the name's length, if any.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a Ident>,
) -> Option<&'a Ident> {
    let limit = match name.chars().count() {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    let candidates: Vec<&Ident> = candidates
        .into_iter()
        .filter(|c| c.as_str() != name)
        .collect();
    let by_distance = candidates
        .iter()
        .map(|&c| (edit_distance(name, c.as_str()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c);
    // `total` → `total_cents`, `created` → `created_at`: a unique word-boundary prefix match.
    by_distance.or_else(|| {
        let prefixed: Vec<&Ident> = candidates
            .iter()
            .copied()
            .filter(|c| {
                name.len() >= 4
                    && c.as_str().starts_with(name)
                    && c.as_str()[name.len()..].starts_with('_')
            })
            .collect();
        match prefixed.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_follows_postgres() {
        assert_eq!(Ident::unquoted("Media"), Ident::unquoted("media"));
        assert_ne!(Ident::quoted("Media"), Ident::unquoted("Media"));
        assert_eq!(Ident::quoted("media"), Ident::unquoted("MEDIA"));
        assert_eq!(Ident::quoted("Media").to_sql(), "\"Media\"");
        assert_eq!(Ident::unquoted("user_id").to_sql(), "user_id");
    }

    #[test]
    fn closest_name() {
        let names = [
            Ident::from("assets"),
            Ident::from("media_assets"),
            Ident::from("users"),
        ];
        assert_eq!(closest("asset", &names).map(Ident::as_str), Some("assets"));
        assert_eq!(closest("zzz", &names), None);
        let cols = [Ident::from("total_cents"), Ident::from("created_at")];
        assert_eq!(
            closest("total", &cols).map(Ident::as_str),
            Some("total_cents")
        );
        assert_eq!(closest("tot", &cols), None);
    }
}
