package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Formats of activity files. */
public enum ActivityFormat {
    /** Twitter API v1.1 statuses and stream messages: one JSON object a line, or a JSON array. */
    TWITTER_V1("twitter-v1"),
    /** One JSON object a line with the SocialActivity field names; occurredAt as epoch ms or ISO-8601. */
    ACTIVITY_JSON("activity-json"),
    /** Bluesky events as Jetstream sends them, one JSON object a line (a recording of /subscribe). */
    JETSTREAM("jetstream"),
    /**
     * Mastodon API output: the streaming API's server-sent events ({@code event:}/{@code data:} lines),
     * its WebSocket frames, or REST statuses and notifications (JSON lines or arrays).
     */
    MASTODON("mastodon");

    private final String id;

    ActivityFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ActivityFormat of(String id) {
        for (ActivityFormat f : values()) {
            if (f.id.equals(id.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown format '" + id + "': use one of "
                + Arrays.stream(values()).map(ActivityFormat::id).toList());
    }

    /**
     * The format of an activity file: Mastodon's event stream from its first line, otherwise from its
     * first readable object (twitter-v1 if it has none).
     */
    public static ActivityFormat detect(Path file) throws IOException {
        if (EventStreamItems.isEventStream(file)) {
            return MASTODON;
        }
        try (ItemReader<JsonNode> items = JsonItems.open(file)) {
            for (FileItem<JsonNode> item = items.next(); item != null; item = items.next()) {
                if (item.ok()) {
                    return of(item.value());
                }
            }
        }
        return TWITTER_V1;
    }

    private static ActivityFormat of(JsonNode first) {
        if (first.has("eventId") && first.has("actorId")) {
            return ACTIVITY_JSON;
        }
        if (first.has("did") && first.has("time_us")) {
            return JETSTREAM;
        }
        boolean mastodonStatus = first.has("account") && (first.has("uri") || first.has("type")) && !first.has("user");
        boolean mastodonFrame = first.has("event") && first.has("payload");
        return mastodonStatus || mastodonFrame ? MASTODON : TWITTER_V1;
    }
}
