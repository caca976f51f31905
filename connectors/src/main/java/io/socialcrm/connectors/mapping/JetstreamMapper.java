package io.socialcrm.connectors.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.serde.PlainJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps Bluesky events as Jetstream sends them ({@code {did, time_us, kind, commit}}) to the contract:
 * the one mapping the Bluesky source connector and {@code socialcrm replay --format jetstream} use.
 * Created records of four collections are activities: a post (a QUOTE when it embeds another post,
 * also inside {@code recordWithMedia}; else a REPLY when it has {@code reply.parent}; else a POST), a
 * like (LIKE), a repost (SHARE) and a follow (FOLLOW). Mentions are the post's mention facets (DIDs),
 * hashtags its tag facets and {@code tags}, link domains its link facets and external embed. DIDs are
 * the platform user ids, the record's at-URI is the event and post id, and {@code time_us} (when
 * Jetstream saw the commit) is the event time: a post's own {@code createdAt} is whatever its client
 * said. Deletes, updates, other collections (blocks, profiles...) and identity and account events
 * carry no activity: they are notices, counted and dropped. A delete names only the deleted record's
 * at-URI, never what it was about, so nothing is stored or retracted because of it.
 */
public final class JetstreamMapper {
    public static final String PLATFORM = "bluesky";
    public static final String POST = "app.bsky.feed.post";
    public static final String LIKE = "app.bsky.feed.like";
    public static final String REPOST = "app.bsky.feed.repost";
    public static final String FOLLOW = "app.bsky.graph.follow";
    /** The collections that give activities, as Jetstream's {@code wantedCollections}. */
    public static final List<String> COLLECTIONS = List.of(POST, LIKE, REPOST, FOLLOW);

    private final String source;

    /** @param source written to each activity's {@code source}, e.g. {@code bluesky-jetstream} */
    public JetstreamMapper(String source) {
        this.source = source;
    }

    public Mapped map(String json) throws MappingException {
        try {
            return map(PlainJson.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new MappingException("not a JSON object: " + e.getOriginalMessage());
        }
    }

    public Mapped map(JsonNode event) throws MappingException {
        if (event == null || !event.isObject()) {
            throw new MappingException("not a JSON object");
        }
        String did = text(event, "did");
        if (did == null || !did.startsWith("did:")) {
            throw new MappingException("event has no did");
        }
        JsonNode time = event.get("time_us");
        if (time == null || !time.canConvertToLong() || time.asLong() <= 0) {
            throw new MappingException("event has no time_us");
        }
        String kind = text(event, "kind");
        if (!"commit".equals(kind)) {
            if (kind == null) {
                throw new MappingException("event has no kind");
            }
            return Mapped.notice(kind);
        }
        JsonNode commit = event.path("commit");
        String operation = text(commit, "operation");
        String collection = text(commit, "collection");
        String rkey = text(commit, "rkey");
        if (operation == null || collection == null || rkey == null) {
            throw new MappingException("commit lacks operation, collection or rkey");
        }
        if (!operation.equals("create")) {
            return Mapped.notice(operation); // delete or update: see the class comment
        }
        JsonNode record = commit.path("record");
        if (!record.isObject()) {
            throw new MappingException("create commit has no record");
        }
        Instant at = Instant.ofEpochMilli(time.asLong() / 1000);
        String uri = "at://" + did + "/" + collection + "/" + rkey;
        SocialActivity.Builder activity = SocialActivity.newBuilder().setEventId(uri).setPlatform(PLATFORM).setActorId(did)
                .setOccurredAt(at).setSource(source);
        switch (collection) {
            case POST -> post(did, record, activity);
            case LIKE -> subject(record, activity.setType(ActivityType.LIKE));
            case REPOST -> subject(record, activity.setType(ActivityType.SHARE));
            case FOLLOW -> {
                String target = text(record, "subject");
                if (target == null || !target.startsWith("did:")) {
                    throw new MappingException("follow has no subject DID");
                }
                activity.setType(ActivityType.FOLLOW).setTargetUserId(target);
            }
            default -> {
                return Mapped.notice("collection");
            }
        }
        return new Mapped(List.of(activity.build()), List.of(), null);
    }

    private static void subject(JsonNode record, SocialActivity.Builder activity) throws MappingException {
        String subject = record.path("subject").path("uri").asText(null);
        String target = authority(subject);
        if (target == null) {
            throw new MappingException(activity.getType().name().toLowerCase(Locale.ROOT) + " has no subject at-URI");
        }
        activity.setTargetUserId(target).setTargetPostId(subject);
    }

    private static void post(String did, JsonNode record, SocialActivity.Builder activity) {
        JsonNode embed = record.path("embed");
        String quoted = null;
        String embedType = text(embed, "$type");
        if ("app.bsky.embed.record".equals(embedType)) {
            quoted = embed.path("record").path("uri").asText(null);
        } else if ("app.bsky.embed.recordWithMedia".equals(embedType)) {
            quoted = embed.path("record").path("record").path("uri").asText(null);
        }
        String parent = record.path("reply").path("parent").path("uri").asText(null);
        if (quoted != null && authority(quoted) != null && quoted.contains("/" + POST + "/")) {
            activity.setType(ActivityType.QUOTE).setTargetUserId(authority(quoted)).setTargetPostId(quoted);
        } else if (parent != null && authority(parent) != null) {
            activity.setType(ActivityType.REPLY).setTargetUserId(authority(parent)).setTargetPostId(parent);
        } else {
            activity.setType(ActivityType.POST);
        }
        Set<String> mentions = new LinkedHashSet<>();
        Set<String> tags = new LinkedHashSet<>();
        Set<String> domains = new LinkedHashSet<>();
        for (JsonNode facet : record.path("facets")) {
            for (JsonNode feature : facet.path("features")) {
                String type = text(feature, "$type");
                if ("app.bsky.richtext.facet#mention".equals(type) && text(feature, "did") != null) {
                    mentions.add(text(feature, "did"));
                } else if ("app.bsky.richtext.facet#tag".equals(type) && text(feature, "tag") != null) {
                    tags.add(text(feature, "tag"));
                } else if ("app.bsky.richtext.facet#link".equals(type)) {
                    Links.addDomain(domains, text(feature, "uri"));
                }
            }
        }
        record.path("tags").forEach(t -> {
            if (t.isTextual() && !t.asText().isBlank()) {
                tags.add(t.asText());
            }
        });
        Links.addDomain(domains, embed.path("external").path("uri").asText(null));
        Links.addDomain(domains, embed.path("media").path("external").path("uri").asText(null));
        mentions.remove(did);
        mentions.remove(activity.getTargetUserId());
        JsonNode langs = record.path("langs");
        activity.setText(text(record, "text"))
                .setLang(langs.isArray() && !langs.isEmpty() ? langs.get(0).asText(null) : null)
                .setMentionedUserIds(new ArrayList<>(mentions))
                .setHashtags(tags.stream().map(t -> t.startsWith("#") ? t.substring(1) : t).toList())
                .setLinkDomains(new ArrayList<>(domains));
    }

    /** The DID of an at-URI ({@code at://did:plc:.../collection/rkey}), or null. */
    static String authority(String atUri) {
        if (atUri == null || !atUri.startsWith("at://")) {
            return null;
        }
        int end = atUri.indexOf('/', 5);
        String authority = end < 0 ? atUri.substring(5) : atUri.substring(5, end);
        return authority.startsWith("did:") ? authority : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }
}
