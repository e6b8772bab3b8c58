//! Rows as read from the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;
use crate::domain::account::Role;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = business_cases)]
pub struct BusinessCase {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub widget_key: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub name: String,
    role: String,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// An IANA name; `None` until the browser reports one or the user
    /// chooses one (read with `domain::time_zone::TimeZone::stored`).
    pub time_zone: Option<String>,
}

impl User {
    /// The stored role. The column has a CHECK constraint; should it ever hold
    /// anything else, the user gets the lesser role.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Agent)
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub account_id: i64,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: i64,
    pub account_id: i64,
    pub case_id: i64,
    pub public_id: String,
    pub visitor_key: String,
    pub visitor_label: String,
    pub status: String,
    pub agent_user_id: Option<i64>,
    pub page_url: Option<String>,
    pub last_seq: i64,
    pub message_count: i32,
    pub screen_share: String,
    pub survey_rating: Option<i32>,
    pub survey_comment: Option<String>,
    pub survey_offered: bool,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub block_id: Option<i64>,
    pub blocked_at: Option<NaiveDateTime>,
    pub block_reason: Option<String>,
    pub block_until: Option<NaiveDateTime>,
    /// The agents' choice for this conversation; `None` follows the
    /// account's default.
    pub image_previews: Option<bool>,
    /// The language the visitor's widget spoke when it started (a code).
    pub visitor_lang: Option<String>,
    /// The agent whose screen-share request the visitor answered.
    pub share_agent_id: Option<i64>,
    /// When the current screen share started (its first offer).
    pub share_started_at: Option<NaiveDateTime>,
}

impl Conversation {
    pub fn status(&self) -> crate::domain::chat::Status {
        crate::domain::chat::Status::parse(&self.status)
    }

    pub fn is_closed(&self) -> bool {
        self.status() == crate::domain::chat::Status::Closed
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub conversation_id: i64,
    pub seq: i64,
    pub kind: String,
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = files)]
pub struct StoredFile {
    pub id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
    pub public_id: String,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
    /// The category the upload check found (older files: none).
    pub category: Option<String>,
    /// The checked image type when the file may be shown inline.
    pub preview_type: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visitors)]
pub struct OnlineVisitor {
    pub id: i64,
    pub account_id: i64,
    pub case_id: i64,
    pub visitor_key: String,
    pub label: String,
    pub page_url: Option<String>,
    pub last_seen_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub account_id: i64,
    pub case_id: i64,
    pub visitor_key: String,
    pub agent_name: String,
    pub message: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blocks)]
pub struct Block {
    pub id: i64,
    pub account_id: i64,
    pub conversation_id: Option<i64>,
    pub public_id: String,
    pub reason: String,
    pub blocked_by_user_id: Option<i64>,
    pub blocked_by_name: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub lifted_at: Option<NaiveDateTime>,
    pub lifted_by_name: Option<String>,
    /// The keyed index of the blocked browser, while the block covers it.
    pub browser_index: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ip_rules)]
pub struct IpRuleRow {
    pub id: i64,
    pub account_id: i64,
    pub network: String,
    pub comment: Option<String>,
    pub created_by_name: String,
    pub created_at: NaiveDateTime,
    pub hits: i64,
}

#[derive(Debug, Clone, Default, Queryable, Selectable)]
#[diesel(table_name = gate_settings)]
pub struct GateSettings {
    pub account_id: i64,
    pub country_mode: String,
    pub countries: String,
    pub country_unknown: bool,
    pub site_mode: String,
    pub version: i64,
    pub updated_at: Option<NaiveDateTime>,
    /// Flood control's limits; `None` is off.
    pub flood_messages: Option<i32>,
    pub flood_conversations: Option<i32>,
    pub flood_files: Option<i32>,
    pub shield_enabled: bool,
    pub shield_strikes: i32,
    pub shield_action: String,
    /// Whether a block also covers the visitor's browser.
    pub block_browser: bool,
}

impl GateSettings {
    pub fn flood(&self) -> crate::domain::flood::FloodLimits {
        crate::domain::flood::FloodLimits::from_stored(
            self.flood_messages,
            self.flood_conversations,
            self.flood_files,
        )
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chat_window_settings)]
pub struct ChatWindowRow {
    pub account_id: i64,
    pub file_mode: String,
    pub file_categories: String,
    pub max_file_bytes: i64,
    pub previews_default: bool,
    pub updated_at: Option<NaiveDateTime>,
    pub default_lang: String,
    pub languages: String,
    pub greetings: String,
}
