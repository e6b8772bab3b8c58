//! A posted form's fields, read once, with repeated keys kept in order
//! (`category=a&category=b`). For handlers that read a form by hand
//! (checkboxes absent when unticked, repeated fields).

pub struct Posted(Vec<(String, String)>);

impl Posted {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, if it was sent.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or "" when it was not sent.
    pub fn text(&self, name: &str) -> String {
        self.one(name).unwrap_or_default().to_owned()
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_first_repeated_and_absent() {
        let p = Posted::parse(b"a=1&c=x&c=y+z&e=");
        assert_eq!(p.one("a"), Some("1"));
        assert_eq!(p.one("b"), None);
        assert_eq!(p.text("b"), "");
        assert_eq!(p.one("e"), Some(""));
        assert_eq!(p.all("c").collect::<Vec<_>>(), ["x", "y z"]);
    }
}
