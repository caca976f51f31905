package io.socialcrm.connectors.source;

import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.mapping.Mapped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a live source writes of what it maps: activities an account with consent takes part in
 * ({@link ConsentFilter}), each event id once while it is remembered (a stream resumed a little before
 * where it stopped, or a status seen twice, is not written twice); and the counts of it all, as task
 * metrics.
 */
public final class ActivityGate {
    private final ConsentFilter filter;
    private final int remembered;
    private final LinkedHashSet<String> written = new LinkedHashSet<>();
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong unconsented = new AtomicLong();
    private final AtomicLong repeats = new AtomicLong();
    private final AtomicLong notices = new AtomicLong();

    /** @param remembered how many recent event ids are remembered against repeats */
    public ActivityGate(ConsentFilter filter, int remembered) {
        this.filter = filter;
        this.remembered = remembered;
    }

    /** Counts one message received. */
    public void seen() {
        seen.incrementAndGet();
    }

    /** The activities of {@code mapped} to write (none for a notice), counting the rest. */
    public List<SocialActivity> keep(Mapped mapped) {
        if (mapped.isNotice()) {
            notices.incrementAndGet();
            return List.of();
        }
        List<SocialActivity> keep = new ArrayList<>(mapped.activities().size());
        for (SocialActivity activity : mapped.activities()) {
            if (!filter.keeps(activity)) {
                unconsented.incrementAndGet();
            } else if (!written.add(activity.getEventId())) {
                repeats.incrementAndGet();
            } else {
                keep.add(activity);
            }
        }
        while (written.size() > remembered) {
            written.remove(written.iterator().next());
        }
        kept.addAndGet(keep.size());
        return keep;
    }

    /** Registers the counts, as {@code events-*-total} and {@code notices-total}, and the consented accounts. */
    public TaskMetrics register(TaskMetrics metrics) {
        return metrics
                .gauge("events-seen-total", "Messages received from the platform", seen::get)
                .gauge("events-kept-total", "Activities written (an account with consent takes part)", kept::get)
                .gauge("events-dropped-unconsented-total", "Activities dropped: no account with consent takes part", unconsented::get)
                .gauge("events-repeated-total", "Activities received again (a resumed stream, a status seen twice), not written twice",
                        repeats::get)
                .gauge("notices-total", "Messages that carry no activity (deletes, updates, private statuses, other kinds)", notices::get)
                .gauge("consented-accounts", "Accounts whose activity is kept", filter::size);
    }
}
