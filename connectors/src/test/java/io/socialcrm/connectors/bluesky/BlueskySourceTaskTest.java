package io.socialcrm.connectors.bluesky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.mapping.JetstreamMapper;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.testing.JetstreamServer;
import io.socialcrm.connectors.testing.TaskContexts;
import io.socialcrm.serde.PlainJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The Bluesky task against a local Jetstream that replays the recorded production window byte for
 * byte (zstd-compressed with Jetstream's dictionary, as {@code compress=true} asks), drops the
 * connection midway and resumes from the cursor the task asks for.
 */
class BlueskySourceTaskTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/bluesky-jetstream");
    private static final Path DICTIONARY = Path.of("src/main/resources/io/socialcrm/connectors/bluesky/jetstream-zstd-dictionary");

    private static List<String> corpus() throws Exception {
        return Files.readAllLines(FIXTURES.resolve("jetstream-corpus-expected_v1.jsonl")).stream().filter(l -> !l.isBlank()).toList();
    }

    private static Map<String, String> props(JetstreamServer server, Set<String> accounts, boolean compress) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "bluesky");
        props.put(BlueskyConfig.URL, server.url());
        props.put(BlueskyConfig.COMPRESS, Boolean.toString(compress));
        props.put(BlueskyConfig.FOLLOW_CONSENTED, "false");
        props.put(BlueskyConfig.ACCOUNTS, String.join(",", accounts));
        return props;
    }

    private static boolean involves(SocialActivity a, Set<String> accounts) {
        return accounts.contains(a.getActorId()) || (a.getTargetUserId() != null && accounts.contains(a.getTargetUserId()))
                || a.getMentionedUserIds().stream().anyMatch(accounts::contains);
    }

    private static long timeUs(String line) {
        try {
            return PlainJson.MAPPER.readTree(line).path("time_us").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void keepsOnlyTheAccountsEventsAcrossADroppedCompressedConnection() throws Exception {
        List<String> lines = corpus();
        // accounts whose events the task keeps: the actors of a few likes and the target of a repost
        JetstreamMapper mapper = new JetstreamMapper("test");
        Set<String> accounts = new TreeSet<>();
        List<SocialActivity> all = new ArrayList<>();
        for (String line : lines) {
            Mapped m = mapper.map(line);
            all.addAll(m.activities());
        }
        all.stream().filter(a -> a.getType().name().equals("LIKE")).limit(3).forEach(a -> accounts.add(a.getActorId()));
        all.stream().filter(a -> a.getType().name().equals("SHARE")).limit(1).forEach(a -> accounts.add(a.getTargetUserId()));
        Set<String> expected = new TreeSet<>();
        all.stream().filter(a -> involves(a, accounts)).forEach(a -> expected.add(a.getEventId()));
        assertTrue(expected.size() >= 4 && expected.size() < all.size() / 2, "a few events involve the accounts: " + expected.size());

        TaskContexts context = new TaskContexts();
        BlueskySourceTask task = new BlueskySourceTask();
        List<String> written = new ArrayList<>();
        try (JetstreamServer server = new JetstreamServer(lines, 80, DICTIONARY)) {
            task.initialize(context);
            task.start(props(server, accounts, true));
            long deadline = System.nanoTime() + 30_000_000_000L;
            int idle = 0;
            while ((server.connections() < 2 || !new TreeSet<>(written).containsAll(expected) || idle < 2)
                    && System.nanoTime() < deadline) {
                double seenBefore = context.metric("events-seen-total");
                List<SourceRecord> batch = task.poll();
                idle = context.metric("events-seen-total") == seenBefore ? idle + 1 : 0; // two polls with nothing new
                if (batch != null) {
                    for (SourceRecord r : batch) {
                        assertEquals("social-activity", r.topic());
                        written.add(((Struct) r.value()).getString("eventId"));
                        assertTrue(((String) r.key()).startsWith("bluesky:did:"), "keyed by bluesky:<DID>");
                    }
                }
            }
            assertEquals(expected, new TreeSet<>(written), "every event of the accounts, none of anyone else's");
            assertEquals(written.size(), new TreeSet<>(written).size(), "nothing written twice across the reconnect: " + written);
            assertTrue(server.connections() >= 2, "reconnected after the drop");
            Map<String, List<String>> second = server.queries.get(1);
            assertTrue(second.get("wantedCollections").containsAll(JetstreamMapper.COLLECTIONS), "asks for the four collections");
            assertEquals(List.of("true"), second.get("compress"));
            long resumedAt = Long.parseLong(second.get("cursor").get(0)) + 5_000_000L;
            assertTrue(lines.subList(0, 80).stream().anyMatch(l -> timeUs(l) == resumedAt),
                    "resumes 5 s before the newest event read before the drop");
            assertTrue(context.metric("stream-connects-total") >= 2);
            assertTrue(context.metric("stream-disconnects-total") >= 1);
            assertEquals(expected.size(), context.metric("events-kept-total"));
            assertTrue(context.metric("events-dropped-unconsented-total") >= all.size() - expected.size());
            assertTrue(context.metric("events-repeated-total") > 0, "the rewind re-sent events the task had written");
            assertTrue(context.metric("notices-total") >= 9, "deletes, updates, the block, identity and account events");
            assertTrue(context.metric("cursor-lag-ms") > 0);
        } finally {
            task.stop();
        }
    }

    @Test
    void aRestartedTaskResumesBeforeTheCommittedCursorAndBadFramesGoToDeadLetters() throws Exception {
        List<String> lines = new ArrayList<>(corpus().subList(0, 20));
        lines.add(10, "{\"did\":\"did:plc:x\",\"kind\":\"commit\"}");
        String actor = new JetstreamMapper("t").map(lines.get(0)).activities().get(0).getActorId();
        TaskContexts context = new TaskContexts();
        try (JetstreamServer server = new JetstreamServer(lines, 0, DICTIONARY)) {
            BlueskySourceTask first = new BlueskySourceTask();
            first.initialize(context);
            first.start(props(server, Set.of(actor), false));
            List<SourceRecord> records = new ArrayList<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (records.stream().noneMatch(r -> r.topic().equals("dead-letters")) && System.nanoTime() < deadline) {
                List<SourceRecord> batch = first.poll();
                if (batch != null) {
                    records.addAll(batch);
                }
            }
            first.stop();
            SourceRecord dead = records.stream().filter(r -> r.topic().equals("dead-letters")).findFirst().orElseThrow();
            assertEquals("event has no time_us", dead.headers().lastWithName("__connect.errors.exception.message").value());
            assertTrue(records.stream().anyMatch(r -> r.topic().equals("social-activity")));
            context.commit(records);
            long committed = ((Number) records.get(records.size() - 1).sourceOffset().get("cursor")).longValue();

            BlueskySourceTask second = new BlueskySourceTask();
            second.initialize(context.restarted());
            second.start(props(server, Set.of(actor), false));
            deadline = System.nanoTime() + 20_000_000_000L;
            while (server.connections() < 2 && System.nanoTime() < deadline) {
                second.poll();
            }
            second.stop();
            assertEquals(committed - 5_000_000L, Long.parseLong(server.queries.get(1).get("cursor").get(0)));
            assertFalse(server.queries.get(1).containsKey("compress"), "compress=false asks for text frames");
        }
    }

    @Test
    void aSilentConnectionIsTakenForDeadAndResumedFromTheCursor() throws Exception {
        List<String> lines = corpus().subList(0, 30);
        String actor = new JetstreamMapper("t").map(lines.get(0)).activities().get(0).getActorId();
        TaskContexts context = new TaskContexts();
        BlueskySourceTask task = new BlueskySourceTask();
        try (JetstreamServer server = JetstreamServer.stalling(lines, 10, DICTIONARY)) {
            Map<String, String> props = props(server, Set.of(actor), false);
            props.put(BlueskyConfig.IDLE_TIMEOUT_MS, "1000");
            task.initialize(context);
            task.start(props);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.connections() < 2 && System.nanoTime() < deadline) {
                task.poll();
            }
            assertEquals(2, server.connections(), "the half-open connection was given up and a new one opened");
            long resumedAt = Long.parseLong(server.queries.get(1).get("cursor").get(0)) + 5_000_000L;
            assertTrue(lines.subList(0, 10).stream().anyMatch(l -> timeUs(l) == resumedAt), "resumed from the cursor it had read");
            assertEquals(1.0, context.metric("stream-disconnects-total"));
        } finally {
            task.stop();
        }
    }

    @Test
    void badSettingsFailFastSayingWhatToFix() {
        Map<String, String> props = new HashMap<>(Map.of(BlueskyConfig.URL, "https://jetstream.example/subscribe"));
        assertTrue(assertThrows(ConfigException.class, () -> new BlueskyConfig(props)).getMessage().contains("ws://"));
        props.put(BlueskyConfig.URL, "wss://jetstream.example/subscribe");
        assertTrue(assertThrows(ConfigException.class, () -> new BlueskyConfig(props)).getMessage()
                .contains("consents.bootstrap.servers"));
        props.put(BlueskyConfig.FOLLOW_CONSENTED, "false");
        assertTrue(assertThrows(ConfigException.class, () -> new BlueskyConfig(props)).getMessage().contains(BlueskyConfig.ACCOUNTS));
        props.put(BlueskyConfig.ACCOUNTS, "alice");
        assertTrue(assertThrows(ConfigException.class, () -> new BlueskyConfig(props).accounts()).getMessage().contains("DID"));
    }
}
