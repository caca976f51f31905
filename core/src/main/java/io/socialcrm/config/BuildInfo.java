package io.socialcrm.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions fixed at build time (from {@code socialcrm-build.properties}, filtered by Maven). */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    public static String kafkaVersion() {
        return PROPS.getProperty("kafka.version", "unknown");
    }

    public static String apicurioVersion() {
        return PROPS.getProperty("apicurio.version", "unknown");
    }

    private static Properties load() {
        Properties props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/socialcrm-build.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }
}
