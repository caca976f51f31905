package io.socialcrm.testing;

import io.socialcrm.stack.LocalStack;

/**
 * One embedded stack (real KRaft broker + Apicurio registry, 4 partitions) shared by every
 * integration test of the test JVM; its shutdown hook stops it when the JVM ends. Tests that need a
 * stack of their own (to stop it, or with other broker settings) start one.
 */
public final class TestStacks {
    private static LocalStack shared;

    private TestStacks() {
    }

    public static synchronized LocalStack shared() {
        if (shared == null) {
            shared = LocalStack.start(LocalStack.Options.defaults().withPartitions(4));
        }
        return shared;
    }
}
