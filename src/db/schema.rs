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

diesel::joinable!(business_cases -> accounts (account_id));
diesel::joinable!(users -> accounts (account_id));
diesel::joinable!(audit_log -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    business_cases,
    users,
    sessions,
    login_failures,
    audit_log,
);
