package io.socialcrm.app;

import io.socialcrm.stack.LocalStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code socialcrm demo}: the main job on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the embedded default: an in-process KRaft broker, a schema registry, "
                + "generated permissioned social activity, the topology and the HTTP API.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();

    @Override
    public Integer call() {
        try (LocalStack local = LocalStack.start(stack.options())) {
            System.out.println("Embedded stack up: Kafka " + local.bootstrapServers() + ", schema registry "
                    + local.schemaRegistryUrl());
        }
        return 0;
    }
}
