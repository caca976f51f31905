package io.socialcrm.connectors.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.connectors.mapping.Mapped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file formats of replay and the replay connector: good lines read, bad lines named and skipped. */
class FileReadersTest {

    @Test
    void activityJsonReadsEpochAndIsoTimesAndNamesBadLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"eventId\": \"1\", \"platform\": \"Twitter\", \"actorId\": 7, \"type\": \"post\", \"occurredAt\": 1341100800000, \"hashtags\": [\"#Higgs\"]}",
                "",
                "{\"eventId\": \"2\", \"platform\": \"twitter\", \"actorId\": \"7\", \"type\": \"REPLY\", \"targetUserId\": \"8\", \"occurredAt\": \"2012-07-01T00:00:01Z\"}",
                "{\"eventId\": \"3\", \"platform\": \"twitter\", \"type\": \"POST\", \"occurredAt\": 1}",
                "{\"eventId\": \"4\", \"platform\": \"twitter\", \"actorId\": \"7\", \"type\": \"WAVE\", \"occurredAt\": 1}",
                "{\"eventId\": \"5\", \"platform\": \"twitter\", \"actorId\": \"7\", \"type\": \"POST\", \"occurredAt\": \"yesterday\"}",
                "this is not json"));
        List<FileItem<Mapped>> items = new ArrayList<>();
        ActivityFiles.read(file, ActivityFormat.ACTIVITY_JSON, items::add);
        assertEquals(6, items.size());
        var first = items.get(0).value().activities().get(0);
        assertEquals("twitter", first.getPlatform());
        assertEquals("7", first.getActorId());
        assertEquals(ActivityType.POST, first.getType());
        assertEquals(List.of("Higgs"), first.getHashtags());
        assertEquals(Instant.parse("2012-07-01T00:00:01Z"), items.get(1).value().activities().get(0).getOccurredAt());
        assertEquals("a.jsonl:4", items.get(2).location());
        assertEquals("field 'actorId' is required", items.get(2).error());
        assertTrue(items.get(3).error().contains("field 'type' must be one of"), items.get(3).error());
        assertTrue(items.get(4).error().contains("field 'occurredAt' must be epoch milliseconds or ISO-8601"), items.get(4).error());
        assertEquals("a.jsonl:7", items.get(5).location());
        assertTrue(items.get(5).error().startsWith("not valid JSON"), items.get(5).error());
    }

    @Test
    void consentsCsvReadsScopesStatusAndTimeAndNamesBadRows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consents.csv");
        Files.writeString(file, String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "c1,Twitter,783214,@twitter,ACTIVITY|content|PROFILE,GRANTED,2026-03-01T10:00:00Z",
                "c2,twitter,42,,MESSAGING,revoked,1772442000000",
                "c3,twitter,43,h,ACTIVITY|TELEPATHY,GRANTED,2026-03-01T10:00:00Z",
                "c4,twitter,44,h,ACTIVITY,MAYBE,2026-03-01T10:00:00Z",
                ",twitter,45,h,ACTIVITY,GRANTED,2026-03-01T10:00:00Z",
                "c6,twitter,46,h,ACTIVITY,GRANTED,not-a-time"));
        List<FileItem<ConsentRecord>> items = new ArrayList<>();
        ConsentCsv.read(file, items::add);
        assertEquals(6, items.size());
        ConsentRecord c1 = items.get(0).value();
        assertEquals("twitter", c1.getPlatform());
        assertEquals(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE), c1.getScopes());
        assertEquals(ConsentStatus.GRANTED, c1.getStatus());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), c1.getRecordedAt());
        assertEquals(ConsentStatus.REVOKED, items.get(1).value().getStatus());
        assertEquals(null, items.get(1).value().getHandle());
        assertEquals("consents.csv:4", items.get(2).location());
        assertTrue(items.get(2).error().contains("scope 'TELEPATHY'"), items.get(2).error());
        assertTrue(items.get(3).error().contains("status must be GRANTED or REVOKED"), items.get(3).error());
        assertEquals("customer_id is empty", items.get(4).error());
        assertTrue(items.get(5).error().contains("recorded_at"), items.get(5).error());
    }

    @Test
    void aWrongHeaderIsReportedOnce(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consents.csv");
        Files.writeString(file, "customer,platform\nc1,twitter\n");
        List<FileItem<ConsentRecord>> items = new ArrayList<>();
        ConsentCsv.read(file, items::add);
        assertEquals(1, items.size());
        assertTrue(items.get(0).error().startsWith("header must be customer_id,platform,platform_user_id"), items.get(0).error());
    }

    @Test
    void profilesReadSnapshotsAndTwitterUserObjects(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("profiles.jsonl");
        Files.writeString(file, "{\"platform\": \"twitter\", \"platformUserId\": \"1\", \"followers\": 10, \"following\": 2, "
                + "\"posts\": 3, \"fetchedAt\": \"2026-01-01T00:00:00Z\"}\n"
                + Files.readString(Path.of("src/test/resources/fixtures/twitter-v1/user.json")).replace("\n", " ") + "\n");
        List<FileItem<ProfileSnapshot>> items = new ArrayList<>();
        ProfileFiles.read(file, items::add);
        assertEquals(2, items.size());
        assertEquals(10, items.get(0).value().getFollowers());
        ProfileSnapshot twitterUser = items.get(1).value();
        assertEquals("6358482", twitterUser.getPlatformUserId());
        assertTrue(twitterUser.getPosts() > 0);
    }
}
