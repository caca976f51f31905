package io.socialcrm.connectors.mapping;

import com.twitter.twittertext.Extractor;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import twitter4j.HashtagEntity;
import twitter4j.JSONException;
import twitter4j.JSONObject;
import twitter4j.JSONObjectType;
import twitter4j.Status;
import twitter4j.TwitterException;
import twitter4j.TwitterObjectFactory;
import twitter4j.URLEntity;
import twitter4j.User;
import twitter4j.UserMentionEntity;

/**
 * Maps Twitter API v1.1 payloads, as the REST and streaming APIs sent them, to the contract: the one
 * mapping both {@code socialcrm replay} and the Twitter source connector use. Statuses are parsed
 * with twitter4j: a retweet is a SHARE of the original's author, a quote a QUOTE, a reply a REPLY
 * to the replied-to user, anything else a POST; mentions come from the entities (user ids), minus the
 * action's own target; hashtags and link domains from the entities, or from the text with Twitter's
 * own twitter-text rules when an old payload has no entities. Streaming events give FOLLOW and LIKE
 * (favorite). {@code delete}, {@code scrub_geo}, {@code limit}, {@code stall_warning} and other
 * notices are recognised and carry no activity. The actors' embedded user objects give profile
 * snapshots.
 */
public final class TwitterV1Mapper {
    public static final String PLATFORM = "twitter";
    static {
        QuietTwitterLogging.install();
    }

    private static final DateTimeFormatter TWITTER_TIME = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss Z yyyy", Locale.ENGLISH);
    private final Extractor extractor = new Extractor();
    private final String source;

    /** @param source written to each activity's {@code source}, e.g. {@code twitter-stream} */
    public TwitterV1Mapper(String source) {
        this.source = source;
    }

    public Mapped map(String json) throws MappingException {
        JSONObject object;
        try {
            object = new JSONObject(json);
        } catch (JSONException e) {
            throw new MappingException("not a JSON object: " + e.getMessage());
        }
        JSONObjectType.Type type = JSONObjectType.determine(object);
        switch (type) {
            case STATUS:
                return status(json);
            case FOLLOW:
                return event(object, ActivityType.FOLLOW);
            case FAVORITE:
                return event(object, ActivityType.LIKE);
            case DELETE:
                return Mapped.notice("delete");
            case SCRUB_GEO:
                return Mapped.notice("scrub_geo");
            case LIMIT:
                return Mapped.notice("limit");
            case STALL_WARNING:
                return Mapped.notice("stall_warning");
            case DISCONNECTION:
                return Mapped.notice("disconnect");
            case FRIENDS:
                return Mapped.notice("friends");
            default:
                if (object.has("event")) {
                    return Mapped.notice("event:" + object.optString("event"));
                }
                if (object.has("for_user") || object.has("control") || object.has("warning")) {
                    return Mapped.notice(object.keys().next());
                }
                throw new MappingException("not a status, event or notice of the v1.1 API (type " + type + ")");
        }
    }

