//! Cells that a spreadsheet would read as a formula are neutralised with a
//! leading apostrophe: anything starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return.

use std::borrow::Cow;

pub fn safe_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_neutralised() {
        for evil in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(safe_cell(evil), format!("'{evil}"));
        }
        assert_eq!(safe_cell("plain reason"), "plain reason");
        assert_eq!(safe_cell(""), "");
        assert_eq!(safe_cell("a=b"), "a=b");
    }

    proptest! {
        #[test]
        fn no_cell_starts_a_formula(s in "\\PC{0,20}") {
            let out = safe_cell(&s);
            let first = out.chars().next();
            prop_assert!(!matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')));
        }
    }
}
