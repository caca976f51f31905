package io.socialcrm.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real PostgreSQL for the embedded default ({@code demo --bi}): zonky's PostgreSQL binaries from
 * Maven Central, unpacked on first use and run as a child process on a free local port, its data in
 * {@code dataDir}. User {@code postgres}, database {@code postgres}, no password (local trust).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedDatabase start(Path dataDir) {
        try {
            return new EmbeddedDatabase(EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true).start());
        } catch (IOException | RuntimeException e) {
            throw new StackException("The embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    /** The JDBC URL without credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    /** A command line that opens it in psql. */
    public String psql() {
        return "psql -h 127.0.0.1 -p " + postgres.getPort() + " -U " + USER + " " + DATABASE;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new StackException("The embedded PostgreSQL did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
