package io.socialcrm.connectors.twitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.socialcrm.connectors.mapping.TwitterV1Mapper;
import io.socialcrm.connectors.testing.RecordedStream;
import io.socialcrm.connectors.testing.TaskContexts;
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
import org.slf4j.LoggerFactory;

/**
 * The Twitter task against a local server that streams the recorded v1.1 payloads (the public
 * endpoints closed in 2023): statuses arrive as activities, notices are counted, a dropped connection
 * is reconnected, and the credentials are sent as OAuth but never logged.
 */
class TwitterSourceTaskTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/twitter-v1");
    private static final String SECRET = "s3cr3t-consumer-secret";
    private static final String TOKEN_SECRET = "s3cr3t-token-secret";

    private static List<String> lines(String file) throws Exception {
        return Files.readAllLines(FIXTURES.resolve(file)).stream().filter(l -> !l.isBlank()).toList();
    }

    private static Map<String, String> props(RecordedStream server) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "twitter");
        props.put(TwitterConfig.CONSUMER_KEY, "consumer-key-1");
        props.put(TwitterConfig.CONSUMER_SECRET, SECRET);
        props.put(TwitterConfig.ACCESS_TOKEN, "access-token-1");
        props.put(TwitterConfig.ACCESS_TOKEN_SECRET, TOKEN_SECRET);
        props.put(TwitterConfig.STREAM_BASE_URL, server.baseUrl());
        props.put(TwitterConfig.FOLLOW_CONSENTED, "false");
        props.put(TwitterConfig.FOLLOW, "18378841,14090452");
        props.put(TwitterConfig.TRACK, "higgs,#socialcrm");
        return props;
    }

    @Test
    void recordedStreamBecomesActivitiesAcrossADroppedConnection() throws Exception {
        List<String> first = lines("streamingapi-testcase.json");
        List<String> second = new ArrayList<>(lines("stallwarning.json"));
        second.addAll(lines("statuses_retweet_6010814202.json"));
        second.addAll(lines("statuses_retweet_2245071380.json")); // recorded without id: a bad payload
        second.addAll(lines("streamingapi-event-testcase.json"));
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        TaskContexts context = new TaskContexts();
        TwitterSourceTask task = new TwitterSourceTask();
        try (RecordedStream server = new RecordedStream(List.of(first, second))) {
            task.initialize(context);
            task.start(props(server));
            Set<String> expected = new TreeSet<>();
            TwitterV1Mapper mapper = new TwitterV1Mapper("test");
            for (String line : first) {
                mapper.map(line).activities().forEach(a -> expected.add(a.getEventId()));
            }
            for (String line : second) {
                try {
                    mapper.map(line).activities().forEach(a -> expected.add(a.getEventId()));
                } catch (io.socialcrm.connectors.mapping.MappingException notAnActivity) {
                    // counted as a bad payload by the task as well
                }
            }
            Set<String> received = new TreeSet<>();
            List<SourceRecord> all = new ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!received.containsAll(expected) && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    all.addAll(batch);
                    batch.stream().filter(r -> r.topic().equals("social-activity"))
                            .forEach(r -> received.add(((Struct) r.value()).getString("eventId")));
                }
            }
            assertEquals(expected, received, "every status and event of both sessions, across the drop");
            assertEquals(5, expected.size(), "the recording's statuses, a retweet and a follow event: " + expected);
            assertTrue(server.connections() >= 2, "reconnected after the dropped connection");
            assertTrue(context.metric("stream-connects-total") >= 2);
            assertEquals(1.0, context.metric("limit-notices-total"));
            assertEquals(121564.0, context.metric("limit-undelivered-statuses"), "as the recorded limit notice said");
            assertEquals(1.0, context.metric("stall-warnings-total"));
            assertEquals(60.0, context.metric("stall-percent-full"));
            assertTrue(context.metric("notices-total") >= 4, "delete, limit, scrub_geo, stall warning");
            assertEquals(1.0, context.metric("bad-payloads-total"));
            SourceRecord dead = all.stream().filter(r -> r.topic().equals("dead-letters")).findFirst().orElseThrow();
            assertEquals("status has no id", dead.headers().lastWithName("__connect.errors.exception.message").value());

            assertEquals("18378841,14090452", server.lastParameter("follow"));
            assertEquals("higgs,#socialcrm", server.lastParameter("track"));
            String authorization = server.authorizations.get(0);
            assertTrue(authorization.startsWith("OAuth ") && authorization.contains("oauth_consumer_key=\"consumer-key-1\"")
                    && authorization.contains("oauth_signature="), "signed with OAuth 1.0a: " + authorization);
            assertFalse(authorization.contains(SECRET) || authorization.contains(TOKEN_SECRET), "secrets are never sent");
            SourceRecord profile = all.stream().filter(r -> r.topic().equals("social-profiles")).findFirst().orElseThrow();
            assertTrue(((String) profile.key()).startsWith("twitter:"));
        } finally {
            task.stop();
            root.detachAppender(logs);
        }
        // twitter4j's consumer thread goes on logging for a moment after stop ("Stream closed."): the appender
        // appends under its own lock, so stopping it and copying under that lock gives every line it took
        List<ILoggingEvent> logged;
        synchronized (logs) {
            logs.stop();
            logged = List.copyOf(logs.list);
        }
        assertFalse(logged.isEmpty(), "the task's own log lines were captured");
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage();
            assertFalse(line.contains(SECRET) || line.contains(TOKEN_SECRET) || line.contains("consumer-key-1")
                    || line.contains("access-token-1"), "credentials in a log line: " + line);
        }
    }

    @Test
    void settingsAreCheckedBeforeAnyConnection() {
        Map<String, String> props = new HashMap<>();
        props.put(TwitterConfig.CONSUMER_KEY, "k");
        props.put(TwitterConfig.CONSUMER_SECRET, "s");
        props.put(TwitterConfig.ACCESS_TOKEN, "t");
        props.put(TwitterConfig.ACCESS_TOKEN_SECRET, "ts");
        ConfigException noConsents = assertThrows(ConfigException.class, () -> new TwitterSourceConnector().start(props));
        assertTrue(noConsents.getMessage().contains(io.socialcrm.connectors.source.ConsentSettings.BOOTSTRAP), noConsents.getMessage());
        props.put(TwitterConfig.FOLLOW_CONSENTED, "false");
        ConfigException nothing = assertThrows(ConfigException.class, () -> new TwitterSourceConnector().start(props));
        assertTrue(nothing.getMessage().startsWith("Nothing to stream"), nothing.getMessage());
        props.put(TwitterConfig.FOLLOW, "12,abc");
        ConfigException ids = assertThrows(ConfigException.class, () -> new TwitterSourceConnector().start(props));
        assertTrue(ids.getMessage().contains("numeric user ids"), ids.getMessage());
        props.put(TwitterConfig.FOLLOW, "12");
        props.put(TwitterConfig.STREAM_BASE_URL, "ftp://example");
        assertThrows(ConfigException.class, () -> new TwitterSourceConnector().start(props));
        assertTrue(TwitterConfig.DEFINITION.configKeys().get(TwitterConfig.CONSUMER_SECRET).type
                == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD, "Connect hides password settings in its logs and API");
    }
}
