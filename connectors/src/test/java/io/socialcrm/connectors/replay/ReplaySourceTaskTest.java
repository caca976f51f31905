package io.socialcrm.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.connectors.source.BadPayloads;
import io.socialcrm.connectors.testing.TaskContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay task on its own: what each file gives, where it resumes, what a bad line does. */
class ReplaySourceTaskTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/twitter-v1");

    private static ReplaySourceTask start(TaskContexts context, Map<String, String> props) {
        ReplaySourceTask task = new ReplaySourceTask();
        task.initialize(context);
        task.start(props);
        return task;
    }

    /** Polls until the task is idle; every record it gave. */
    private static List<SourceRecord> drain(ReplaySourceTask task) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        List<SourceRecord> batch;
        while ((batch = task.poll()) != null) {
            all.addAll(batch);
        }
        return all;
    }

    private static Map<String, Long> byTopic(List<SourceRecord> records) {
        return records.stream().collect(Collectors.groupingBy(SourceRecord::topic, Collectors.counting()));
    }

    @Test
    void replaysRecordedTwitterPayloadsConsentsAndActivityJsonIntoTheContractTopics(@TempDir Path dir) throws Exception {
        Path consents = dir.resolve("consents.csv");
        Files.writeString(consents, "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at\n"
                + "c1,twitter,18378841,someone,ACTIVITY|CONTENT,GRANTED,2009-12-01T00:00:00Z\n");
        Path activities = dir.resolve("a.jsonl");
        Files.writeString(activities, "{\"eventId\":\"e1\",\"platform\":\"twitter\",\"actorId\":\"7\",\"type\":\"POST\",\"occurredAt\":1}\n"
                + "{\"eventId\":\"e2\",\"platform\":\"twitter\",\"actorId\":\"7\",\"type\":\"REPLY\",\"targetUserId\":\"8\",\"occurredAt\":2}\n");
        Map<String, String> props = Map.of("name", "replay", ReplayConfig.FILES,
                FIXTURES.resolve("streamingapi-testcase.json") + "," + consents + "," + activities,
                "batch.size", "3", ReplayConfig.IDLE_MS, "10");
        ReplaySourceTask task = start(new TaskContexts(), props);
        List<SourceRecord> records = drain(task);
        task.stop();

        // streamingapi-testcase.json: 3 statuses (each with its author's profile), a delete, a limit and a scrub_geo notice
        assertEquals(Map.of("social-activity", 5L, "social-profiles", 3L, "consents", 1L), byTopic(records));
        SourceRecord first = records.stream().filter(r -> r.topic().equals("social-activity")).findFirst().orElseThrow();
        assertTrue(((String) first.key()).startsWith("twitter:"), "keyed by account key: " + first.key());
        assertEquals("io.socialcrm.avro.SocialActivity", first.valueSchema().name());
        SourceRecord consent = records.stream().filter(r -> r.topic().equals("consents")).findFirst().orElseThrow();
        assertEquals("twitter:18378841", consent.key());
        assertEquals("c1", ((Struct) consent.value()).getString("customerId"));
        assertTrue(records.stream().allMatch(r -> r.timestamp() == null), "the producer stamps the time of writing");
    }

    @Test
    void aRestartedTaskGoesOnAfterTheCommittedPosition(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 25; i++) {
            lines.append("{\"eventId\":\"e").append(i).append("\",\"platform\":\"twitter\",\"actorId\":\"7\",\"type\":\"POST\",\"occurredAt\":")
                    .append(i).append("}\n");
        }
        Files.writeString(file, lines);
        Map<String, String> props = Map.of("name", "replay", ReplayConfig.FILES, file.toString(), "batch.size", "10",
                ReplayConfig.IDLE_MS, "10");
        TaskContexts context = new TaskContexts();
        ReplaySourceTask task = start(context, props);
        List<SourceRecord> firstBatch = task.poll();
        assertEquals(10, firstBatch.size());
        context.commit(firstBatch);
        task.stop();

        ReplaySourceTask restarted = start(context, props);
        List<SourceRecord> rest = drain(restarted);
        assertEquals(15, rest.size(), "only what was not committed");
        assertEquals("e11", ((Struct) rest.get(0).value()).getString("eventId"));
        assertEquals(Map.of("position", 25L), rest.get(14).sourceOffset());

        Files.writeString(file, lines + "{\"eventId\":\"e26\",\"platform\":\"twitter\",\"actorId\":\"7\",\"type\":\"POST\",\"occurredAt\":26}\n");
        context.commit(rest);
        assertEquals(1, drain(start(context, props)).size(), "a file that grew gives its new lines on the next start");
    }

    @Test
    void aBadLineGoesToDeadLettersWithItsReasonAndOriginalBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.jsonl");
        String bad = "{\"eventId\":\"e2\",\"platform\":\"twitter\",\"type\":\"POST\",\"occurredAt\":2}";
        Files.writeString(file, "{\"eventId\":\"e1\",\"platform\":\"twitter\",\"actorId\":\"7\",\"type\":\"POST\",\"occurredAt\":1}\n"
                + bad + "\nnot json at all\n");
        Map<String, String> props = new HashMap<>(Map.of("name", "replay", ReplayConfig.FILES, file.toString(),
                ReplayConfig.IDLE_MS, "10", "topics.prefix", "acme."));
        List<SourceRecord> records = drain(start(new TaskContexts(), props));
        assertEquals(Map.of("acme.social-activity", 1L, "acme.dead-letters", 2L), byTopic(records));
        SourceRecord dead = records.get(1);
        assertArrayEquals(bad.getBytes(StandardCharsets.UTF_8), (byte[]) dead.value(), "the original line");
        assertEquals("field 'actorId' is required", dead.headers().lastWithName(BadPayloads.HEADER_PREFIX + "exception.message").value());
        assertEquals("a.jsonl:2", dead.headers().lastWithName("socialcrm.source.place").value());
        assertEquals("replay", dead.headers().lastWithName(BadPayloads.HEADER_PREFIX + "connector.name").value());
        assertEquals(Map.of("position", 2L), dead.sourceOffset(), "a bad line moves the position on too");

        props.put("errors.tolerance", "none");
        ConnectException failed = assertThrows(ConnectException.class, () -> drain(start(new TaskContexts(), props)));
        assertTrue(failed.getMessage().contains("a.jsonl:2: field 'actorId' is required"), failed.getMessage());

        props.put("errors.tolerance", "all");
        props.put("errors.deadletterqueue.topic.name", "");
        assertEquals(Map.of("acme.social-activity", 1L), byTopic(drain(start(new TaskContexts(), props))),
                "with no dead-letter topic, bad lines are only logged");
    }

    @Test
    void badSettingsFailFastNamingTheSetting(@TempDir Path dir) {
        var missing = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> new ReplaySourceConnector().start(Map.of(ReplayConfig.FILES, dir.resolve("nope.json").toString())));
        assertTrue(missing.getMessage().contains("replay.files") && missing.getMessage().contains("not a readable file"),
                missing.getMessage());
        var format = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> new ReplaySourceConnector().start(Map.of(ReplayConfig.FILES, dir.toString(), ReplayConfig.FORMAT, "xml")));
        assertTrue(format.getMessage().contains("replay.format"), format.getMessage());
    }

    @Test
    void filesAreSharedAmongTasks(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("f" + i + ".jsonl"), "");
        }
        ReplaySourceConnector connector = new ReplaySourceConnector();
        connector.start(Map.of(ReplayConfig.FILES, dir.toString()));
        List<Map<String, String>> tasks = connector.taskConfigs(2);
        assertEquals(2, tasks.size());
        assertEquals(3, tasks.get(0).get(ReplayConfig.TASK_FILES).split("\n").length);
        assertEquals(2, tasks.get(1).get(ReplayConfig.TASK_FILES).split("\n").length);
        assertEquals(5, connector.taskConfigs(10).size(), "no more tasks than files");
    }
}
