//! Block reasons grouped by their first words, for the dashboard's
//! "Block reasons" chart: "Rude to the team!" and "rude to the agent"
//! count together.

/// How many first words of a block reason group it.
pub const REASON_WORDS: usize = 3;

/// A reason's first words, lower-cased without surrounding punctuation:
/// "Rude to the team!" and "rude to the agent" group as "rude to the".
pub fn first_words(reason: &str, n: usize) -> String {
    let words: Vec<String> = reason
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .take(n)
        .collect();
    if words.is_empty() {
        "(no reason)".to_owned()
    } else {
        words.join(" ")
    }
}

/// Reasons with their counts grouped by their first words, largest first
/// (ties by name), the rest after `keep` groups summed as "Other".
pub fn group_reasons(reasons: &[(String, i64)], keep: usize) -> Vec<(String, i64)> {
    let mut groups: std::collections::BTreeMap<String, i64> = Default::default();
    for (r, n) in reasons {
        *groups.entry(first_words(r, REASON_WORDS)).or_default() += n;
    }
    let mut sorted: Vec<(String, i64)> = groups.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if sorted.len() > keep {
        let other: i64 = sorted[keep..].iter().map(|(_, n)| n).sum();
        sorted.truncate(keep);
        sorted.push(("Other".to_owned(), other));
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_group_by_their_first_words() {
        assert_eq!(first_words("  Rude to the team!!", 3), "rude to the");
        assert_eq!(first_words("SPAM", 3), "spam");
        assert_eq!(first_words(" -- ", 3), "(no reason)");
        let reasons = [
            ("Rude to the team".to_owned(), 3),
            ("rude to the agent".to_owned(), 2),
            ("spam".to_owned(), 4),
            ("Spam!".to_owned(), 1),
            ("threats".to_owned(), 1),
            ("links".to_owned(), 1),
        ];
        let g = group_reasons(&reasons, 2);
        assert_eq!(
            g,
            [
                ("rude to the".to_owned(), 5),
                ("spam".to_owned(), 5),
                ("Other".to_owned(), 2)
            ]
        );
        assert_eq!(
            group_reasons(&reasons, 10).len(),
            4,
            "no Other when all fit"
        );
    }
}
