package io.socialcrm.connectors.mapping;

import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import java.util.List;

/**
 * What one platform payload gives: activities (usually one), snapshots of the profiles it embeds,
 * or a notice of the stream (deletion, rate limit, stall warning...) that carries no activity.
 *
 * @param notice null for a payload with content; otherwise its kind, e.g. {@code delete}, {@code limit}
 */
public record Mapped(List<SocialActivity> activities, List<ProfileSnapshot> profiles, String notice) {
    public static Mapped notice(String kind) {
        return new Mapped(List.of(), List.of(), kind);
    }

    public boolean isNotice() {
        return notice != null;
    }
}
