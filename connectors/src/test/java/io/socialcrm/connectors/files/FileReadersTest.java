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
                "{\"eventId\": \"1\", \"platform\": \"Twitter\", \"actorId\": 7, \"type\": \"post\", "
                        + "\"occurredAt\": 1341100800000, \"hashtags\": [\"#Higgs\"]}",
                "",
                "{\"eventId\": \"2\", \"platform\": \"twitter\", \"actorId\": \"7\", \"type\": \"REPLY\", "
                        + "\"targetUserId\": \"8\", \"occurredAt\": \"2012-07-01T00:00:01Z\"}",
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

    private static final String POST = "{\"eventId\": \"%d\", \"platform\": \"twitter\", \"actorId\": \"7\", \"type\": \"POST\", \"occurredAt\": 1}";

    @Test
    void aGzippedFileReadsLikeThePlainOneWhateverItsName(@TempDir Path dir) throws IOException {
        String text = String.format(POST, 1) + "\n" + String.format(POST, 2) + "\n";
        Path plain = dir.resolve("a.jsonl");
        Files.writeString(plain, text);
        Path gzipped = dir.resolve("a.jsonl.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gzipped))) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path misnamed = dir.resolve("export.json");
        Files.copy(gzipped, misnamed);
        for (Path file : List.of(gzipped, misnamed)) {
            List<FileItem<Mapped>> items = new ArrayList<>();
            ActivityFiles.read(file, ActivityFormat.detect(file), items::add);
            assertEquals(2, items.size(), file.toString());
            assertTrue(items.stream().allMatch(FileItem::ok), items.toString());
            assertEquals("2", items.get(1).value().activities().get(0).getEventId());
        }
    }

    @Test
    void aBinaryFileIsOneBadItemNamingTheByteAndNothingElse(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("picture.jsonl");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        List<FileItem<Mapped>> items = new ArrayList<>();
        ActivityFiles.read(png, ActivityFormat.ACTIVITY_JSON, items::add);
        assertEquals(1, items.size(), items.toString());
        assertEquals("picture.jsonl:1", items.get(0).location());
        assertTrue(items.get(0).error().startsWith("not UTF-8 text at byte offset 0"), items.get(0).error());
        assertTrue(items.get(0).error().endsWith("the file is skipped"), items.get(0).error());
    }

    @Test
    void aBadByteMidFileKeepsTheLinesBeforeItAndSaysWhere(@TempDir Path dir) throws IOException {
        byte[] good = (String.format(POST, 1) + "\n" + String.format(POST, 2) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] latin1 = "{\"eventId\": \"3\", \"text\": \"caf\u00e9\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path file = dir.resolve("mixed.jsonl");
        Files.write(file, concat(good, latin1, String.format(POST, 4).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        List<FileItem<Mapped>> items = new ArrayList<>();
        ActivityFiles.read(file, ActivityFormat.ACTIVITY_JSON, items::add);
        assertEquals(3, items.size(), items.toString());
        assertTrue(items.get(0).ok() && items.get(1).ok());
        assertEquals("mixed.jsonl:3", items.get(2).location());
        long offset = good.length + "{\"eventId\": \"3\", \"text\": \"caf".length();
        assertTrue(items.get(2).error().startsWith("not UTF-8 text at byte offset " + offset), items.get(2).error());
        assertTrue(items.get(2).error().endsWith("the rest of the file is skipped"), items.get(2).error());
    }

    @Test
    void consentsInAnotherEncodingAreNamedNotAStackTrace(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consents.csv");
        Files.write(file, ("customer_id,platform,platform_user_id,handle,scopes,status,recorded_at\n"
                + "c1,twitter,1,Jos\u00e9,ACTIVITY,GRANTED,2026-01-01T00:00:00Z\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        List<FileItem<ConsentRecord>> items = new ArrayList<>();
        ConsentCsv.read(file, items::add);
        assertEquals(1, items.size(), items.toString());
        assertTrue(items.get(0).error().startsWith("not UTF-8 text at byte offset"), items.get(0).error());
    }

    private static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
