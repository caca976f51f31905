package io.socialcrm.consent;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Which customer each account with an ACTIVITY consent in force belongs to, on every instance (a
 * global table over the internal topic {@code account-directory}), so that the consent gate sends
 * a credit straight to the target's customer: one repartition hop instead of two (through the
 * target account's partition, then to its customer).
 *
 * <p>The account stage stays the authority and writes the directory in the same transaction as
 * the change it follows: a grant with ACTIVITY scope, a revocation or loss of the scope, a re-link
 * after a merge, an erasure. The directory is a copy read with a lag, so the gate uses it only to
 * route: an account it does not find goes the long way (the account stage checks the consent), and
 * the customer stage stores a credit only for an account it holds linked with ACTIVITY scope, so a
 * stale entry never keeps anything the consent does not allow. Keys are the application id and a
 * salted hash of the account key: no account key is copied to every instance.
 */
public final class AccountDirectory {
    private final TopologySettings settings;
    private final TimestampedKeyValueStore<String, String> store;

    private AccountDirectory(TopologySettings settings, TimestampedKeyValueStore<String, String> store) {
        this.settings = settings;
        this.store = store;
    }

    /** The directory as the processors of a task read it. */
    public static AccountDirectory of(ProcessingContext context, TopologySettings settings) {
        return new AccountDirectory(settings, context.getStateStore(Names.ACCOUNT_DIRECTORY));
    }

    /** The customer the directory names for an account, or null. */
    public String customerOf(String accountKey) {
        ValueAndTimestamp<String> entry = store.get(key(settings, accountKey));
        return entry == null ? null : entry.value();
    }

    /** The directory's key of an account. */
    public static String key(TopologySettings settings, String accountKey) {
        return settings.applicationId() + "/" + settings.hasher().account(accountKey);
    }

    /** What the directory should say of an account with this consent: its customer, or null. */
    public static String entryFor(AccountConsent consent) {
        return ConsentRecorder.isGranted(consent) && consent.getScopes().contains(ConsentScope.ACTIVITY)
                ? consent.getCustomerId() : null;
    }

    /** Writes the account's entry when the consent changed what it should say. */
    public static void follow(ProcessorContext<String, Routed> context, TopologySettings settings, String accountKey,
                              AccountConsent before, AccountConsent after, long time) {
        String was = entryFor(before);
        String is = entryFor(after);
        if (was == null ? is != null : !was.equals(is)) {
            context.forward(new Record<>(key(settings, accountKey), new Routed.ToDirectory(is), time));
        }
    }

    /** Removes the account's entry (an erasure: written whatever the directory holds). */
    public static void remove(ProcessorContext<String, Routed> context, TopologySettings settings, String accountKey, long time) {
        context.forward(new Record<>(key(settings, accountKey), new Routed.ToDirectory(null), time));
    }
}
