package io.socialcrm.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/** Queries of the tests that read the BI tables: one connection per query, results as plain values. */
public final class Sql {
    private Sql() {
    }

    /** The first column of the one row a query returns, as a number ({@code count(*)}, {@code sum(...)}, ...). */
    public static double number(DataSource db, String sql) throws SQLException {
        return first(db, sql, r -> r.getDouble(1));
    }

    public static long count(DataSource db, String sql) throws SQLException {
        return first(db, sql, r -> r.getLong(1));
    }

    /** The one row a query returns, by column label. */
    public static Map<String, Object> one(DataSource db, String sql) throws SQLException {
        return first(db, sql, r -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
            }
            return row;
        });
    }

    /** The distinct values of the first column. */
    public static Set<String> strings(DataSource db, String sql) throws SQLException {
        Set<String> out = new TreeSet<>();
        query(db, sql, r -> {
            while (r.next()) {
                out.add(r.getString(1));
            }
            return null;
        });
        return out;
    }

    /** How many rows a query returns. */
    public static int rows(DataSource db, String sql) throws SQLException {
        return query(db, sql, r -> {
            int n = 0;
            while (r.next()) {
                n++;
            }
            return n;
        });
    }

    private interface Reader<T> {
        T read(ResultSet r) throws SQLException;
    }

    private static <T> T first(DataSource db, String sql, Reader<T> reader) throws SQLException {
        return query(db, sql, r -> {
            assertTrue(r.next(), "a row for " + sql);
            return reader.read(r);
        });
    }

    private static <T> T query(DataSource db, String sql, Reader<T> reader) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return reader.read(r);
        }
    }
}
