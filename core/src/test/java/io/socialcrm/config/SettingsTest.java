package io.socialcrm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.common.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings: defaults < file < environment < options, and errors that say what to fix. */
class SettingsTest {

    @Test
    void laterLayersWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "influence.halflife=20d\ncontext.halflife=10d\nsegments.refresh.interval=30m\n");
        Map<String, String> env = Map.of("SOCIALCRM_CONTEXT_HALFLIFE", "7d", "SOCIALCRM_SEGMENTS_REFRESH_INTERVAL", "20m",
                "PATH", "/usr/bin");
        Settings s = Settings.layered(AppConfig.defaults(), file, env, Map.of("segments.refresh.interval", "10m"));
        assertEquals(Duration.ofDays(20), s.duration("influence.halflife"), "file over default");
        assertEquals(Duration.ofDays(7), s.duration("context.halflife"), "environment over file");
        assertEquals(Duration.ofMinutes(10), s.duration("segments.refresh.interval"), "option over environment");
        assertEquals(Duration.ofDays(7), s.duration("dedupe.window"), "default when nothing else says");
        assertTrue(s.source("context.halflife").contains("SOCIALCRM_CONTEXT_HALFLIFE"));
    }

    @Test
    void durationsAndSizesReadTheUsualWays() {
        Settings s = Settings.of(Map.of("a", "250ms", "b", "1.5h", "c", "PT2M", "d", "2w", "e", "1GiB", "f", "512k",
                "g", "off"), "test");
        assertEquals(Duration.ofMillis(250), s.duration("a"));
        assertEquals(Duration.ofMinutes(90), s.duration("b"));
        assertEquals(Duration.ofMinutes(2), s.duration("c"));
        assertEquals(Duration.ofDays(14), s.duration("d"));
        assertEquals(1L << 30, s.bytes("e"));
        assertEquals(512L << 10, s.bytes("f"));
        assertTrue(s.duration("g", true).isEmpty());
    }

    @Test
    void invalidValuesNameTheSettingItsSourceAndWhatToWrite() {
        Map<String, String> values = new HashMap<>(AppConfig.defaults());
        values.put("engagers.salt", "a-long-enough-secret-salt");
        values.put("influence.halflife", "soon");
        ConfigException e = assertThrows(ConfigException.class,
                () -> TopologySettings.from(Settings.of(values, "file app.properties"), 1));
        assertEquals("Invalid setting 'influence.halflife' = 'soon' (from file app.properties): must be a positive duration "
                + "like 30d, 12h, 15m, 10s or 250ms, or off", e.getMessage());

        values.put("influence.halflife", "30d");
        values.put("influence.momentum.halflife", "60d");
        ConfigException momentum = assertThrows(ConfigException.class, () -> TopologySettings.from(Settings.of(values, "x"), 1));
        assertTrue(momentum.getMessage().contains("must be shorter than influence.halflife"), momentum.getMessage());

        values.put("influence.momentum.halflife", "7d");
        values.put("platforms", "twitter,My Space");
        assertTrue(assertThrows(ConfigException.class, () -> TopologySettings.from(Settings.of(values, "x"), 1))
                .getMessage().contains("'my space' is not a platform name"));

        values.put("platforms", "twitter");
        values.remove("engagers.salt");
        ConfigException salt = assertThrows(ConfigException.class, () -> TopologySettings.from(Settings.of(values, "x"), 1));
        assertTrue(salt.getMessage().startsWith("Missing setting 'engagers.salt'"), salt.getMessage());

        values.put("engagers.salt", "short");
        ConfigException shortSalt = assertThrows(ConfigException.class, () -> TopologySettings.from(Settings.of(values, "x"), 1));
        assertTrue(shortSalt.getMessage().contains("'(hidden)'"), "secrets are not echoed: " + shortSalt.getMessage());
    }

    @Test
    void unknownKeysAreRefusedWithTheClosestNameButKafkaSettingsPassThrough() {
        Settings ok = Settings.layered(AppConfig.defaults(), null, Map.of(),
                Map.of("num.stream.threads", "2", "producer.linger.ms", "10", "security.protocol", "SSL"));
        AppConfig.rejectUnknown(ok);
        Settings typo = Settings.layered(AppConfig.defaults(), null, Map.of(), Map.of("segments.refresh.intervall", "1m"));
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.rejectUnknown(typo));
        assertTrue(e.getMessage().contains("did you mean 'segments.refresh.interval'"), e.getMessage());
    }

    /** Under exactly-once a segment change waits for two commits: socialcrm commits every 50 ms unless told otherwise. */
    @Test
    void exactlyOnceCommitsEvery50MsUnlessSet() {
        Map<String, String> given = new HashMap<>(Map.of("bootstrap.servers", "localhost:9092",
                "schema.registry.url", "mock://commit", "engagers.salt", "salt-0123456789abcdef"));
        Settings eos = Settings.layered(AppConfig.defaults(), null, Map.of(), given);
        assertEquals("50", io.socialcrm.topology.StreamsProperties.of(eos, TopologySettings.from(eos, 1))
                .get(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        given.put("commit.interval.ms", "200");
        Settings own = Settings.layered(AppConfig.defaults(), null, Map.of(), given);
        assertEquals("200", io.socialcrm.topology.StreamsProperties.of(own, TopologySettings.from(own, 1))
                .get(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG), "the user's value wins");
        given.remove("commit.interval.ms");
        given.put("processing.guarantee", "at_least_once");
        Settings alos = Settings.layered(AppConfig.defaults(), null, Map.of(), given);
        assertEquals(null, io.socialcrm.topology.StreamsProperties.of(alos, TopologySettings.from(alos, 1))
                .get(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG), "at-least-once keeps Kafka's 30 s");
    }

    /**
     * Kafka Streams warns at every start that the global thread's processing-exception handler is off
     * unless the configuration its partition assignor is given (the main consumer's) says it is on.
     */
    @Test
    @SuppressWarnings("deprecation")
    void thePartitionAssignorSeesTheGlobalProcessingHandlerOn() {
        Map<String, String> given = Map.of("bootstrap.servers", "localhost:9092", "schema.registry.url", "mock://assignor",
                "engagers.salt", "salt-0123456789abcdef");
        Settings settings = Settings.layered(AppConfig.defaults(), null, Map.of(), given);
        var config = new org.apache.kafka.streams.StreamsConfig(io.socialcrm.topology.StreamsProperties.of(settings,
                TopologySettings.from(settings, 1)));
        Map<String, Object> assignors = config.getMainConsumerConfigs("group", "client", 0);
        assertEquals("true", String.valueOf(assignors.get(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)));
    }
}
