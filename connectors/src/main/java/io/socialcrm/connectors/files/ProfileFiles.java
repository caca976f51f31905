package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.connectors.mapping.TwitterV1Mapper;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Profile snapshots: JSON objects with the ProfileSnapshot field names, or Twitter v1.1 user
 * objects (recognised by {@code screen_name}), which have no fetch time: the file's modification
 * time stands for it.
 */
public final class ProfileFiles {
    private ProfileFiles() {
    }

    public static void read(Path file, Consumer<FileItem<ProfileSnapshot>> sink) throws IOException {
        open(file).forEachRemaining(sink);
    }

    /** A reader of the file's profile snapshots. */
    public static ItemReader<ProfileSnapshot> open(Path file) throws IOException {
        Instant modified = Files.getLastModifiedTime(file).toInstant();
        return ItemReader.mapping(JsonItems.open(file), json -> {
            try {
                return snapshot(json, modified);
            } catch (PlainJson.InvalidJsonException e) {
                throw new ItemReader.Refused(e.getMessage());
            }
        });
    }

    private static ProfileSnapshot snapshot(JsonNode json, Instant fallbackTime) {
        if (json.has("screen_name") && json.has("id")) {
            return ProfileSnapshot.newBuilder().setPlatform(TwitterV1Mapper.PLATFORM)
                    .setPlatformUserId(json.hasNonNull("id_str") ? json.get("id_str").asText() : json.get("id").asText())
                    .setFollowers(json.path("followers_count").asLong(0)).setFollowing(json.path("friends_count").asLong(0))
                    .setPosts(json.path("statuses_count").asLong(0)).setFetchedAt(fallbackTime).build();
        }
        ObjectNode copy = ((ObjectNode) json).deepCopy();
        if (copy.hasNonNull("platform")) {
            copy.put("platform", copy.get("platform").asText().trim().toLowerCase(Locale.ROOT));
        }
        return PlainJson.read(copy, ProfileSnapshot.class);
    }
}
