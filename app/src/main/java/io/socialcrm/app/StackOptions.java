package io.socialcrm.app;

import io.socialcrm.stack.LocalStack;
import picocli.CommandLine.Option;

/** Options of the commands that run on the embedded stack (demo, replay). */
public final class StackOptions {
    @Option(names = "--registry", paramLabel = "KIND", defaultValue = "apicurio",
            description = "Schema registry of the embedded stack: apicurio (a real registry, Confluent API; default) "
                    + "or mock (in-process, faster to start).")
    String registry;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of the embedded topics (default 4).")
    int partitions;

    LocalStack.Options options() {
        LocalStack.RegistryKind kind = switch (registry.toLowerCase(java.util.Locale.ROOT)) {
            case "apicurio" -> LocalStack.RegistryKind.APICURIO;
            case "mock" -> LocalStack.RegistryKind.MOCK;
            default -> throw new org.apache.kafka.common.config.ConfigException("--registry", registry,
                    "must be apicurio or mock");
        };
        if (partitions < 1 || partitions > 64) {
            throw new org.apache.kafka.common.config.ConfigException("--partitions", partitions, "must be from 1 to 64");
        }
        return LocalStack.Options.defaults().withRegistry(kind).withPartitions(partitions);
    }
}
