package io.socialcrm.consent;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.ProfileUpdate;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.time.EventTimeExtractor;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Profile statistics reach a customer only with a GRANTED consent with PROFILE scope. */
public final class ProfileGate extends ContextualProcessor<String, ProfileSnapshot, String, Routed> {
    private final TopologySettings settings;
    private LiveCommits live;
    private final EventTimeExtractor eventTime;
    private KeyValueStore<String, AccountConsent> consents;

    public ProfileGate(TopologySettings settings) {
        this.settings = settings;
        this.eventTime = new EventTimeExtractor(settings.maxFuture());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        live = LiveCommits.of(context, settings);
        consents = context.getStateStore(Names.ACCOUNT_CONSENTS);
    }

    @Override
    public void process(Record<String, ProfileSnapshot> record) {
        live.seen(record.timestamp());
        ProfileSnapshot profile = record.value();
        if (profile == null) {
            return; // a compacted-topic tombstone (e.g. written by an erasure): nothing to keep
        }
        AccountKeys.check(record.key(), profile.getPlatform(), profile.getPlatformUserId(), "platformUserId", settings.platforms());
        long fetchedAt = profile.getFetchedAt().toEpochMilli();
        String timeProblem = eventTime.problem(fetchedAt, record.timestamp());
        if (timeProblem != null) {
            throw new InvalidRecordException("fetchedAt: " + timeProblem);
        }
        if (profile.getFollowers() < 0) {
            throw new InvalidRecordException("followers is negative");
        }
        AccountConsent consent = consents.get(record.key());
        if (ConsentRecorder.isGranted(consent) && consent.getScopes().contains(ConsentScope.PROFILE)) {
            ProfileUpdate update = new ProfileUpdate(record.key(), profile.getFollowers(), fetchedAt);
            context().forward(new Record<>(consent.getCustomerId(), new Routed.ToCustomers(new CustomerEvent(update)),
                    record.timestamp()));
        }
    }
}
