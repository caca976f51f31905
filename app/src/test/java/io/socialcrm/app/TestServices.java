package io.socialcrm.app;

import static org.awaitility.Awaitility.await;

import io.socialcrm.common.RefreshPasses;
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

    /**
     * Waits until the instances' group has read all input and its repartition topics (see
     * {@link Progress#awaitIdle}), then until each instance's customer tasks
     * have re-evaluated every customer once more (a pass asked for now: what a timed sweep would change
     * as of the last event is in the outputs), then until the outputs have not grown for two seconds
     * (the pass's changes committed; a sketch it published taken in).
     */
    public static void awaitIdle(LocalStack stack, Service service, Duration timeout, Service... others) {
        Topics topics = service.pipeline().topology().topics();
        List<String> inputs = List.of(topics.socialActivity.name(), topics.consents.name(), topics.socialProfiles.name());
        List<String> outputs = List.of(topics.customerProfiles.name(), topics.segmentChanges.name());
        try (Admin admin = stack.admin()) {
            Progress progress = new Progress(admin, service.pipeline().topology().applicationId());
            progress.awaitIdle(inputs, outputs, Duration.ofSeconds(1), timeout, lag -> { });
            List<Service> all = new java.util.ArrayList<>(List.of(others));
            all.add(service);
            Map<RefreshPasses, Long> asked = new HashMap<>();
            for (Service s : all) {
                asked.put(s.pipeline().topology().passes(), s.pipeline().topology().passes().request());
            }
            await("a pass over every customer on " + all.size() + " instance(s)").atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .until(() -> asked.entrySet().stream().allMatch(e -> e.getKey().done(e.getValue())));
            progress.awaitIdle(inputs, outputs, Duration.ofSeconds(2), timeout, lag -> { });
        }
    }
}