    private Mapped status(String json) throws MappingException {
        Status status;
        try {
            status = TwitterObjectFactory.createStatus(json);
        } catch (TwitterException | RuntimeException e) {
            throw new MappingException("status cannot be parsed: " + e.getMessage());
        }
        if (status.getId() <= 0) {
            throw new MappingException("status has no id");
        }
        if (status.getCreatedAt() == null) {
            throw new MappingException("status has no created_at");
        }
        User user = status.getUser();
        if (user == null || user.getId() <= 0) {
            throw new MappingException("status has no user");
        }
        Instant at = status.getCreatedAt().toInstant();
        ActivityType type = ActivityType.POST;
        String targetUser = null;
        String targetPost = null;
        List<ProfileSnapshot> profiles = new ArrayList<>();
        profiles.add(profile(user, at));
        if (status.isRetweet() && status.getRetweetedStatus() != null && status.getRetweetedStatus().getUser() != null) {
            type = ActivityType.SHARE;
            targetUser = Long.toString(status.getRetweetedStatus().getUser().getId());
            targetPost = Long.toString(status.getRetweetedStatus().getId());
            profiles.add(profile(status.getRetweetedStatus().getUser(), at));
        } else if (status.getQuotedStatus() != null && status.getQuotedStatus().getUser() != null) {
            type = ActivityType.QUOTE;
            targetUser = Long.toString(status.getQuotedStatus().getUser().getId());
            targetPost = Long.toString(status.getQuotedStatus().getId());
            profiles.add(profile(status.getQuotedStatus().getUser(), at));
        } else if (status.getInReplyToUserId() > 0) {
            type = ActivityType.REPLY;
            targetUser = Long.toString(status.getInReplyToUserId());
            targetPost = status.getInReplyToStatusId() > 0 ? Long.toString(status.getInReplyToStatusId()) : null;
        }
        String text = status.getText();
        Set<String> mentions = new LinkedHashSet<>();
        for (UserMentionEntity mention : status.getUserMentionEntities()) {
            String id = Long.toString(mention.getId());
            if (mention.getId() > 0 && !id.equals(targetUser) && mention.getId() != user.getId()) {
                mentions.add(id);
            }
        }
        Set<String> hashtags = new LinkedHashSet<>();
        for (HashtagEntity tag : status.getHashtagEntities()) {
            hashtags.add(tag.getText());
        }
        if (hashtags.isEmpty() && text != null) {
            hashtags.addAll(extractor.extractHashtags(text));
        }
        Set<String> domains = new LinkedHashSet<>();
        for (URLEntity url : status.getURLEntities()) {
            Links.addDomain(domains, url.getExpandedURL() != null ? url.getExpandedURL() : url.getURL());
        }
        if (domains.isEmpty() && text != null) {
            extractor.extractURLs(text).forEach(u -> Links.addDomain(domains, u));
        }
        SocialActivity activity = SocialActivity.newBuilder()
                .setEventId(Long.toString(status.getId()))
                .setPlatform(PLATFORM)
                .setActorId(Long.toString(user.getId()))
                .setActorHandle(user.getScreenName())
                .setType(type)
                .setTargetUserId(targetUser)
                .setTargetPostId(targetPost)
                .setMentionedUserIds(new ArrayList<>(mentions))
                .setHashtags(new ArrayList<>(hashtags))
                .setText(text)
                .setLang(status.getLang())
                .setActorFollowers(user.getFollowersCount() >= 0 ? (long) user.getFollowersCount() : null)
                .setOccurredAt(at)
                .setSource(source)
                .setLinkDomains(new ArrayList<>(domains))
                .build();
        return new Mapped(List.of(activity), profiles, null);
    }

    /** A user-stream event: {@code source} acted on {@code target} (and {@code target_object}, a status). */
    private Mapped event(JSONObject event, ActivityType type) throws MappingException {
        try {
            JSONObject actor = event.getJSONObject("source");
            JSONObject target = event.getJSONObject("target");
            String actorId = actor.has("id_str") ? actor.getString("id_str") : Long.toString(actor.getLong("id"));
            String targetId = target.has("id_str") ? target.getString("id_str") : Long.toString(target.getLong("id"));
            Instant at = time(event.getString("created_at"));
            String targetPost = null;
            if (event.has("target_object") && event.get("target_object") instanceof JSONObject object && object.has("id")) {
                targetPost = Long.toString(object.getLong("id"));
            }
            String eventId = type.name().toLowerCase(Locale.ROOT) + ":" + actorId + ":"
                    + (targetPost != null ? targetPost : targetId + ":" + at.toEpochMilli());
            SocialActivity activity = SocialActivity.newBuilder()
                    .setEventId(eventId).setPlatform(PLATFORM).setActorId(actorId)
                    .setActorHandle(actor.optString("screen_name", null)).setType(type)
                    .setTargetUserId(targetId).setTargetPostId(targetPost)
                    .setActorFollowers(actor.has("followers_count") ? actor.getLong("followers_count") : null)
                    .setOccurredAt(at).setSource(source).build();
            return new Mapped(List.of(activity), List.of(), null);
        } catch (JSONException e) {
            throw new MappingException(type.name().toLowerCase(Locale.ROOT) + " event lacks a field: " + e.getMessage());
        }
    }

    private static ProfileSnapshot profile(User user, Instant at) {
        return ProfileSnapshot.newBuilder().setPlatform(PLATFORM).setPlatformUserId(Long.toString(user.getId()))
                .setFollowers(Math.max(0, user.getFollowersCount())).setFollowing(Math.max(0, user.getFriendsCount()))
                .setPosts(Math.max(0, user.getStatusesCount())).setFetchedAt(at).build();
    }

    static Instant time(String twitterTime) throws MappingException {
        try {
            return ZonedDateTime.parse(twitterTime, TWITTER_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new MappingException("created_at is not a Twitter time ('EEE MMM dd HH:mm:ss Z yyyy')");
        }
    }
}
