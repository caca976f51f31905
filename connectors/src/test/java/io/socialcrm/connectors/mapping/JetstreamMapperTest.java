package io.socialcrm.connectors.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.serde.PlainJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Jetstream mapping against real recordings: a contiguous window of production Jetstream (every
 * kind of event it carried), the hand-picked golden events, and the atproto.com account's posts with
 * quotes and mention facets (wrapped in Jetstream's envelope, as Jetstream sends such records).
 */
class JetstreamMapperTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/bluesky-jetstream");
    private final JetstreamMapper mapper = new JetstreamMapper("test");

    static List<String> lines(String file) throws Exception {
        return Files.readAllLines(FIXTURES.resolve(file)).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void everyEventOfTheRecordedWindowIsAnActivityOrANotice() throws Exception {
        Map<String, Integer> byType = new TreeMap<>();
        Map<String, Integer> notices = new TreeMap<>();
        int replies = 0;
        int tagged = 0;
        for (String line : lines("jetstream-corpus-expected_v1.jsonl")) {
            JsonNode raw = PlainJson.MAPPER.readTree(line);
            Mapped mapped = mapper.map(line);
            if (mapped.isNotice()) {
                notices.merge(mapped.notice(), 1, Integer::sum);
                continue;
            }
            SocialActivity a = mapped.activities().get(0);
            byType.merge(a.getType().name(), 1, Integer::sum);
            JsonNode commit = raw.path("commit");
            assertEquals("bluesky", a.getPlatform());
            assertEquals(raw.path("did").asText(), a.getActorId(), "the DID is the user id");
            assertEquals("at://" + raw.path("did").asText() + "/" + commit.path("collection").asText() + "/" + commit.path("rkey").asText(),
                    a.getEventId(), "the record's at-URI is the event id");
            assertEquals(Instant.ofEpochMilli(raw.path("time_us").asLong() / 1000), a.getOccurredAt(), "time_us is the event time");
            JsonNode record = commit.path("record");
            switch (a.getType()) {
                case LIKE, SHARE -> {
                    assertEquals(record.path("subject").path("uri").asText(), a.getTargetPostId());
                    assertTrue(record.path("subject").path("uri").asText().startsWith("at://" + a.getTargetUserId() + "/"));
                }
                case FOLLOW -> assertEquals(record.path("subject").asText(), a.getTargetUserId());
                case REPLY -> {
                    replies++;
                    assertEquals(record.path("reply").path("parent").path("uri").asText(), a.getTargetPostId());
                }
                case POST -> assertNull(a.getTargetUserId());
                default -> throw new AssertionError("unexpected " + a.getType());
            }
            if (a.getType() == ActivityType.POST || a.getType() == ActivityType.REPLY) {
                String text = record.path("text").asText();
                assertEquals(text.isEmpty() ? null : text, a.getText(), "an image-only post has no text");
                if (!a.getHashtags().isEmpty()) {
                    tagged++;
                    assertTrue(line.contains("facet#tag"));
                }
            }
        }
        // counts as the recording's manifest gives them
        assertEquals(Map.of("FOLLOW", 6, "LIKE", 105, "POST", 9, "REPLY", 8, "SHARE", 15), byType);
        assertEquals(8, replies);
        assertEquals(2, tagged, "the two posts with #tag facets");
        assertEquals(Map.of("account", 1, "collection", 1, "delete", 4, "identity", 1, "update", 2), notices,
                "deletes (3 follows, 1 post), the block, two updates and the identity and account events carry nothing");
    }

    @Test
    void goldenEventsMapOneToOne() throws Exception {
        List<ActivityType> types = new ArrayList<>();
        for (String line : lines("jetstream-subscribe-golden_v1.jsonl")) {
            Mapped mapped = mapper.map(line);
            mapped.activities().forEach(a -> types.add(a.getType()));
        }
        assertEquals(List.of(ActivityType.LIKE, ActivityType.REPLY, ActivityType.SHARE, ActivityType.FOLLOW), types);
    }

    @Test
    void quotesMentionsAndLinksOfRealPosts() throws Exception {
        JsonNode capture = PlainJson.MAPPER.readTree(FIXTURES.resolve("indigo-capture_atprotocom.json").toFile());
        int quotes = 0;
        int withMentions = 0;
        int withLinks = 0;
        long time = 1_700_000_000_000_000L;
        for (JsonNode post : capture.path("postRecords")) {
            String uri = post.path("uri").asText();
            String[] parts = uri.substring("at://".length()).split("/");
            ObjectNode event = PlainJson.MAPPER.createObjectNode().put("did", parts[0]).put("time_us", time++).put("kind", "commit");
            event.putObject("commit").put("operation", "create").put("collection", parts[1]).put("rkey", parts[2])
                    .set("record", post.path("value"));
            SocialActivity a = mapper.map(event).activities().get(0);
            assertEquals(uri, a.getEventId());
            JsonNode embed = post.path("value").path("embed");
            if ("app.bsky.embed.record".equals(embed.path("$type").asText())) {
                quotes++;
                assertEquals(ActivityType.QUOTE, a.getType(), "a post embedding a post quotes it, reply or not");
                assertEquals(embed.path("record").path("uri").asText(), a.getTargetPostId());
            }
            String facets = post.path("value").path("facets").toString();
            if (facets.contains("facet#mention")) {
                withMentions++;
                assertTrue(!a.getMentionedUserIds().isEmpty() && a.getMentionedUserIds().stream().allMatch(d -> d.startsWith("did:")),
                        "mention facets name DIDs: " + a.getMentionedUserIds());
            }
            if (facets.contains("facet#link") || embed.has("external")) {
                withLinks++;
                assertTrue(!a.getLinkDomains().isEmpty(), "link facets and external embeds give domains: " + uri);
            }
        }
        assertEquals(4, quotes);
        assertEquals(4, withMentions);
        assertTrue(withLinks >= 10, "links: " + withLinks);
    }

    @Test
    void quoteInsideRecordWithMediaAndTagsWithoutFacets() throws Exception {
        String line = "{\"did\":\"did:plc:aaa\",\"time_us\":1700000000000000,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\","
                + "\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k1\",\"record\":{\"text\":\"look\",\"tags\":[\"launch\"],"
                + "\"embed\":{\"$type\":\"app.bsky.embed.recordWithMedia\",\"record\":{\"record\":{\"uri\":"
                + "\"at://did:plc:bbb/app.bsky.feed.post/p1\"}},\"media\":{\"$type\":\"app.bsky.embed.images\"}},"
                + "\"facets\":[{\"features\":[{\"$type\":\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:bbb\"},"
                + "{\"$type\":\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:ccc\"}]}]}}}";
        SocialActivity a = mapper.map(line).activities().get(0);
        assertEquals(ActivityType.QUOTE, a.getType());
        assertEquals("did:plc:bbb", a.getTargetUserId());
        assertEquals(List.of("did:plc:ccc"), a.getMentionedUserIds(), "the target is not a mention too");
        assertEquals(List.of("launch"), a.getHashtags());
    }

    @Test
    void malformedEventsAreRefusedWithTheReason() {
        assertEquals("event has no did", assertThrows(MappingException.class, () -> mapper.map("{\"time_us\":1}")).getMessage());
        assertEquals("event has no time_us", assertThrows(MappingException.class,
                () -> mapper.map("{\"did\":\"did:plc:a\",\"kind\":\"commit\"}")).getMessage());
        assertEquals("like has no subject at-URI", assertThrows(MappingException.class, () -> mapper.map(
                "{\"did\":\"did:plc:a\",\"time_us\":5,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\","
                        + "\"collection\":\"app.bsky.feed.like\",\"rkey\":\"r\",\"record\":{}}}")).getMessage());
        assertThrows(MappingException.class, () -> mapper.map("not json"));
    }
}
