package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topics;
import io.socialcrm.stack.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/** Settings and waits for tests that run instances of the service on an embedded stack. */
public final class TestServices {
    private TestServices() {
    }

    /** An instance's settings: its own topic prefix and state folder, any free HTTP port, fast sweeps. */
    public static Settings settings(LocalStack stack, String applicationId, String prefix, Path stateDir,
                                    Map<String, String> extra) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put(AppConfig.TOPICS_PREFIX.name(), prefix);
        defaults.put(AppConfig.TOPICS_CREATE.name(), "true");
        defaults.put(AppConfig.TOPICS_PARTITIONS.name(), "4");
        defaults.put(AppConfig.SEGMENTS_REFRESH.name(), "2s");
        defaults.put(AppConfig.SWEEP_TICK.name(), "200ms");
        defaults.put(AppConfig.HTTP_PORT.name(), "0");
        defaults.put(AppConfig.ENGAGERS_SALT.name(), "test-services-salt-0123456789");
        defaults.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        defaults.putAll(extra);
        return EmbeddedSettings.of(stack, null, applicationId, defaults, Map.of());
    }

    /** Waits until the instance's group has read all input and its outputs stopped growing for a few seconds. */
    public static void awaitIdle(LocalStack stack, Service service, Duration timeout) {
        Topics topics = service.pipeline().topology().topics();
        try (Admin admin = stack.admin()) {
            new Progress(admin, service.pipeline().topology().applicationId()).awaitIdle(
                    List.of(topics.socialActivity.name(), topics.consents.name(), topics.socialProfiles.name()),
                    List.of(topics.customerProfiles.name(), topics.segmentChanges.name()), Duration.ofSeconds(6), timeout,
                    lag -> { });
        }
    }
}
