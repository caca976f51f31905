package io.socialcrm.consent;

import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.AccountErased;
import io.socialcrm.avro.internal.Credit;
import io.socialcrm.avro.internal.CreditBatch;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.EraseAccount;
import io.socialcrm.avro.internal.Forward;
import io.socialcrm.avro.internal.Relink;
import io.socialcrm.common.CompactionMarkers;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.errors.BatchedEvents;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.serde.InternalSerde;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Messages to an account, on the account's partition: credits (kept only for a consented target
 * with ACTIVITY scope: "only consented targets keep state"), re-links after a merge, erasure of
 * the account (its consent, its {@link AccountDirectory} entry and, by tombstones, its records on
 * {@code consents} and {@code social-profiles}), and customer-to-customer messages passed on.
 * Credits come here only for accounts the gate did not find in the directory, a task's credits for
 * this partition within one commit in one {@link CreditBatch} (topology/PartitionBatches).
 */
public final class AccountCommands extends ContextualProcessor<String, AccountCommand, String, Routed> {
    private static final InternalSerde<AccountCommand> BATCHES = InternalSerde.of(AccountCommand.class);
    private final TopologySettings settings;
    private LiveCommits live;
    private KeyValueStore<String, AccountConsent> consents;

    public AccountCommands(TopologySettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        live = LiveCommits.of(context, settings);
        consents = context.getStateStore(Names.ACCOUNT_CONSENTS);
        // wall clock: an erasure must leave the compacted topics' logs even when nothing is written after it
        CompactionMarkers.schedule(context, settings, this::appendCompactionMarkers);
    }

    /**
     * The accounts stage's compaction markers ({@link CompactionMarkers}): the marker key deleted in
     * {@code account-consents}, a tombstone of it on the account directory and the compacted inputs
     * an erasure tombstones.
     */
    private void appendCompactionMarkers(long now) {
        consents.delete(CompactionMarkers.KEY);
        for (var topic : List.of(settings.topics().accountDirectory, settings.topics().consents, settings.topics().socialProfiles)) {
            context().forward(new Record<>(CompactionMarkers.KEY, new Routed.ToCompactionMarker(topic.name()), now));
        }
    }

    @Override
    public void process(Record<String, AccountCommand> record) {
        live.seen(record.timestamp());
        if (record.value() == null || record.key() == null) {
            throw new InvalidRecordException("account command without key or value");
        }
        Object command = record.value().getCommand();
        if (command instanceof CreditBatch batch) { // the credits of one task and commit for this partition
            BatchedEvents.forEach(batch.getCredits(),
                    c -> process(record.withKey(c.getAccountKey()).withValue(new AccountCommand(c.getCredit())).withTimestamp(c.getTimestamp())),
                    failed -> BATCHES.serialize(null, new AccountCommand(new CreditBatch(failed))));
        } else if (command instanceof Credit credit) {
            // the customer the directory would name: only a target with ACTIVITY scope granted keeps a credit
            String customer = AccountDirectory.entryFor(consents.get(record.key()));
            if (customer != null) {
                toCustomer(customer, new CreditReceived(record.key(), credit.getKind(), credit.getOccurredAt(),
                        credit.getEngagerHash()), record.timestamp());
            }
        } else if (command instanceof Relink relink) {
            AccountConsent consent = consents.get(record.key());
            if (ConsentRecorder.isGranted(consent) && !consent.getCustomerId().equals(relink.getCustomerId())) {
                AccountConsent before = AccountConsent.newBuilder(consent).build();
                consent.setCustomerId(relink.getCustomerId());
                consents.put(record.key(), consent);
                AccountDirectory.follow(context(), settings, record.key(), before, consent, record.timestamp());
            }
        } else if (command instanceof EraseAccount erase) {
            long removed = consents.get(record.key()) == null ? 0 : 1;
            consents.delete(record.key());
            AccountDirectory.remove(context(), settings, record.key(), record.timestamp());
            // tombstones, so that compaction removes the account from the compacted inputs too
            context().forward(new Record<>(record.key(), new Routed.ToInputTombstone(settings.topics().consents.name()),
                    record.timestamp()));
            context().forward(new Record<>(record.key(), new Routed.ToInputTombstone(settings.topics().socialProfiles.name()),
                    record.timestamp()));
            toCustomer(erase.getCustomerId(), new AccountErased(erase.getRequestId(), record.key(), removed), record.timestamp());
        } else if (command instanceof Forward forward) {
            context().forward(new Record<>(forward.getCustomerId(), new Routed.ToCustomers(forward.getEvent()),
                    record.timestamp()));
        } else {
            throw new InvalidRecordException("unknown account command " + (command == null ? "null" : command.getClass().getSimpleName()));
        }
    }

    private void toCustomer(String customerId, Object event, long time) {
        context().forward(new Record<>(customerId, new Routed.ToCustomers(new CustomerEvent(event)), time));
    }
}
