package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.BuildInfo;
import io.socialcrm.config.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code socialcrm run}: the topology and API against a real cluster and registry. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the topology and the HTTP API against a real Kafka cluster and schema registry, until "
                + "stopped (SIGTERM or Ctrl-C: it leaves the group cleanly). Settings: defaults < --config file < "
                + "environment (SOCIALCRM_*) < options. engagers.salt is required: a stable secret.",
        footer = {"", "Example:", "  socialcrm run --config app.properties --http-port 8080"})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers (bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Schema registry (schema.registry.url).")
    String registryUrl;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of the HTTP API (http.port, default 8080).")
    Integer httpPort;

    @Option(names = "--http-token", paramLabel = "TOKEN", description = "Bearer token for personal data in the API (http.token).")
    String httpToken;

    @Override
    public Integer call() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(AppConfig.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        flags.put(AppConfig.SCHEMA_REGISTRY_URL.name(), registryUrl);
        flags.put(AppConfig.HTTP_PORT.name(), httpPort == null ? null : httpPort.toString());
        flags.put(AppConfig.HTTP_TOKEN.name(), httpToken);
        Settings settings = config.load(flags);
        settings.require(AppConfig.BOOTSTRAP_SERVERS.name(), "the Kafka brokers, e.g. broker:9092");
        settings.require(AppConfig.SCHEMA_REGISTRY_URL.name(), "the schema registry, e.g. http://registry:8081");
        AtomicBoolean signalled = new AtomicBoolean();
        Service service = Service.start(settings);
        CountDownLatch stopped = service.pipeline().stoppedLatch();
        Thread hook = new Thread(() -> {
            signalled.set(true);
            LOG.info("Stopping (signal)");
            service.close();
            stopped.countDown();
        }, "socialcrm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("socialcrm {} running: application {}, API {}", BuildInfo.version(),
                service.pipeline().topology().applicationId(), service.url() == null ? "off" : service.url());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (signalled.get()) {
            return 0;
        }
        LOG.error("Kafka Streams stopped by itself (state {}): see the errors above", service.pipeline().streams().state());
        Runtime.getRuntime().removeShutdownHook(hook);
        service.close();
        return 1;
    }
}
