package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.mapping.JetstreamMapper;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.mapping.MappingException;
import io.socialcrm.connectors.mapping.MastodonMapper;
import io.socialcrm.connectors.mapping.TwitterV1Mapper;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** Reads activity files of every format into {@link Mapped} items, with file and line of each. */
public final class ActivityFiles {
    private ActivityFiles() {
    }

    public static void read(Path file, ActivityFormat format, Consumer<FileItem<Mapped>> sink) throws IOException {
        open(file, format).forEachRemaining(sink);
    }

    /** A reader of the file's items, each mapped to activities (and profile snapshots, for Twitter and Mastodon payloads). */
    public static ItemReader<Mapped> open(Path file, ActivityFormat format) throws IOException {
        String source = "replay:" + file.getFileName();
        return switch (format) {
            case TWITTER_V1 -> {
                TwitterV1Mapper twitter = new TwitterV1Mapper(source);
                yield mapped(JsonItems.open(file), json -> twitter.map(json.toString()));
            }
            case JETSTREAM -> {
                JetstreamMapper jetstream = new JetstreamMapper(source);
                yield mapped(JsonItems.open(file), jetstream::map);
            }
            case MASTODON -> {
                // a recording has no token, so whose follow notifications they are is not known: those are refused
                MastodonMapper mastodon = new MastodonMapper(source, null);
                yield mapped(EventStreamItems.isEventStream(file) ? EventStreamItems.open(file) : JsonItems.open(file), mastodon::map);
            }
            case ACTIVITY_JSON -> mapped(JsonItems.open(file), json -> new Mapped(List.of(activity(json, source)), List.of(), null));
        };
    }

    private interface JsonMapper {
        Mapped map(JsonNode json) throws MappingException;
    }

    private static ItemReader<Mapped> mapped(ItemReader<JsonNode> items, JsonMapper mapper) {
        return ItemReader.mapping(items, json -> {
            try {
                return mapper.map(json);
            } catch (MappingException | PlainJson.InvalidJsonException e) {
                throw new ItemReader.Refused(e.getMessage());
            }
        });
    }

    /** An activity-json object as a SocialActivity: platform in lower case, hashtags without '#'. */
    public static SocialActivity activity(JsonNode json, String defaultSource) {
        ObjectNode copy = ((ObjectNode) json).deepCopy();
        if (copy.hasNonNull("platform")) {
            copy.put("platform", copy.get("platform").asText().trim().toLowerCase(Locale.ROOT));
        }
        if (!copy.hasNonNull("source")) {
            copy.put("source", defaultSource);
        }
        SocialActivity activity = PlainJson.read(copy, SocialActivity.class);
        activity.setHashtags(activity.getHashtags().stream().map(h -> h.startsWith("#") ? h.substring(1) : h).toList());
        return activity;
    }
}
