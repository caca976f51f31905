package io.socialcrm.consent;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountUnlinked;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.metrics.MetricsBuffer;
import io.socialcrm.time.EventTimeExtractor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the consent in force per account ({@code account-consents}), which the gates read. A
 * consent older (by {@code recordedAt}) than the one held is ignored. A grant links the account to
 * its customer; a revocation, a status this version does not know, or a deleted consent unlinks it,
 * and the customer stage removes its state. The {@link AccountDirectory} follows each change.
 * Anonymous take-up counts go to the metrics.
 */
public final class ConsentRecorder extends ContextualProcessor<String, ConsentRecord, String, Routed> {
    private final TopologySettings settings;
    private LiveCommits live;
    private final EventTimeExtractor eventTime;
    private KeyValueStore<String, AccountConsent> consents;
    private MetricsBuffer metrics;

    public ConsentRecorder(TopologySettings settings) {
        this.settings = settings;
        this.eventTime = new EventTimeExtractor(settings.maxFuture());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        live = LiveCommits.of(context, settings);
        consents = context.getStateStore(Names.ACCOUNT_CONSENTS);
        // a store of its own: sharing the gate's, it had to read its record back before every count (the
        // gate might have sent it), and a load of consents recorded over many hours made that record grow
        metrics = MetricsBuffer.sending(context, Names.CONSENT_METRICS_BUFFER, "consent-recorder", settings.metricsFlush(),
                Names.CONSENT_METRICS_BUFFER_MARKS);
    }

    @Override
    public void process(Record<String, ConsentRecord> record) {
        live.seen(record.timestamp());
        String key = record.key();
        ConsentRecord consent = record.value();
        if (consent == null) {
            if (key == null) {
                throw new InvalidRecordException("consent tombstone has no key");
            }
            remove(key, record.timestamp(), "consent deleted");
            return;
        }
        AccountKeys.check(key, consent.getPlatform(), consent.getPlatformUserId(), "platformUserId", settings.platforms());
        if (consent.getCustomerId() == null || consent.getCustomerId().isBlank()) {
            throw new InvalidRecordException("customerId is missing");
        }
        long recordedAt = consent.getRecordedAt().toEpochMilli();
        String timeProblem = eventTime.problem(recordedAt, record.timestamp());
        if (timeProblem != null) {
            throw new InvalidRecordException("recordedAt: " + timeProblem);
        }
        AccountConsent held = consents.get(key);
        if (held != null && recordedAt < held.getRecordedAt()) {
            return;
        }
        boolean wasGranted = isGranted(held);
        if (consent.getStatus() == ConsentStatus.GRANTED) {
            List<ConsentScope> scopes = knownScopes(consent.getScopes());
            boolean sameCustomer = wasGranted && held.getCustomerId().equals(consent.getCustomerId());
            AccountConsent granted = AccountConsent.newBuilder()
                    .setCustomerId(consent.getCustomerId()).setPlatform(consent.getPlatform())
                    .setPlatformUserId(consent.getPlatformUserId()).setHandle(consent.getHandle())
                    .setScopes(scopes).setStatus(ConsentStatus.GRANTED).setRecordedAt(recordedAt)
                    .setActiveHour(sameCustomer ? held.getActiveHour() : -1).build();
            consents.put(key, granted);
            AccountDirectory.follow(context(), settings, key, held, granted, recordedAt);
            if (wasGranted && !sameCustomer) {
                unlink(held.getCustomerId(), key, recordedAt, "account linked to another customer");
            }
            forward(consent.getCustomerId(), new AccountLinked(key, consent.getPlatform(), consent.getPlatformUserId(),
                    consent.getHandle(), scopes, recordedAt), recordedAt);
            if (!wasGranted) {
                metrics.count(consent.getPlatform(), recordedAt, MetricsBuffer.Count.GRANTED);
            }
        } else {
            AccountConsent notGranted = AccountConsent.newBuilder().setPlatform(consent.getPlatform())
                    .setStatus(consent.getStatus()).setRecordedAt(recordedAt).build();
            consents.put(key, notGranted);
            AccountDirectory.follow(context(), settings, key, held, notGranted, recordedAt);
            if (wasGranted) {
                unlink(held.getCustomerId(), key, recordedAt, consent.getStatus() == ConsentStatus.REVOKED
                        ? "consent revoked" : "consent status unknown to this version (treated as revoked)");
                metrics.count(consent.getPlatform(), recordedAt, MetricsBuffer.Count.REVOKED);
            }
        }
    }

    private void remove(String key, long time, String reason) {
        AccountConsent held = consents.get(key);
        if (held == null) {
            return;
        }
        consents.delete(key);
        AccountDirectory.follow(context(), settings, key, held, null, time);
        if (isGranted(held)) {
            unlink(held.getCustomerId(), key, time, reason);
            metrics.count(held.getPlatform(), time, MetricsBuffer.Count.REVOKED);
        }
    }

    static boolean isGranted(AccountConsent consent) {
        return consent != null && consent.getStatus() == ConsentStatus.GRANTED && consent.getCustomerId() != null;
    }

    private static List<ConsentScope> knownScopes(List<ConsentScope> scopes) {
        LinkedHashSet<ConsentScope> known = new LinkedHashSet<>(scopes);
        known.remove(ConsentScope.UNKNOWN);
        return new ArrayList<>(known);
    }

    private void unlink(String customerId, String accountKey, long time, String reason) {
        forward(customerId, new AccountUnlinked(accountKey, reason), time);
    }

    private void forward(String customerId, Object event, long time) {
        context().forward(new Record<>(customerId, new Routed.ToCustomers(new CustomerEvent(event)), time));
    }
}
