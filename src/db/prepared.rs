//! Statements that stay prepared on SQLite.
//!
//! Diesel keeps a statement prepared per connection and binds its
//! parameters again on every run. The bundled SQLite (3.50, with STAT4)
//! reads some bound values when it plans: an equality on an index's
//! first column, a range on the next, and a `LIMIT`. A statement whose
//! plan read a parameter is prepared again (parsed and planned) on the
//! first run after that parameter is bound, that is on every run: for the
//! Conversations list that was about a third of its rows' cost.
//!
//! * [`unprobed`]: a value written `+?`, an expression the planner does
//!   not read. Its plan is the one the tables' averages give
//!   (`sqlite_stat1`), as the `sqlite3` tool and Python's module (both
//!   without STAT4) plan the same SELECT; the index is used as before,
//!   since only the column side of a term decides that. PostgreSQL gets
//!   the bound value as it is (`+` is no operator on its timestamps).
//! * [`limited`]: `LIMIT n` written into the SQL as a number, not bound.
//!   A query is cached by its SQL, so each limit used has a statement of
//!   its own: pass constants.

use diesel::{
    backend::Backend,
    expression::{
        AppearsOnTable, AsExpression, Expression, SelectableExpression, TypedExpressionType,
        ValidGrouping,
    },
    pg::Pg,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::SqlType,
    sqlite::Sqlite,
    QueryResult, RunQueryDsl,
};

use super::MultiBackend;

/// `value` as an expression of SQL type `ST` that SQLite plans without
/// reading; see the module documentation.
pub fn unprobed<ST, T>(value: T) -> Unprobed<T::Expression>
where
    T: AsExpression<ST>,
    ST: SqlType + TypedExpressionType,
{
    Unprobed(value.as_expression())
}

#[derive(Debug, Clone, Copy, QueryId)]
pub struct Unprobed<E>(E);

impl<E: Expression> Expression for Unprobed<E> {
    type SqlType = E::SqlType;
}

impl<E: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Unprobed<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("+");
        self.0.walk_ast(out.reborrow())
    }
}

impl<E: QueryFragment<Pg>> QueryFragment<Pg> for Unprobed<E> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }
}

impl<E> QueryFragment<MultiBackend> for Unprobed<E>
where
    Self: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, out)
    }
}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for Unprobed<E> where Self: Expression {}

impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for Unprobed<E> where
    Self: AppearsOnTable<QS>
{
}

impl<E: ValidGrouping<GB>, GB> ValidGrouping<GB> for Unprobed<E> {
    type IsAggregate = E::IsAggregate;
}

/// `query` (ordered, without a limit of its own) with `LIMIT limit`
/// written as a number; see the module documentation.
pub fn limited<Q>(query: Q, limit: i64) -> Limited<Q> {
    Limited { query, limit }
}

#[derive(Debug, Clone)]
pub struct Limited<Q> {
    query: Q,
    limit: i64,
}

/// Never identified by its type: the limit is in the SQL, by which the
/// statement is cached.
impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Limited<Q> {}

/// For any backend, the multi-connection's included: the query's own
/// SQL (a boxed query is built for that backend alone), then the limit.
impl<DB: Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Limited<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {}", self.limit));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use diesel::{debug_query, prelude::*, sql_types::BigInt};

    use super::*;
    use crate::db::schema::conversations;

    #[test]
    fn sqlite_gets_a_unary_plus_and_postgres_the_bare_parameter() {
        let q = conversations::table
            .filter(conversations::case_id.eq(unprobed::<BigInt, _>(7_i64)))
            .select(conversations::id);
        let sqlite = debug_query::<Sqlite, _>(&q).to_string();
        assert!(sqlite.contains("`case_id` = +?"), "{sqlite}");
        let pg = debug_query::<Pg, _>(&q).to_string();
        assert!(pg.contains("\"case_id\" = $1"), "{pg}");
    }

    #[test]
    fn an_unprobed_value_is_cached_as_a_plain_bind_would_be() {
        type Q =
            diesel::dsl::Eq<conversations::case_id, Unprobed<diesel::dsl::AsExprOf<i64, BigInt>>>;
        // Checked when the test compiles.
        const { assert!(<Q as QueryId>::HAS_STATIC_QUERY_ID) };
    }

    #[test]
    fn the_limit_is_written_after_the_order_and_never_bound() {
        let q = || {
            conversations::table
                .select(conversations::id)
                .order(conversations::id.desc())
        };
        let sqlite = debug_query::<Sqlite, _>(&limited(q(), 51)).to_string();
        assert!(sqlite.contains("DESC LIMIT 51 --"), "{sqlite}");
        let pg = debug_query::<Pg, _>(&limited(q(), 1001)).to_string();
        assert!(pg.contains("DESC LIMIT 1001 --"), "{pg}");
        const { assert!(!<Limited<()> as QueryId>::HAS_STATIC_QUERY_ID) };
    }
}
