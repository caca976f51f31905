package io.socialcrm.connectors.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.files.ServerSentEvents;
import io.socialcrm.connectors.testing.Cassettes;
import io.socialcrm.serde.PlainJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Mastodon mapping against recorded API output: the user stream's server-sent events, statuses
 * that reply, quote, boost and tag, a remote (bridged) account from mastodon.social, notifications,
 * and a 2017 hashtag timeline from a dozen servers.
 */
class MastodonMapperTest {
    private static final String STREAM = "mastodonpy-test_stream_user_direct.yaml";
    private final MastodonMapper mapper = new MastodonMapper("test", "brand@localhost");

    static List<ObjectNode> events(String body) {
        ServerSentEvents sse = new ServerSentEvents();
        List<ObjectNode> events = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            ObjectNode e = sse.line(line);
            if (e != null) {
                events.add(e);
            }
        }
        return events;
    }

    @Test
    void theUserStreamsEventsBecomeActivitiesOrNotices() throws Exception {
        List<ObjectNode> events = events(Cassettes.first(STREAM, "GET", "/streaming/user").body());
        assertEquals(List.of("update", "notification", "update", "notification", "status.update", "delete"),
                events.stream().map(e -> e.path("event").asText()).toList());
        List<String> outcome = new ArrayList<>();
        List<SocialActivity> activities = new ArrayList<>();
        for (ObjectNode e : events) {
            Mapped m = mapper.map(e);
            outcome.add(m.isNotice() ? m.notice() : m.activities().get(0).getType().name());
            activities.addAll(m.activities());
        }
        assertEquals(List.of("POST", "POST", "private", "private", "POST", "delete"), outcome,
                "direct statuses (and their mention notifications) are not public: dropped");
        assertEquals("mastodonpy_test@localhost", activities.get(0).getActorId(), "a local account takes its server's host");
        assertEquals(List.of("mastodonpy_test@localhost"), activities.get(1).getMentionedUserIds());
        assertEquals(activities.get(0).getEventId(), activities.get(2).getEventId(), "an edit is the same event (its uri)");
        assertEquals("only real cars respond.", activities.get(0).getText(), "the HTML content as text");
    }

    @Test
    void aReplyThatQuotesIsAQuoteOfTheQuotedAccount() throws Exception {
        List<Cassettes.Call> posts = Cassettes.read("mastodonpy-test_status_reply_with_quote.yaml").stream()
                .filter(c -> c.method().equals("POST")).toList();
        JsonNode quoting = posts.get(2).json();
        assertTrue(quoting.hasNonNull("in_reply_to_id") && quoting.path("quote").isObject(), "the recording is a reply and a quote");
        SocialActivity a = mapper.map(quoting).activities().get(0);
        assertEquals(ActivityType.QUOTE, a.getType());
        assertEquals(quoting.path("quote").path("quoted_status").path("uri").asText(), a.getTargetPostId());
        assertEquals(List.of(), a.getLinkDomains(), "the quote's fallback link is not a link domain");
    }

    @Test
    void aBoostIsOneShareWhetherSeenAsAStatusOrAsANotification() throws Exception {
        JsonNode wrapper = Cassettes.first("mastodonpy-test_status_reblog_unreblog.yaml", "POST", "/reblog").json();
        SocialActivity share = mapper.map(wrapper).activities().get(0);
        assertEquals(ActivityType.SHARE, share.getType());
        assertEquals(wrapper.path("reblog").path("uri").asText(), share.getTargetPostId());
        ObjectNode notification = PlainJson.MAPPER.createObjectNode().put("id", "9").put("type", "reblog")
                .put("created_at", wrapper.path("created_at").asText());
        notification.set("account", wrapper.path("account"));
        notification.set("status", wrapper.path("reblog"));
        assertEquals(share.getEventId(), mapper.map(notification).activities().get(0).getEventId());
    }

    @Test
    void favouritesAndFollowsFromNotifications() throws Exception {
        List<Cassettes.Call> calls = Cassettes.read("mastodonpy-341b540-test_notifications_types.yaml");
        JsonNode list = calls.stream().filter(c -> c.uri().contains("types%5B%5D=follow&")).findFirst().orElseThrow().json();
        JsonNode mention = list.get(0);
        JsonNode follow = list.get(1);
        assertEquals("follow", follow.path("type").asText());
        SocialActivity followed = mapper.map(follow).activities().get(0);
        assertEquals(ActivityType.FOLLOW, followed.getType());
        assertEquals("brand@localhost", followed.getTargetUserId(), "the token's own account is followed");
        MappingException unknown = assertThrows(MappingException.class, () -> new MastodonMapper("t", null).map(follow));
        assertTrue(unknown.getMessage().startsWith("follow notification: the followed account is not known"));
        SocialActivity mentioned = mapper.map(mention).activities().get(0);
        assertEquals(mention.path("status").path("uri").asText(), mentioned.getEventId(), "a mention is its status");

        JsonNode status = Cassettes.first("mastodonpy-test_grouped_notifications.yaml", "POST", "/favourite").json();
        JsonNode fan = Cassettes.first("mastodonpy-test_grouped_notifications.yaml", "GET", "/accounts").json().get(0);
        ObjectNode favourite = PlainJson.MAPPER.createObjectNode().put("id", "30").put("type", "favourite")
                .put("created_at", "2026-08-01T13:52:22.000Z");
        favourite.set("account", fan);
        favourite.set("status", status);
        SocialActivity like = mapper.map(favourite).activities().get(0);
        assertEquals(ActivityType.LIKE, like.getType());
        assertEquals(fan.path("acct").asText() + "@localhost", like.getActorId());
        assertEquals(status.path("uri").asText(), like.getTargetPostId());
        assertEquals("like:" + like.getActorId() + ":" + status.path("uri").asText(), like.getEventId());
    }

    @Test
    void remoteAccountsAndOldServers() throws Exception {
        SocialActivity bridged = mapper.map(Cassettes.first("mastodonpy-test_entity_quote.yaml", "GET", "/statuses/").json())
                .activities().get(0);
        assertEquals("h4lcy.bsky.social@bsky.brid.gy", bridged.getActorId(), "a remote acct names its server");
        assertEquals(ActivityType.QUOTE, bridged.getType());
        SocialActivity tagged = mapper.map(Cassettes.first("mastodonpy-test_hashtag_tl.yaml", "GET", "/timelines/tag/").json().get(0))
                .activities().get(0);
        assertEquals(List.of("hoot"), tagged.getHashtags());

        JsonNode timeline = PlainJson.MAPPER.readTree(Cassettes.MASTODON.resolve("bigbone-tag_timeline.json").toFile());
        int replies = 0;
        int mentioning = 0;
        for (JsonNode status : timeline) {
            SocialActivity a = mapper.map(status).activities().get(0);
            assertTrue(a.getActorId().matches("[^@]+@[a-z0-9.-]+"), a.getActorId());
            assertTrue(!a.getHashtags().isEmpty(), "every status of a tag timeline has tags");
            replies += a.getType() == ActivityType.REPLY ? 1 : 0;
            mentioning += a.getMentionedUserIds().isEmpty() && a.getTargetUserId() == null ? 0 : 1;
        }
        assertEquals(8, replies, "the 2017 recording's replies");
        assertTrue(mentioning >= 8, "mentions and replied-to accounts: " + mentioning);
    }

    @Test
    void malformedInputIsRefusedWithTheReason() {
        assertEquals("account has no acct", assertThrows(MappingException.class,
                () -> mapper.map("{\"uri\":\"u\",\"account\":{},\"content\":\"\",\"created_at\":\"2026-01-01T00:00:00Z\"}")).getMessage());
        assertEquals("update event payload is not JSON: Unrecognized token 'nope': was expecting (JSON String, Number, Array, Object "
                + "or token 'null', 'true' or 'false')", assertThrows(MappingException.class,
                        () -> mapper.map("{\"event\":\"update\",\"payload\":\"nope\"}")).getMessage());
        assertTrue(assertThrows(MappingException.class, () -> mapper.map("{\"notification_groups\":[]}")).getMessage()
                .startsWith("grouped notifications (API v2) are not read"));
    }
}
