package io.socialcrm.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to load a generated class whose package is not trusted. This trusts the
 * project's generated packages ({@code io.socialcrm.avro}) in addition to whatever the JVM trusts.
 */
public final class AvroClassTrust {
    private static final String PACKAGE_PREFIX = "io.socialcrm.avro.";
    private static volatile boolean installed;

    private AvroClassTrust() {
    }

    public static void install() {
        if (installed) {
            return;
        }
        synchronized (AvroClassTrust.class) {
            if (!installed) {
                ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                        clazz -> clazz.getName().startsWith(PACKAGE_PREFIX)));
                installed = true;
            }
        }
    }
}
