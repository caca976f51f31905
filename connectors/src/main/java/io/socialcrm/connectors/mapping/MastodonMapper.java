package io.socialcrm.connectors.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.serde.PlainJson;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Maps Mastodon API output to the contract: the one mapping the Mastodon source connector and
 * {@code socialcrm replay --format mastodon} use. It reads a Status, a Notification, or a streaming
 * event ({@code {"event": ..., "payload": "<JSON as a string>"}}, the WebSocket framing; server-sent
 * events are read into the same shape).
 *
 * <p>Accounts are keyed {@code user@server} in lower case: a bare {@code acct} (a local account) takes
 * the host of the account's profile URL. A status is a SHARE when it is a boost, else a QUOTE when it
 * quotes an accepted status, else a REPLY when it answers an account (the replied-to account found
 * among its mentions), else a POST; mentions are the other mentioned accounts, hashtags its tags, link
 * domains its links that are not mentions, hashtags or a quote's fallback link (and its preview card), text the HTML content as
 * text. The event id is the status' {@code uri}, which is the same on every server, so the same status
 * seen twice (the home stream and a mention notification, an edit) is counted once. Notifications:
 * {@code mention}, {@code status}, {@code update} and {@code quote} give their status; {@code reblog}
 * a SHARE and {@code favourite} a LIKE by the notifying account; {@code follow} a FOLLOW of the
 * token's own account ({@code recipient}). Boosts and likes have ids made of actor and status, so a
 * boost seen as a home status and as a notification is one event. Private and direct statuses are not
 * public social actions: they, deletes and every other event or notification type are notices, counted
 * and dropped.
 */
public final class MastodonMapper {
    public static final String PLATFORM = "mastodon";

    private final String source;
    private final String recipient;

    /**
     * @param source    written to each activity's {@code source}, e.g. {@code mastodon-stream}
     * @param recipient the account key ({@code user@server}) whose notifications these are, or null when
     *                  not known (then a follow notification is refused)
     */
    public MastodonMapper(String source, String recipient) {
        this.source = source;
        this.recipient = recipient;
    }

