//! Rebuilds when a migration is added or changed: `db::SQLITE_MIGRATIONS`
//! and `db::POSTGRES_MIGRATIONS` embed the `migrations/` directory at
//! compile time (as diesel_migrations recommends).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
