//! Numbers as people read them: "550,545 address ranges".

use std::fmt::Display;

/// `n` with a comma between each group of three digits.
pub fn thousands(n: impl Display) -> String {
    let text = n.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + digits.len() / 3);
    out.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_of_three_from_the_right() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(550_545usize), "550,545");
        assert_eq!(thousands(1_000_000i64), "1,000,000");
        assert_eq!(thousands(-12_345), "-12,345");
        assert_eq!(thousands(1.5), "1.5", "not an integer: as it is");
    }
}