    public Mapped map(String json) throws MappingException {
        try {
            return map(PlainJson.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new MappingException("not a JSON object: " + e.getOriginalMessage());
        }
    }

    public Mapped map(JsonNode node) throws MappingException {
        if (node == null || !node.isObject()) {
            throw new MappingException("not a JSON object");
        }
        if (node.has("event") && !node.has("account")) {
            return event(node);
        }
        if (node.has("type") && node.has("account") && !node.has("content")) {
            return notification(node);
        }
        if (node.has("account") && node.has("uri")) {
            return status(node);
        }
        if (node.has("notification_groups")) {
            throw new MappingException("grouped notifications (API v2) are not read: record /api/v1/notifications instead");
        }
        throw new MappingException("not a Mastodon status, notification or streaming event");
    }

    /** A streaming event: the event name and its payload, a JSON document as a string. */
    private Mapped event(JsonNode event) throws MappingException {
        String name = event.path("event").asText("");
        JsonNode payload = event.get("payload");
        switch (name) {
            case "update", "status.update" -> {
                return status(parse(payload, name));
            }
            case "notification" -> {
                return notification(parse(payload, name));
            }
            case "" -> throw new MappingException("streaming event has no name");
            default -> {
                return Mapped.notice(name); // delete, conversation, announcement, filters_changed, ...
            }
        }
    }

    private static JsonNode parse(JsonNode payload, String event) throws MappingException {
        if (payload == null || payload.isNull()) {
            throw new MappingException(event + " event has no payload");
        }
        if (payload.isObject()) {
            return payload;
        }
        try {
            JsonNode parsed = PlainJson.MAPPER.readTree(payload.asText());
            if (parsed == null || !parsed.isObject()) {
                throw new MappingException(event + " event payload is not a JSON object");
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw new MappingException(event + " event payload is not JSON: " + e.getOriginalMessage());
        }
    }

    private Mapped notification(JsonNode n) throws MappingException {
        String type = n.path("type").asText("");
        JsonNode status = n.path("status");
        switch (type) {
            case "mention", "status", "update", "quote" -> {
                if (!status.isObject()) {
                    throw new MappingException(type + " notification has no status");
                }
                return status(status);
            }
            case "reblog", "favourite" -> {
                if (!status.isObject()) {
                    throw new MappingException(type + " notification has no status");
                }
                if (!isPublic(status)) {
                    return Mapped.notice("private");
                }
                String actor = accountKey(n.path("account"));
                String target = accountKey(status.path("account"));
                String uri = required(status, "uri");
                ActivityType kind = type.equals("reblog") ? ActivityType.SHARE : ActivityType.LIKE;
                SocialActivity activity = base(n.path("account"), actor, time(n, "created_at"))
                        .setEventId(kind.name().toLowerCase(Locale.ROOT) + ":" + actor + ":" + uri)
                        .setType(kind).setTargetUserId(target).setTargetPostId(uri).build();
                return new Mapped(List.of(activity), List.of(profile(n.path("account"), actor, activity.getOccurredAt())), null);
            }
            case "follow" -> {
                if (recipient == null) {
                    throw new MappingException("follow notification: the followed account is not known here "
                            + "(the connector learns it from the token; a replayed follow notification has no recipient)");
                }
                String actor = accountKey(n.path("account"));
                SocialActivity activity = base(n.path("account"), actor, time(n, "created_at"))
                        .setEventId("follow:" + actor + ":" + recipient).setType(ActivityType.FOLLOW)
                        .setTargetUserId(recipient).build();
                return new Mapped(List.of(activity), List.of(profile(n.path("account"), actor, activity.getOccurredAt())), null);
            }
            case "" -> throw new MappingException("notification has no type");
            default -> {
                return Mapped.notice("notification:" + type);
            }
        }
    }

    private Mapped status(JsonNode status) throws MappingException {
        if (!isPublic(status)) {
            return Mapped.notice("private");
        }
        JsonNode account = status.path("account");
        String actor = accountKey(account);
        Instant at = time(status, "created_at");
        SocialActivity.Builder activity = base(account, actor, at);
        List<ProfileSnapshot> profiles = new ArrayList<>();
        profiles.add(profile(account, actor, at));
        JsonNode content = status;
        JsonNode reblog = status.path("reblog");
        JsonNode quoted = status.path("quote").path("quoted_status");
        if (reblog.isObject()) {
            String uri = required(reblog, "uri");
            String target = accountKey(reblog.path("account"));
            activity.setType(ActivityType.SHARE).setEventId("share:" + actor + ":" + uri).setTargetUserId(target).setTargetPostId(uri);
            profiles.add(profile(reblog.path("account"), target, at));
            content = reblog;
        } else {
            activity.setEventId(required(status, "uri"));
            if (quoted.isObject() && "accepted".equals(status.path("quote").path("state").asText("accepted"))) {
                String target = accountKey(quoted.path("account"));
                activity.setType(ActivityType.QUOTE).setTargetUserId(target).setTargetPostId(required(quoted, "uri"));
                profiles.add(profile(quoted.path("account"), target, at));
            } else if (status.hasNonNull("in_reply_to_account_id")) {
                activity.setType(ActivityType.REPLY).setTargetUserId(repliedTo(status, actor));
            } else {
                activity.setType(ActivityType.POST);
            }
        }
        Set<String> mentions = new LinkedHashSet<>();
        for (JsonNode mention : content.path("mentions")) {
            mentions.add(accountKey(mention));
        }
        mentions.remove(actor);
        mentions.remove(activity.getTargetUserId());
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode tag : content.path("tags")) {
            String name = tag.path("name").asText("");
            if (!name.isBlank()) {
                tags.add(name);
            }
        }
        Set<String> domains = new LinkedHashSet<>();
        String text = null;
        String html = content.path("content").asText("");
        if (!html.isEmpty()) {
            Document document = Jsoup.parseBodyFragment(html);
            for (Element link : document.select("a[href]")) {
                if (!link.hasClass("mention") && !link.hasClass("hashtag") && link.closest(".quote-inline") == null) {
                    Links.addDomain(domains, link.attr("href"));
                }
            }
            text = document.body().wholeText().isBlank() ? null : document.text();
        }
        Links.addDomain(domains, content.path("card").path("url").asText(null));
        activity.setMentionedUserIds(new ArrayList<>(mentions)).setHashtags(new ArrayList<>(tags))
                .setLinkDomains(new ArrayList<>(domains)).setText(text)
                .setLang(content.hasNonNull("language") ? content.get("language").asText() : null);
        return new Mapped(List.of(activity.build()), profiles, null);
    }

    /** The replied-to account: the actor itself, or the mention with that id (a reply names whom it answers). */
    private static String repliedTo(JsonNode status, String actor) throws MappingException {
        String id = status.get("in_reply_to_account_id").asText();
        if (id.equals(status.path("account").path("id").asText())) {
            return actor;
        }
        for (JsonNode mention : status.path("mentions")) {
            if (id.equals(mention.path("id").asText())) {
                return accountKey(mention);
            }
        }
        return null; // answered account not named in the status: a reply without a known target
    }

    private SocialActivity.Builder base(JsonNode account, String actor, Instant at) {
        return SocialActivity.newBuilder().setPlatform(PLATFORM).setActorId(actor)
                .setActorHandle(account.hasNonNull("acct") ? account.get("acct").asText() : null)
                .setActorFollowers(account.path("followers_count").canConvertToLong() ? account.get("followers_count").asLong() : null)
                .setOccurredAt(at).setSource(source);
    }

    private static ProfileSnapshot profile(JsonNode account, String key, Instant at) {
        return ProfileSnapshot.newBuilder().setPlatform(PLATFORM).setPlatformUserId(key)
                .setFollowers(Math.max(0, account.path("followers_count").asLong()))
                .setFollowing(Math.max(0, account.path("following_count").asLong()))
                .setPosts(Math.max(0, account.path("statuses_count").asLong())).setFetchedAt(at).build();
    }

    private static boolean isPublic(JsonNode status) {
        String visibility = status.path("visibility").asText("public");
        return visibility.equals("public") || visibility.equals("unlisted");
    }

    /**
     * An account's key, {@code user@server} in lower case. A remote account's {@code acct} names its
     * server; a local one's does not, so the server is the host of its profile URL.
     */
    public static String accountKey(JsonNode account) throws MappingException {
        String acct = account.path("acct").asText("");
        if (acct.isBlank()) {
            throw new MappingException("account has no acct");
        }
        if (acct.startsWith("@")) {
            acct = acct.substring(1);
        }
        if (!acct.contains("@")) {
            String host = null;
            try {
                host = URI.create(account.path("url").asText("")).getHost();
            } catch (IllegalArgumentException e) {
                // no usable URL: refused below
            }
            if (host == null) {
                throw new MappingException("local account without a profile url: its server is not known");
            }
            acct = acct + "@" + host;
        }
        return acct.toLowerCase(Locale.ROOT);
    }

    private static String required(JsonNode node, String field) throws MappingException {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new MappingException("status has no " + field);
        }
        return value;
    }

    private static Instant time(JsonNode node, String field) throws MappingException {
        String value = node.path(field).asText("");
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new MappingException(field + " is missing or not an ISO-8601 time");
        }
    }
}
