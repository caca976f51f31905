package io.socialcrm.connectors.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.files.ActivityFiles;
import io.socialcrm.connectors.files.ActivityFormat;
import io.socialcrm.connectors.files.FileItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The v1.1 mapping on the real payloads recorded by the Twitter4J project. */
class TwitterV1MapperTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/twitter-v1");
    private final TwitterV1Mapper mapper = new TwitterV1Mapper("test");

    private static List<FileItem<Mapped>> read(String file) throws IOException {
        List<FileItem<Mapped>> items = new ArrayList<>();
        ActivityFiles.read(FIXTURES.resolve(file), ActivityFormat.TWITTER_V1, items::add);
        return items;
    }

    private static List<SocialActivity> activities(String file) throws IOException {
        List<SocialActivity> out = new ArrayList<>();
        read(file).stream().filter(FileItem::ok).forEach(i -> out.addAll(i.value().activities()));
        return out;
    }

    @Test
    void aRetweetIsAShareOfTheOriginalAuthor() throws IOException {
        List<SocialActivity> one = activities("statuses_retweet_6010814202.json");
        assertEquals(1, one.size());
        SocialActivity share = one.get(0);
        assertEquals(ActivityType.SHARE, share.getType());
        assertEquals("6011259778", share.getEventId());
        assertEquals("6358482", share.getActorId());
        assertEquals("4933401", share.getTargetUserId());
        assertEquals("6010814202", share.getTargetPostId());
        assertEquals(Instant.parse("2009-11-24T15:54:10Z"), share.getOccurredAt());
        assertEquals("twitter", share.getPlatform());
    }

    @Test
    void aRetweetWithoutIdOrTimeIsRefusedWithItsLine() throws IOException {
        List<FileItem<Mapped>> items = read("statuses_retweet_2245071380.json");
        assertEquals(1, items.size());
        assertEquals("statuses_retweet_2245071380.json:1", items.get(0).location());
        assertEquals("status has no id", items.get(0).error());
    }

    @Test
    void repliesTargetTheRepliedToUser() throws IOException {
        List<SocialActivity> timeline = activities("statuses_public_timeline.json");
        assertEquals(20, timeline.size());
        Map<String, String> replies = new TreeMap<>();
        timeline.stream().filter(a -> a.getType() == ActivityType.REPLY).forEach(a -> replies.put(a.getEventId(), a.getTargetUserId()));
        assertEquals(10, replies.size());
        assertEquals("20159829", replies.get("6000554383"));
        assertEquals("92180489", replies.get("6000554382"));
        assertEquals(10, timeline.stream().filter(a -> a.getType() == ActivityType.POST).count());
    }

    @Test
    void hashtagsComeFromTheTextWhenAnOldPayloadHasNoEntities() throws IOException {
        SocialActivity quotes = activities("statuses_public_timeline.json").stream()
                .filter(a -> a.getText() != null && a.getText().startsWith("#classicmoviequotes")).findFirst().orElseThrow();
        assertEquals(List.of("classicmoviequotes"), quotes.getHashtags());
    }

    @Test
    void linkDomainsComeFromTheUrls() throws IOException {
        SocialActivity jaxa = activities("statuses_home_timeline.json").stream()
                .filter(a -> a.getText().contains("iss.jaxa.jp")).findFirst().orElseThrow();
        assertEquals(List.of("iss.jaxa.jp"), jaxa.getLinkDomains());
    }

    @Test
    void streamNoticesAreHandledNotCrashedOn() throws Exception {
        List<FileItem<Mapped>> items = read("streamingapi-testcase.json");
        assertEquals(6, items.size());
        assertTrue(items.stream().allMatch(FileItem::ok));
        assertEquals(List.of("delete", "limit", "scrub_geo"),
                items.stream().map(i -> i.value().notice()).filter(n -> n != null).toList());
        assertEquals(3, items.stream().mapToLong(i -> i.value().activities().size()).sum());
        Mapped stall = mapper.map(Files.readString(FIXTURES.resolve("stallwarning.json")));
        assertEquals("stall_warning", stall.notice());
    }

    @Test
    void aFollowEventIsAFollowAndOtherEventsAreNotices() throws IOException {
        List<FileItem<Mapped>> items = read("streamingapi-event-testcase.json");
        List<SocialActivity> follows = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        items.forEach(i -> {
            follows.addAll(i.value().activities());
            if (i.value().isNotice()) {
                notices.add(i.value().notice());
            }
        });
        assertEquals(1, follows.size());
        SocialActivity follow = follows.get(0);
        assertEquals(ActivityType.FOLLOW, follow.getType());
        assertEquals("23456789", follow.getActorId());
        assertEquals("12345678", follow.getTargetUserId());
        assertNull(follow.getTargetPostId());
        assertEquals(Instant.parse("2010-09-01T03:20:30Z"), follow.getOccurredAt());
        assertEquals(List.of("delete", "event:UNKNOWN_EVENT", "event:user_delete", "event:user_suspend"), notices);
    }

    @Test
    void statusesCarryTheirAuthorsProfileSnapshot() throws Exception {
        Mapped mapped = mapper.map(Files.readString(FIXTURES.resolve("statuses_retweet_6010814202.json")));
        assertEquals(2, mapped.profiles().size(), "the retweeter and the original author");
        assertEquals("6358482", mapped.profiles().get(0).getPlatformUserId());
    }

    @Test
    void garbageIsAMappingErrorNamingTheProblem() {
        MappingException notJson = assertThrows(MappingException.class, () -> mapper.map("{nope"));
        assertTrue(notJson.getMessage().startsWith("not a JSON object"), notJson.getMessage());
        MappingException unknown = assertThrows(MappingException.class, () -> mapper.map("{\"hello\": 1}"));
        assertTrue(unknown.getMessage().contains("not a status, event or notice"), unknown.getMessage());
    }
}
