//! One schema for both backends. Ids are BIGINT on PostgreSQL and INTEGER
//! (64-bit) on SQLite; timestamps are UTC without a zone.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    business_cases (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        widget_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        account_id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        time_zone -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        bucket -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        account_id -> BigInt,
        actor_user_id -> Nullable<BigInt>,
        actor_name -> Text,
        action -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        account_id -> BigInt,
        case_id -> BigInt,
        public_id -> Text,
        visitor_key -> Text,
        visitor_label -> Text,
        status -> Text,
        agent_user_id -> Nullable<BigInt>,
        page_url -> Nullable<Text>,
        visitor_ip_sealed -> Nullable<Binary>,
        visitor_ip_index -> Nullable<Binary>,
        last_seq -> BigInt,
        message_count -> Integer,
        screen_share -> Text,
        survey_rating -> Nullable<Integer>,
        survey_comment -> Nullable<Text>,
        survey_offered -> Bool,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        block_id -> Nullable<BigInt>,
        blocked_at -> Nullable<Timestamp>,
        block_reason -> Nullable<Text>,
        block_until -> Nullable<Timestamp>,
        image_previews -> Nullable<Bool>,
        strikes -> Integer,
        visitor_lang -> Nullable<Text>,
        share_agent_id -> Nullable<BigInt>,
        share_started_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    blocks (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> Nullable<BigInt>,
        public_id -> Text,
        network_sealed -> Nullable<Binary>,
        network_index -> Nullable<Binary>,
        reason -> Text,
        blocked_by_user_id -> Nullable<BigInt>,
        blocked_by_name -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        lifted_at -> Nullable<Timestamp>,
        lifted_by_name -> Nullable<Text>,
        browser_index -> Nullable<Binary>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        seq -> BigInt,
        kind -> Text,
        author -> Text,
        author_name -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    files (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> BigInt,
        public_id -> Text,
        stored_name -> Text,
        original_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        uploaded_by -> Text,
        created_at -> Timestamp,
        category -> Nullable<Text>,
        preview_type -> Nullable<Text>,
    }
}

diesel::table! {
    /// A chat file's bytes on PostgreSQL, in chunks numbered from 0 (empty
    /// on SQLite, whose files lie in the data directory).
    file_chunks (file_id, n) {
        file_id -> BigInt,
        n -> Integer,
        bytes -> Binary,
    }
}

diesel::table! {
    visitors (id) {
        id -> BigInt,
        account_id -> BigInt,
        case_id -> BigInt,
        visitor_key -> Text,
        label -> Text,
        page_url -> Nullable<Text>,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        account_id -> BigInt,
        case_id -> BigInt,
        visitor_key -> Text,
        agent_name -> Text,
        message -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ip_rules (id) {
        id -> BigInt,
        account_id -> BigInt,
        network -> Text,
        comment -> Nullable<Text>,
        created_by_user_id -> Nullable<BigInt>,
        created_by_name -> Text,
        created_at -> Timestamp,
        hits -> BigInt,
    }
}

diesel::table! {
    site_rules (id) {
        id -> BigInt,
        account_id -> BigInt,
        pattern -> Text,
        position -> Integer,
    }
}

diesel::table! {
    gate_settings (account_id) {
        account_id -> BigInt,
        country_mode -> Text,
        countries -> Text,
        country_unknown -> Bool,
        site_mode -> Text,
        version -> BigInt,
        updated_at -> Nullable<Timestamp>,
        flood_messages -> Nullable<Integer>,
        flood_conversations -> Nullable<Integer>,
        flood_files -> Nullable<Integer>,
        shield_enabled -> Bool,
        shield_strikes -> Integer,
        shield_action -> Text,
        block_browser -> Bool,
    }
}

diesel::table! {
    shield_lists (account_id) {
        account_id -> BigInt,
        patterns -> Text,
    }
}

diesel::table! {
    chat_window_settings (account_id) {
        account_id -> BigInt,
        file_mode -> Text,
        file_categories -> Text,
        max_file_bytes -> BigInt,
        previews_default -> Bool,
        updated_at -> Nullable<Timestamp>,
        default_lang -> Text,
        languages -> Text,
        greetings -> Text,
    }
}

diesel::table! {
    /// The pages a visitor's widget reported (the console's sidebar): the
    /// last 20 per visitor, erased after 7 days.
    visitor_pages (id) {
        id -> BigInt,
        account_id -> BigInt,
        visitor_key -> Text,
        url -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    /// Widget requests the gate refused, per hour, by the blind index of
    /// the visitor's network and the visitor key ("" when none was named).
    visitor_refusals (account_id, network_index, visitor_key, hour) {
        account_id -> BigInt,
        network_index -> Binary,
        visitor_key -> Text,
        hour -> Timestamp,
        times -> BigInt,
    }
}

diesel::table! {
    /// Conversations started per account and hour (kept by triggers).
    conversation_hours (account_id, hour) {
        account_id -> BigInt,
        hour -> Timestamp,
        started -> BigInt,
    }
}

diesel::table! {
    /// The gate's decisions on page views per account, hour, cause and key
    /// (a rule id, a country code or ""). Never an address.
    counters (account_id, hour, cause, key) {
        account_id -> BigInt,
        hour -> Timestamp,
        cause -> Text,
        key -> Text,
        times -> BigInt,
    }
}

diesel::joinable!(business_cases -> accounts (account_id));
diesel::joinable!(conversations -> business_cases (case_id));
diesel::joinable!(events -> conversations (conversation_id));
diesel::joinable!(users -> accounts (account_id));
diesel::joinable!(audit_log -> accounts (account_id));
diesel::joinable!(file_chunks -> files (file_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    business_cases,
    users,
    sessions,
    login_failures,
    audit_log,
    conversations,
    events,
    files,
    file_chunks,
    visitors,
    invitations,
    blocks,
    ip_rules,
    site_rules,
    gate_settings,
    shield_lists,
    chat_window_settings,
    visitor_pages,
    visitor_refusals,
    counters,
    conversation_hours,
);
