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
    ACTIVITY_JSON("activity-json");

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

    /** The format of an activity file, from its first readable object (twitter-v1 if it has none). */
    public static ActivityFormat detect(Path file) throws IOException {
        try (ItemReader<JsonNode> items = JsonItems.open(file)) {
            for (FileItem<JsonNode> item = items.next(); item != null; item = items.next()) {
                if (item.ok()) {
                    JsonNode first = item.value();
                    return first.has("eventId") && first.has("actorId") ? ACTIVITY_JSON : TWITTER_V1;
                }
            }
        }
        return TWITTER_V1;
    }
}
