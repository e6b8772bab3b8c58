//! The account's Live Chat Window settings: the file policy for visitors
//! and whether agents see image previews by default, plus the rule that
//! combines that default with a conversation's own choice.

use super::file_policy::{Allowed, Category, FilePolicy, MaxBytes, PolicyError};

/// What a manager chose for the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatWindow {
    pub files: FilePolicy,
    pub previews_default: bool,
}

impl Default for ChatWindow {
    /// What a new account starts with: images and documents up to 10 MB,
    /// image previews hidden until an agent turns them on for a chat.
    /// (Accounts that existed before these defaults were given a stored row
    /// with the old ones, so nothing changes under them.)
    fn default() -> Self {
        Self {
            files: FilePolicy {
                allowed: Allowed::Custom([Category::Image, Category::Document].into()),
                ..FilePolicy::default()
            },
            previews_default: false,
        }
    }
}

impl ChatWindow {
    /// Rebuilds stored settings; only validated settings are ever saved.
    pub fn from_stored(
        mode: &str,
        categories: &str,
        max_bytes: i64,
        previews: bool,
    ) -> Result<Self, PolicyError> {
        let cats: Vec<&str> = categories.split(',').collect();
        let allowed = Allowed::parse(mode, &cats)?;
        let max_bytes = MaxBytes::from_bytes(u64::try_from(max_bytes).unwrap_or(0))?;
        Ok(Self {
            files: FilePolicy { allowed, max_bytes },
            previews_default: previews,
        })
    }

    /// What applies when a stored row cannot be read: images only, the
    /// safest useful policy, rather than all files.
    pub fn fallback(previews: bool) -> Self {
        let files = FilePolicy {
            allowed: Allowed::ImagesOnly,
            ..FilePolicy::default()
        };
        Self {
            files,
            previews_default: previews,
        }
    }

    /// Whether a conversation shows image previews: its own choice, else
    /// the account's default.
    pub fn previews_for(&self, conversation_choice: Option<bool>) -> bool {
        conversation_choice.unwrap_or(self.previews_default)
    }

    /// One sentence for people, e.g. "Visitors may send images only, up to
    /// 10 MB; image previews are shown by default".
    pub fn summary(&self) -> String {
        let files = match &self.files.allowed {
            Allowed::All => "all files".to_owned(),
            Allowed::ImagesOnly => "images only".to_owned(),
            Allowed::Custom(set) => {
                let names: Vec<String> = set.iter().map(|c| c.label().to_lowercase()).collect();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", rest.join(", "))
                    }
                    _ => names.concat(),
                }
            }
        };
        let shown = if self.previews_default {
            "shown"
        } else {
            "hidden"
        };
        format!(
            "Visitors may send {files}, up to {} MB; image previews are {shown} by default",
            self.files.max_bytes.megabytes_text()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_read_back() {
        let w = ChatWindow::from_stored("custom", "documents,archives", 524_288, false).unwrap();
        assert_eq!(
            w.files.allowed,
            Allowed::Custom([Category::Document, Category::Archive].into())
        );
        assert_eq!(w.files.max_bytes.megabytes_text(), "0.5");
        assert!(!w.previews_default);
        assert_eq!(
            w.summary(),
            "Visitors may send documents and archives, up to 0.5 MB; image previews are hidden by default"
        );
        let d = ChatWindow::from_stored("all", "", 10 * 1024 * 1024, true).unwrap();
        assert_eq!(
            d.summary(),
            "Visitors may send all files, up to 10 MB; image previews are shown by default"
        );
        let new = ChatWindow::from_stored("custom", "images,documents", 10 << 20, false).unwrap();
        assert_eq!(new, ChatWindow::default());
        assert_eq!(
            new.summary(),
            "Visitors may send images and documents, up to 10 MB; image previews are hidden by default"
        );
    }

    #[test]
    fn unreadable_rows_are_refused() {
        assert!(ChatWindow::from_stored("custom", "", 1024, true).is_err());
        assert!(ChatWindow::from_stored("everything", "images", 1024, true).is_err());
        assert!(ChatWindow::from_stored("all", "", 0, true).is_err());
        assert!(ChatWindow::from_stored("all", "", -5, true).is_err());
        let f = ChatWindow::fallback(false);
        assert_eq!(f.files.allowed, Allowed::ImagesOnly);
        assert_eq!(f.files.max_bytes, FilePolicy::default().max_bytes);
    }

    #[test]
    fn summaries_name_every_category() {
        let w = ChatWindow::from_stored("custom", "images,documents,other", 1 << 20, true).unwrap();
        assert!(w
            .summary()
            .starts_with("Visitors may send images, documents and other files, up to 1 MB"));
        let i = ChatWindow::from_stored("images", "", 1 << 20, true).unwrap();
        assert!(i
            .summary()
            .starts_with("Visitors may send images only, up to 1 MB"));
    }

    #[test]
    fn a_conversation_choice_beats_the_default() {
        let on = ChatWindow {
            previews_default: true,
            ..ChatWindow::default()
        };
        let off = ChatWindow::default();
        assert!(on.previews_for(None));
        assert!(!on.previews_for(Some(false)));
        assert!(!off.previews_for(None));
        assert!(off.previews_for(Some(true)));
    }
}
