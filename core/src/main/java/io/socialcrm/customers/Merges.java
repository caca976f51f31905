package io.socialcrm.customers;

import io.socialcrm.avro.internal.Absorb;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountErased;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.MergeRequest;
import io.socialcrm.avro.internal.Relink;
import io.socialcrm.avro.internal.Restore;
import io.socialcrm.avro.internal.UnmergeRequest;
import io.socialcrm.common.Routed;
import io.socialcrm.contract.ExitReasons;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identity merges and unmerges. A merge moves the merged customer's per-account state to the
 * survivor (counters are made of per-account state, so they are conserved) and leaves a redirect
 * under the merged id; an unmerge gives the accounts that came with it back, with their state.
 */
final class Merges {
    private static final Logger LOG = LoggerFactory.getLogger(Merges.class);
    private final CustomerStage stage;
    private final Refresher refresher;
    private final PrivacyLifecycle privacy;
    private final AccountUpdates updates;

    Merges(CustomerStage stage, Refresher refresher, PrivacyLifecycle privacy, AccountUpdates updates) {
        this.stage = stage;
        this.refresher = refresher;
        this.privacy = privacy;
        this.updates = updates;
    }

    void onMerge(String mergedId, CustomerState state, MergeRequest merge, long time) {
        String survivor = merge.getSurvivorId();
        if (state != null) {
            CustomerState moving = CustomerState.newBuilder(state).setMemberships(new ArrayList<>())
                    .setIndexKey(null).setLastScore(-1).build();
            stage.toCustomer(survivor, new Absorb(mergedId, moving), time);
            privacy.remove(mergedId, state, ExitReasons.MERGED, time);
        }
        // a redirect: whatever still arrives for the merged id (in flight, or a consent recorded
        // under the old id) reaches the survivor
        stage.states.put(mergedId, CustomerState.newBuilder().setRedirectTo(survivor).build());
    }

    void onAbsorb(String id, CustomerState state, Absorb absorb, long time) {
        if (state == null) {
            state = CustomerState.newBuilder().build();
        }
        CustomerState moved = absorb.getState();
        for (AccountState account : moved.getAccounts()) {
            account.setMergedVia(absorb.getMergedId()); // an unmerge of that id gives it back
            AccountState existing = CustomerStage.find(state, account.getAccountKey());
            if (existing == null) {
                state.getAccounts().add(account);
            } else {
                updates.absorb(existing, account);
            }
            // the survivor re-links the accounts only now that it holds them: anything routed to it
            // from here on finds its account
            relink(account.getAccountKey(), id, time);
        }
        Set<String> mergedFrom = new LinkedHashSet<>(state.getMergedFrom());
        mergedFrom.add(absorb.getMergedId());
        mergedFrom.addAll(moved.getMergedFrom());
        mergedFrom.remove(id);
        state.setMergedFrom(new ArrayList<>(mergedFrom));
        refresher.afterChange(id, state, time, Refresher.Why.CONSENT);
    }

    /**
     * Undoes a merge on the survivor: the accounts that came with the merged id (or those named)
     * leave with their per-account state, which is all a customer's counters are made of, and go
     * back to the merged id; the survivor is recomputed. Nothing to give back and the id no longer
     * merged here: a repeated unmerge, nothing happens.
     */
    void onUnmerge(String id, CustomerState state, UnmergeRequest unmerge, long time) {
        if (state == null) {
            return;
        }
        String restoredId = unmerge.getMergedId();
        Set<String> named = new HashSet<>(unmerge.getAccountKeys());
        List<AccountState> giving = state.getAccounts().stream()
                .filter(a -> named.isEmpty() ? restoredId.equals(a.getMergedVia()) : named.contains(a.getAccountKey())).toList();
        List<String> mergedFrom = new ArrayList<>(state.getMergedFrom());
        boolean wasMerged = mergedFrom.remove(restoredId);
        if (giving.isEmpty() && !wasMerged) {
            return;
        }
        state.setMergedFrom(mergedFrom);
        state.getAccounts().removeAll(giving);
        List<AccountState> back = new ArrayList<>();
        for (AccountState account : giving) {
            back.add(AccountState.newBuilder(account).setMergedVia(null).build());
        }
        stage.toCustomer(restoredId, new Restore(id, CustomerState.newBuilder().setAccounts(back).build()), time);
        LOG.info("Unmerge: {} account(s) given back", back.size());
        if (state.getAccounts().isEmpty()) {
            privacy.remove(id, state, "no linked account left: unmerged", time);
        } else {
            refresher.afterChange(id, state, time, Refresher.Why.CONSENT);
        }
    }

    /** The restored side of an unmerge: its redirect gives way to the accounts given back, re-linked to it. */
    void onRestore(String id, CustomerState state, Restore restore, long time) {
        CustomerState restored = state == null || state.getRedirectTo() != null ? CustomerState.newBuilder().build() : state;
        for (AccountState account : restore.getState().getAccounts()) {
            restored.getAccounts().removeIf(a -> a.getAccountKey().equals(account.getAccountKey()));
            restored.getAccounts().add(account);
            relink(account.getAccountKey(), id, time);
        }
        if (restored.getAccounts().isEmpty()) {
            stage.states.delete(id); // no account came back: only the redirect goes
            return;
        }
        refresher.afterChange(id, restored, time, Refresher.Why.CONSENT);
    }

    /** An event for a merged-away id: it goes on to the survivor (an erasure also removes the redirect). */
    void onRedirected(String id, CustomerState redirect, CustomerEvent event, long time) {
        Object inner = event.getEvent();
        if (inner instanceof EraseRequest erase) {
            privacy.onRedirectErased(id, redirect, erase, time);
        } else if (inner instanceof MergeRequest) {
            LOG.warn("Ignored a merge of a customer that was already merged into another");
        } else if (!(inner instanceof AccountErased)) {
            stage.toCustomer(redirect.getRedirectTo(), inner, time);
        }
    }

    private void relink(String accountKey, String customerId, long time) {
        stage.forward(accountKey, new Routed.ToAccounts(new AccountCommand(new Relink(customerId))), time);
    }
}
