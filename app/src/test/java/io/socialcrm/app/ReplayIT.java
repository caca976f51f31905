package io.socialcrm.app;

import static io.socialcrm.testing.Sql.number;
import static io.socialcrm.testing.Sql.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.connectors.testing.Cassettes;
import io.socialcrm.serde.PlainJson;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code socialcrm replay} on real recorded data, end to end on the embedded stack. */
class ReplayIT {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    /** Latest value of each key in a replay output file. */
    static Map<String, JsonNode> byKey(Path file) throws IOException {
        Map<String, JsonNode> latest = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode record = PlainJson.MAPPER.readTree(line);
            if (record.get("value") == null || record.get("value").isNull()) {
                latest.remove(record.get("key").asText());
            } else {
                latest.put(record.get("key").asText(), record.get("value"));
            }
        }
        return latest;
    }

    /**
     * The Twitter4J project's recorded v1.1 payloads, through the real schema registry (Apicurio).
     * Expected values worked out by hand from the files (decay off, so counts are exact):
     * 6358482 posted 6 statuses in the home timeline and retweeted 4933401's status 6010814202 once;
     * 4933401 posted one status; 20159829 and 92180489 were each replied to once in the public
     * timeline; 23456789 followed 12345678 in the user stream; statuses_retweet_2245071380.json has
     * neither id nor created_at; 37735152 (9 statuses) and 23456789 never consented.
     */
    @Test
    void twitterFixturesGiveTheCreditsWorkedOutByHand(@TempDir Path dir) throws Exception {
        Path consents = dir.resolve("consents.csv");
        Files.writeString(consents, String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "yusuke,twitter,4933401,yusukey,ACTIVITY|CONTENT|PROFILE,GRANTED,2009-01-01T00:00:00Z",
                "t4j,twitter,6358482,t4j_news,ACTIVITY|CONTENT|PROFILE|MESSAGING,GRANTED,2009-01-01T00:00:00Z",
                "shock,twitter,20159829,G_Shock22,ACTIVITY,GRANTED,2009-01-01T00:00:00Z",
                "other,twitter,92180489,someone,ACTIVITY,GRANTED,2009-01-01T00:00:00Z",
                "followed,twitter,12345678,target,ACTIVITY,GRANTED,2009-01-01T00:00:00Z",
                "broken,twitter,,x,ACTIVITY,GRANTED,2009-01-01T00:00:00Z") + "\n");
        Path tw = FIXTURES.resolve("twitter-v1");
        Path out = dir.resolve("out");
        // after the activities: 'other' asks to be erased (and an unknown id too); 'shock' turns out to be yusuke
        Path erasures = Files.writeString(dir.resolve("erasures.txt"), "other\nnobody\n");
        Path merges = Files.writeString(dir.resolve("merges.csv"), "survivor_id,merged_id\nyusuke,shock\n");
        // platform exports arrive gzipped: one of the fixtures goes in compressed; and a binary file by mistake
        Path home = dir.resolve("statuses_home_timeline.json.gz");
        try (var gzip = new java.util.zip.GZIPOutputStream(Files.newOutputStream(home))) {
            gzip.write(Files.readAllBytes(tw.resolve("statuses_home_timeline.json")));
        }
        Path picture = Files.write(dir.resolve("picture.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        // the results go into PostgreSQL too (replay --jdbc-url): a real one, started here
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres").replace("?user=postgres", "");
        MainTest.Outcome outcome = MainTest.run("replay",
                "--jdbc-url", jdbcUrl, "--jdbc-user", "postgres", "--jdbc-password", "postgres",
                "--activities", tw.resolve("statuses_public_timeline.json").toString(), picture.toString(),
                home.toString(), tw.resolve("statuses_retweet_6010814202.json").toString(),
                tw.resolve("statuses_retweet_2245071380.json").toString(), tw.resolve("streamingapi-testcase.json").toString(),
                tw.resolve("streamingapi-event-testcase.json").toString(),
                "--format", "twitter-v1", "--consents", consents.toString(), "--out", out.toString(),
                "--erasures", erasures.toString(), "--merges", merges.toString(), "-D", "influence.halflife=off",
                "--access-requests", Files.writeString(dir.resolve("access.txt"), "t4j\nother\nshock\n").toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("consents.csv:7: platform_user_id is empty"), outcome.out());
        assertTrue(outcome.out().contains("statuses_retweet_2245071380.json:1: status has no id"), outcome.out());
        assertTrue(outcome.out().contains("picture.png:1: not UTF-8 text at byte offset 0"), outcome.out());

        Map<String, JsonNode> profiles = byKey(out.resolve("customer-profiles.jsonl"));
        assertEquals(new TreeSet<>(List.of("yusuke", "t4j", "followed")), new TreeSet<>(profiles.keySet()),
                "'other' erased, 'shock' merged into yusuke");
        JsonNode t4j = profiles.get("t4j");
        assertEquals(7.0, t4j.get("activityLevel").asDouble(), 0.0, "6 statuses and 1 retweet");
        assertEquals(17, t4j.get("influence").get("followers").asLong(), "from the embedded user objects (PROFILE scope)");
        assertTrue(t4j.get("contactable").asBoolean());
        JsonNode yusuke = profiles.get("yusuke");
        assertEquals(1.0, yusuke.get("influence").get("sharesReceived").asDouble(), 0.0, "retweeted once by 6358482");
        assertEquals(1.0, yusuke.get("influence").get("repliesReceived").asDouble(), 0.0, "the reply to shock's account, merged in");
        assertEquals(2.0, yusuke.get("influence").get("distinctEngagers").asDouble(), 0.0, "one engager on each account");
        assertEquals(1.0, yusuke.get("activityLevel").asDouble(), 0.0);
        assertEquals(2, yusuke.get("accounts").size());
        Map<String, JsonNode> receipts = byKey(out.resolve("erasure-receipts.jsonl"));
        assertEquals(new TreeSet<>(List.of("other", "nobody")), new TreeSet<>(receipts.keySet()));
        assertTrue(receipts.get("other").get("heldData").asBoolean());
        assertEquals(1, receipts.get("other").get("accountsRemoved").asInt());
        assertFalse(receipts.get("nobody").get("heldData").asBoolean(), "nothing held about an unknown id");
        assertTrue(byKey(out.resolve("segment-members.jsonl")).keySet().stream()
                .noneMatch(k -> k.endsWith("/other") || k.endsWith("/shock")), "no membership left for the erased or merged id");
        assertEquals(1.0, profiles.get("followed").get("influence").get("followsReceived").asDouble(), 0.0);
        // access requests, answered after everything else: t4j's report holds its account and nothing of anyone else
        Map<String, JsonNode> reports = byKey(out.resolve("access-reports.jsonl"));
        assertEquals(new TreeSet<>(List.of("t4j", "other", "shock")), new TreeSet<>(reports.keySet()));
        assertTrue(reports.get("t4j").get("held").asBoolean());
        JsonNode report = PlainJson.MAPPER.readTree(reports.get("t4j").get("report").asText());
        assertEquals("6358482", report.path("accounts").get(0).path("platformUserId").asText());
        assertEquals(7.0, report.path("accounts").get(0).path("received").path("ownActivity").asDouble(), 0.0, "6 statuses and 1 retweet");
        assertEquals("t4j", report.path("profile").path("customerId").asText());
        Map<String, List<String>> history = new TreeMap<>();
        for (String topic : List.of("segment-changes", "segment-shadow-changes")) {
            List<String> mine = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(out.resolve(topic + ".jsonl"))) {
                JsonNode change = PlainJson.MAPPER.readTree(line).path("value");
                if (change.path("customerId").asText().equals("t4j")) {
                    mine.add(change.path("segmentId").asText() + " " + change.path("change").asText() + " " + change.path("at").asText());
                }
            }
            history.put(topic, mine);
        }
        List<String> reported = new java.util.ArrayList<>();
        report.path("segmentHistory").path("live").forEach(c -> reported.add(c.path("segmentId").asText() + " "
                + c.path("change").asText() + " " + c.path("at").asText()));
        assertTrue(!reported.isEmpty(), "t4j's segment history is in its report: " + report.path("segmentHistory"));
        assertEquals(history.get("segment-changes"), reported, "every entry and exit of t4j on segment-changes, in order");
        assertEquals(history.get("segment-shadow-changes").size(), report.path("segmentHistory").path("shadow").size());
        for (String other : List.of("yusuke", "20159829", "92180489", "12345678", "followed")) {
            assertFalse(reports.get("t4j").get("report").asText().contains(other), "nothing of " + other + " in t4j's report");
        }
        assertFalse(reports.get("other").get("held").asBoolean(), "erased before it asked: nothing held");
        assertEquals("yusuke", PlainJson.MAPPER.readTree(reports.get("shock").get("report").asText()).path("mergedInto").asText());

        // cross-platform take-up, every partition's latest count added up: yusuke (two twitter accounts), t4j, followed
        long takeUp = 0;
        long onOnePlatform = 0;
        for (JsonNode partition : byKey(out.resolve("consent-take-up.jsonl")).values()) {
            takeUp += partition.get("customers").asLong();
            onOnePlatform += partition.get("byPlatformCount").path("1").asLong();
            assertEquals(0, partition.get("pairs").size(), "everyone here is on twitter alone");
        }
        assertEquals(3, takeUp, "the customers with a consent in force after the erasure and the merge");
        assertEquals(3, onOnePlatform);

        long seen = 0;
        long accepted = 0;
        Map<String, JsonNode> windows = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("social-metrics.jsonl"))) {
            JsonNode v = PlainJson.MAPPER.readTree(line).get("value");
            windows.put(v.get("platform").asText() + v.get("windowStart").asText(), v);
        }
        for (JsonNode w : windows.values()) {
            seen += w.get("activitiesSeen").asLong();
            accepted += w.get("activitiesAccepted").asLong();
        }
        assertEquals(41, seen, "20 + 16 + 1 + 3 statuses and 1 follow; the refused retweet is not one");
        assertEquals(8, accepted, "7 by 6358482 and 1 by 4933401");
        assertEquals(0, Files.readAllLines(out.resolve("dead-letters.jsonl")).size());

        for (String file : List.of("customer-profiles.jsonl", "segment-changes.jsonl", "segment-members.jsonl",
                "social-metrics.jsonl")) {
            String text = Files.readString(out.resolve(file));
            assertFalse(text.contains("23456789"), "the unconsented follower is in " + file);
            assertFalse(text.contains("37735152"), "the unconsented poster is in " + file);
        }

        // the same results as tables (docs/bi.md), the erased and the merged id nowhere
        try (postgres) {
            DataSource db = postgres.getPostgresDatabase();
            assertTrue(outcome.out().contains("loaded in"), outcome.out());
            assertEquals(profiles.keySet(), strings(db, "SELECT customer_id FROM customers"), "one row per live profile");
            assertEquals(7.0, number(db, "SELECT activity_level FROM customers WHERE customer_id = 't4j'"), 0.0);
            assertEquals(17.0, number(db, "SELECT influence_followers FROM customers WHERE customer_id = 't4j'"), 0.0);
            assertEquals(2.0, number(db, "SELECT jsonb_array_length(accounts) FROM customers WHERE customer_id = 'yusuke'"), 0.0);
            assertEquals(byKey(out.resolve("segment-members.jsonl")).keySet(),
                    strings(db, "SELECT segment_id || '/' || customer_id FROM segment_members"));
            assertEquals(windows.size(), (long) number(db, "SELECT count(*) FROM social_metrics"), "one row per platform and hour");
            assertEquals(41.0, number(db, "SELECT sum(activities_seen) FROM social_metrics"), 0.0);
            assertEquals(8.0, number(db, "SELECT sum(activities_accepted) FROM social_metrics"), 0.0);
            assertEquals(2.0, number(db, "SELECT count(*) FROM erasure_receipts WHERE customer_id IS NULL "
                    + "AND warehouse_cleared_at IS NOT NULL"), 0.0, "both receipts, naming no one");
            for (String table : List.of("customers", "segment_members", "segment_changes")) {
                assertEquals(0.0, number(db, "SELECT count(*) FROM " + table + " WHERE customer_id IN ('other', 'shock')"), 0.0,
                        table + " names the erased or the merged id");
            }
            assertTrue(number(db, "SELECT count(*) FROM segment_changes") > 0);
        }
    }

    /**
     * The live platforms' recordings through {@code replay}: Mastodon's user stream as recorded
     * (server-sent events) with two consented test accounts, a generated Jetstream recording with two
     * consented DIDs, and the recorded production Jetstream window, whose third parties never
     * consented: nothing about them may be kept. Decay off, so counts are exact: admin's public post
     * mentions mastodonpy_test (a mention received); mastodonpy_test's post and its edit are one
     * activity; the direct statuses are dropped; bob likes, reposts and replies to alice's post and an
     * unconsented DID follows her.
     */
    @Test
    void blueskyAndMastodonRecordingsGiveCreditsToConsentedTargets(@TempDir Path dir) throws Exception {
        Path stream = Files.writeString(dir.resolve("user-stream.txt"), Cassettes.first(
                "mastodonpy-test_stream_user_direct.yaml", "GET", "/streaming/user").body());
        String post = "{\"did\":\"did:plc:alice\",\"time_us\":1764000000000000,\"kind\":\"commit\",\"commit\":{\"operation\":"
                + "\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"p1\",\"record\":{\"text\":\"launch day\"}}}";
        String uri = "at://did:plc:alice/app.bsky.feed.post/p1";
        Path bluesky = Files.writeString(dir.resolve("generated.jsonl"), String.join("\n", post,
                event("did:plc:bob", 1, "app.bsky.feed.like", "l1", "{\"subject\":{\"uri\":\"" + uri + "\"}}"),
                event("did:plc:bob", 2, "app.bsky.feed.repost", "r1", "{\"subject\":{\"uri\":\"" + uri + "\"}}"),
                event("did:plc:bob", 3, "app.bsky.feed.post", "p2", "{\"text\":\"congrats\",\"reply\":{\"parent\":{\"uri\":\""
                        + uri + "\"},\"root\":{\"uri\":\"" + uri + "\"}}}"),
                event("did:plc:stranger", 4, "app.bsky.graph.follow", "f1", "{\"subject\":\"did:plc:alice\"}"),
                event("did:plc:bob", 5, "app.bsky.feed.like", "l1", "{}")) + "\n");
        Path corpus = FIXTURES.resolve("bluesky-jetstream/jetstream-corpus-expected_v1.jsonl");
        Path consents = Files.writeString(dir.resolve("consents.csv"), String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "mtest,mastodon,mastodonpy_test@localhost,mastodonpy_test,ACTIVITY|PROFILE,GRANTED,2020-01-01T00:00:00Z",
                "madmin,mastodon,admin@localhost,admin,ACTIVITY,GRANTED,2020-01-01T00:00:00Z",
                "alice,bluesky,did:plc:alice,alice,ACTIVITY,GRANTED,2020-01-01T00:00:00Z",
                "bob,bluesky,did:plc:bob,bob,ACTIVITY,GRANTED,2020-01-01T00:00:00Z") + "\n");
        Path out = dir.resolve("out");
        MainTest.Outcome outcome = MainTest.run("replay", stream.toString(), bluesky.toString(), corpus.toString(),
                "--consents", consents.toString(), "--out", out.toString(), "-D", "influence.halflife=off");
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("(mastodon)") && outcome.out().contains("(jetstream)"), "formats recognised: " + outcome.out());
        Map<String, JsonNode> profiles = byKey(out.resolve("customer-profiles.jsonl"));
        assertEquals(new TreeSet<>(List.of("mtest", "madmin", "alice", "bob")), new TreeSet<>(profiles.keySet()));
        assertEquals(1.0, profiles.get("mtest").get("influence").get("mentionsReceived").asDouble(), 0.0, "admin mentioned it");
        assertEquals(1.0, profiles.get("mtest").get("activityLevel").asDouble(), 0.0, "a post and its edit are one activity");
        assertEquals(1.0, profiles.get("madmin").get("activityLevel").asDouble(), 0.0, "its direct status is not counted");
        JsonNode alice = profiles.get("alice").get("influence");
        assertEquals(1.0, alice.get("likesReceived").asDouble(), 0.0);
        assertEquals(1.0, alice.get("sharesReceived").asDouble(), 0.0);
        assertEquals(1.0, alice.get("repliesReceived").asDouble(), 0.0);
        assertEquals(1.0, alice.get("followsReceived").asDouble(), 0.0, "followed by an account without consent");
        assertEquals(3.0, profiles.get("bob").get("activityLevel").asDouble(), 0.0, "like, repost and reply; the delete is nothing");
        Set<String> strangers = new TreeSet<>();
        for (String line : Files.readAllLines(corpus)) {
            strangers.add(PlainJson.MAPPER.readTree(line).path("did").asText());
        }
        for (String file : List.of("customer-profiles.jsonl", "segment-changes.jsonl", "segment-members.jsonl", "social-metrics.jsonl")) {
            String text = Files.readString(out.resolve(file));
            assertTrue(strangers.stream().noneMatch(text::contains), "a recorded stranger's DID is in " + file);
            assertFalse(text.contains("did:plc:stranger"), file);
        }
    }

    /**
     * A segment with {@code minDwell} on the real stack: alice's activity falls below the threshold
     * on day 12; the segment without a minimum lets her go then, the one with 30 days holds her
     * until her next action past them (day 45), and that exit says it waited.
     */
    @Test
    void aMinimumDwellHoldsAnExitOnTheRealStack(@TempDir Path dir) throws Exception {
        long day = 86_400;
        Path posts = Files.writeString(dir.resolve("posts.jsonl"), String.join("\n",
                event("did:plc:alice", 0, "app.bsky.feed.post", "p1", "{\"text\":\"one\"}"),
                event("did:plc:alice", 60, "app.bsky.feed.post", "p2", "{\"text\":\"two\"}"),
                event("did:plc:alice", 120, "app.bsky.feed.post", "p3", "{\"text\":\"three\"}"),
                event("did:plc:alice", 12 * day, "app.bsky.feed.post", "p4", "{\"text\":\"four\"}"),
                event("did:plc:alice", 45 * day, "app.bsky.feed.post", "p5", "{\"text\":\"five\"}")) + "\n");
        Path consents = Files.writeString(dir.resolve("consents.csv"), String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "alice,bluesky,did:plc:alice,alice,ACTIVITY,GRANTED,2020-01-01T00:00:00Z") + "\n");
        Path segments = Files.writeString(dir.resolve("segments.yaml"), String.join("\n",
                "segments:",
                "  - id: active",
                "    enterWhen: activity.level >= 2.5",
                "  - id: active-for-a-month",
                "    enterWhen: activity.level >= 2.5",
                "    minDwell: 30d") + "\n");
        Path out = replayWithSegments(dir, posts, consents, segments);
        Map<String, List<String>> changes = new TreeMap<>();
        String heldReason = null;
        for (String line : Files.readAllLines(out.resolve("segment-changes.jsonl"))) {
            JsonNode change = PlainJson.MAPPER.readTree(line).get("value");
            String at = java.time.Instant.ofEpochMilli(change.get("at").asLong()).toString();
            changes.computeIfAbsent(change.get("segmentId").asText(), k -> new java.util.ArrayList<>())
                    .add(change.get("change").asText() + "@" + at);
            if (change.get("segmentId").asText().equals("active-for-a-month") && change.get("change").asText().equals("EXITED")) {
                heldReason = change.get("reason").asText();
            }
        }
        String entered = "ENTERED@" + at(120);
        assertEquals(Map.of("active", List.of(entered, "EXITED@" + at(12 * day)),
                "active-for-a-month", List.of(entered, "EXITED@" + at(45 * day))), changes);
        assertTrue(heldReason != null && heldReason.endsWith("; held by minDwell 30d (exit due since " + at(12 * day)
                + ", member since " + at(120) + ")"), heldReason);
    }

    /**
     * A SHADOW rule on the real stack: its would-be changes reach segment-shadow-changes and are the
     * changes the same rule makes when it is live (a twin segment); the live outputs never see it.
     */
    @Test
    void aShadowRuleChangesAsTheSameRuleLiveWithoutTouchingLiveOutputs(@TempDir Path dir) throws Exception {
        long day = 86_400;
        Path posts = Files.writeString(dir.resolve("posts.jsonl"), String.join("\n",
                event("did:plc:alice", 0, "app.bsky.feed.post", "p1", "{\"text\":\"one\"}"),
                event("did:plc:alice", 60, "app.bsky.feed.post", "p2", "{\"text\":\"two\"}"),
                event("did:plc:bob", 90, "app.bsky.feed.post", "b1", "{\"text\":\"hello\"}"),
                event("did:plc:bob", 100, "app.bsky.feed.post", "b1b", "{\"text\":\"hello again\"}"),
                event("did:plc:alice", 120, "app.bsky.feed.post", "p3", "{\"text\":\"three\"}"),
                event("did:plc:alice", 12 * day, "app.bsky.feed.post", "p4", "{\"text\":\"four\"}"),
                event("did:plc:bob", 13 * day, "app.bsky.feed.post", "b2", "{\"text\":\"again\"}"),
                event("did:plc:alice", 45 * day, "app.bsky.feed.post", "p5", "{\"text\":\"five\"}")) + "\n");
        Path consents = Files.writeString(dir.resolve("consents.csv"), String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "alice,bluesky,did:plc:alice,alice,ACTIVITY,GRANTED,2020-01-01T00:00:00Z",
                "bob,bluesky,did:plc:bob,bob,ACTIVITY,GRANTED,2020-01-01T00:00:00Z") + "\n");
        Path segments = Files.writeString(dir.resolve("segments.yaml"), String.join("\n",
                "segments:",
                "  - id: active",
                "    enterWhen: activity.level >= 2.5",
                "  - id: active",
                "    version: 2",
                "    mode: SHADOW",
                "    enterWhen: activity.level >= 1.5",
                "  - id: active-twin",
                "    enterWhen: activity.level >= 1.5") + "\n");
        Path out = replayWithSegments(dir, posts, consents, segments);
        List<String> twin = new java.util.ArrayList<>();
        List<String> live = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("segment-changes.jsonl"))) {
            JsonNode c = PlainJson.MAPPER.readTree(line).get("value");
            (c.get("segmentId").asText().equals("active-twin") ? twin : live).add(change(c));
        }
        List<String> shadow = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("segment-shadow-changes.jsonl"))) {
            JsonNode c = PlainJson.MAPPER.readTree(line).get("value");
            assertEquals("active", c.get("segmentId").asText());
            assertEquals(2, c.get("definitionVersion").asInt());
            shadow.add(change(c));
        }
        assertEquals(3, twin.size(), "alice enters and leaves, bob enters: " + twin);
        twin.sort(null); // customers are on different partitions: compare as sets of changes
        shadow.sort(null);
        assertEquals(twin, shadow, "the shadow changes are the live twin's");
        assertEquals(List.of("alice ENTERED", "alice EXITED"), live.stream().map(c -> c.substring(0, c.indexOf(" at "))).toList(),
                "live: only the v1 rule (bob's two posts never reach 2.5)");
        for (String line : Files.readAllLines(out.resolve("segment-members.jsonl"))) {
            assertFalse(line.contains("shadow"), line);
        }
    }

    /**
     * A merge undone on the real stack: replayed with {@code --merges} and then {@code --unmerges},
     * every customer's profile is the one of a replay with neither (the per-account counters went
     * back), and the segment changes say bob left and came back.
     */
    @Test
    void aMergeUndoneGivesBackWhatAReplayWithoutItHas(@TempDir Path dir) throws Exception {
        Path posts = Files.writeString(dir.resolve("posts.jsonl"), String.join("\n",
                event("did:plc:alice", 0, "app.bsky.feed.post", "p1", "{\"text\":\"one\"}"),
                event("did:plc:bob", 10, "app.bsky.feed.post", "b1", "{\"text\":\"hello\"}"),
                event("did:plc:bob", 20, "app.bsky.feed.like", "l1", "{\"subject\":{\"uri\":\"at://did:plc:alice/app.bsky.feed.post/p1\"}}"),
                event("did:plc:carol", 30, "app.bsky.feed.repost", "r1", "{\"subject\":{\"uri\":\"at://did:plc:bob/app.bsky.feed.post/b1\"}}"))
                + "\n");
        Path consents = Files.writeString(dir.resolve("consents.csv"), String.join("\n",
                "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at",
                "alice,bluesky,did:plc:alice,alice,ACTIVITY,GRANTED,2020-01-01T00:00:00Z",
                "bob,bluesky,did:plc:bob,bob,ACTIVITY,GRANTED,2020-01-01T00:00:00Z") + "\n");
        Path pair = Files.writeString(dir.resolve("pair.csv"), "survivor_id,merged_id\nalice,bob\n");
        Path segments = Files.writeString(dir.resolve("segments.yaml"), "segments:\n  - id: everyone\n    enterWhen: accounts >= 1\n");
        MainTest.Outcome plain = MainTest.run("replay", posts.toString(), "--consents", consents.toString(), "--segments", segments.toString(),
                "--out", dir.resolve("plain").toString(), "-D", "influence.halflife=off");
        assertEquals(0, plain.code(), plain.err());
        MainTest.Outcome undone = MainTest.run("replay", posts.toString(), "--consents", consents.toString(), "--segments", segments.toString(),
                "--merges", pair.toString(),
                "--unmerges", pair.toString(), "--out", dir.resolve("undone").toString(), "-D", "influence.halflife=off");
        assertEquals(0, undone.code(), undone.err());
        Map<String, JsonNode> expected = byKey(dir.resolve("plain/customer-profiles.jsonl"));
        Map<String, JsonNode> actual = byKey(dir.resolve("undone/customer-profiles.jsonl"));
        assertEquals(Set.of("alice", "bob"), actual.keySet());
        for (String customer : expected.keySet()) {
            assertEquals(expected.get(customer).get("influence"), actual.get(customer).get("influence"), customer);
            assertEquals(expected.get(customer).get("accounts"), actual.get(customer).get("accounts"), customer);
            assertEquals(expected.get(customer).get("activityLevel"), actual.get(customer).get("activityLevel"), customer);
        }
        assertEquals(1.0, actual.get("bob").get("influence").get("sharesReceived").asDouble(), 0.0, "carol's repost is bob's again");
        List<String> bobChanges = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("undone/segment-changes.jsonl"))) {
            JsonNode c = PlainJson.MAPPER.readTree(line).get("value");
            if (c.get("customerId").asText().equals("bob") && c.get("segmentId").asText().equals("everyone")) {
                bobChanges.add(c.get("change").asText() + (c.get("reason").asText().contains("merged") ? " (merged)" : ""));
            }
        }
        assertEquals(List.of("ENTERED", "EXITED (merged)", "ENTERED"), bobChanges, "bob left with the merge and came back with the unmerge");
        assertTrue(undone.out().contains("unmerges"), undone.out());
    }

    /** Replays Bluesky posts with the given consents and segments, activity decaying by half in 10 days; returns the output folder. */
    private static Path replayWithSegments(Path dir, Path posts, Path consents, Path segments) {
        Path out = dir.resolve("out");
        MainTest.Outcome outcome = MainTest.run("replay", posts.toString(), "--consents", consents.toString(),
                "--segments", segments.toString(), "--out", out.toString(), "-D", "influence.halflife=10d");
        assertEquals(0, outcome.code(), outcome.err());
        return out;
    }

    private static String change(JsonNode c) {
        return c.get("customerId").asText() + " " + c.get("change").asText() + " at " + c.get("at").asLong() + ": " + c.get("reason").asText();
    }

    private static String at(long seconds) {
        return java.time.Instant.ofEpochMilli(1764000000000L + seconds * 1000).toString();
    }

    private static String event(String did, long micros, String collection, String rkey, String record) {
        return "{\"did\":\"" + did + "\",\"time_us\":" + (1764000000000000L + micros * 1_000_000) + ",\"kind\":\"commit\","
                + "\"commit\":{\"operation\":\"" + (record.equals("{}") ? "delete" : "create") + "\",\"collection\":\""
                + collection + "\",\"rkey\":\"" + rkey + "\"" + (record.equals("{}") ? "" : ",\"record\":" + record) + "}}";
    }

    /**
     * The real Higgs reply network and the first {@value #MENTION_EDGES} edges of the mention network
     * (SNAP), every user consented, decay off: each user's received-mention and received-reply
     * counters equal a direct count of the files, self-loops excluded, exactly, for every user. (The
     * whole mention network, 150,818 edges and 116,408 users, takes {@code socialcrm replay} about
     * 9 minutes on 2 cores: too long for every build.)
     */
    private static final int MENTION_EDGES = 20_000;

    @Test
    void higgsNetworksAreCountedExactlyForEveryUser(@TempDir Path dir) throws IOException {
        Map<String, Long> mentions = new HashMap<>();
        Map<String, Long> replies = new HashMap<>();
        TreeSet<String> users = new TreeSet<>();
        Path activities = dir.resolve("higgs.jsonl");
        long t = 1_341_100_800_000L; // 2012-07-01T00:00:00Z
        long n = 0;
        try (BufferedWriter out = Files.newBufferedWriter(activities, StandardCharsets.UTF_8)) {
            for (String kind : List.of("mention", "reply")) {
                List<String> edges = Files.readAllLines(FIXTURES.resolve("higgs/higgs-" + kind + "_network.edgelist"));
                for (String line : kind.equals("mention") ? edges.subList(0, MENTION_EDGES) : edges) {
                    String[] edge = line.trim().split("\\s+");
                    String from = edge[0];
                    String to = edge[1];
                    int weight = Integer.parseInt(edge[2]);
                    users.add(from);
                    users.add(to);
                    if (!from.equals(to)) {
                        (kind.equals("mention") ? mentions : replies).merge(to, (long) weight, Long::sum);
                    }
                    for (int i = 0; i < weight; i++) {
                        long at = t + (n++ * 2903L) % 604_800_000L;
                        String target = kind.equals("mention")
                                ? "\"type\":\"POST\",\"mentionedUserIds\":[\"" + to + "\"]"
                                : "\"type\":\"REPLY\",\"targetUserId\":\"" + to + "\"";
                        out.write("{\"eventId\":\"" + kind + "-" + from + "-" + to + "-" + i + "\",\"platform\":\"twitter\","
                                + "\"actorId\":\"" + from + "\"," + target + ",\"occurredAt\":" + at + "}\n");
                    }
                }
            }
        }
        Path consents = dir.resolve("consents.csv");
        try (BufferedWriter out = Files.newBufferedWriter(consents, StandardCharsets.UTF_8)) {
            out.write("customer_id,platform,platform_user_id,handle,scopes,status,recorded_at\n");
            for (String user : users) {
                out.write("h" + user + ",twitter," + user + ",,ACTIVITY,GRANTED,2012-06-01T00:00:00Z\n");
            }
        }
        Path out = dir.resolve("out");
        MainTest.Outcome outcome = MainTest.run("replay", "--registry", "mock", "--activities", activities.toString(),
                "--consents", consents.toString(), "--out", out.toString(), "-D", "influence.halflife=off");
        assertEquals(0, outcome.code(), outcome.err());

        Map<String, JsonNode> profiles = byKey(out.resolve("customer-profiles.jsonl"));
        assertEquals(users.size(), profiles.size(), "one profile per consented user");
        int checked = 0;
        for (String user : users) {
            JsonNode influence = profiles.get("h" + user).get("influence");
            assertEquals(mentions.getOrDefault(user, 0L), influence.get("mentionsReceived").asLong(), "mentions of " + user);
            assertEquals(mentions.getOrDefault(user, 0L).doubleValue(), influence.get("mentionsReceived").asDouble(), 0.0);
            assertEquals(replies.getOrDefault(user, 0L).doubleValue(), influence.get("repliesReceived").asDouble(), 0.0,
                    "replies to " + user);
            checked++;
        }
        assertEquals(52_491, checked, "every user of both files");
    }
}
