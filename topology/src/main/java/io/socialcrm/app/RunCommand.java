package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code socialcrm run}: the topology and API against a real cluster and registry. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the topology and the HTTP API against a real Kafka cluster and schema registry.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Override
    public Integer call() {
        Settings settings = config.load(Map.of());
        settings.require(AppConfig.BOOTSTRAP_SERVERS.name(), "the Kafka brokers, e.g. broker:9092");
        settings.require(AppConfig.SCHEMA_REGISTRY_URL.name(), "the schema registry, e.g. http://registry:8081");
        return 0;
    }
}
