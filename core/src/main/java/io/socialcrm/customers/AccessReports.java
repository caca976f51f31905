package io.socialcrm.customers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.consent.AccountKeys;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.PlainJson;
import java.time.Instant;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The access report: everything the customer stage holds about one customer, as a portable JSON
 * document for the customer (the right of access; their copy to take elsewhere). Built from the
 * customer's state and the segment index, by the topology (answering {@code access-requests}) and by
 * the API ({@code GET /customers/{id}/export}) alike. Raw text and engager identities are never held,
 * and the report says so.
 */
public final class AccessReports {
    private AccessReports() {
    }

    /**
     * The report of a customer held here; {@code index} gives a live membership's entry (its reason),
     * or null; {@code contactPlan} is the customer's entry in {@code contact-plans}, or null.
     */
    public static ObjectNode held(String customerId, CustomerState state, ProfileBuilder.Built built, double[] hoursOfWeek,
                                  Function<String, SegmentMembership> index, ContactPlan contactPlan, long asOf) {
        ObjectNode doc = header(customerId, true, asOf);
        ArrayNode accounts = doc.putArray("accounts");
        for (AccountState a : state.getAccounts()) {
            ObjectNode account = accounts.addObject();
            account.put("platform", AccountKeys.platformOf(a.getAccountKey()));
            account.put("platformUserId", AccountKeys.userIdOf(a.getAccountKey()));
            account.put("handle", a.getHandle());
            ArrayNode scopes = account.putArray("consentScopes");
            a.getScopes().stream().map(ConsentScope::name).sorted().forEach(scopes::add);
            account.put("linkedAt", iso(a.getLinkedAt()));
            if (a.getMergedVia() != null) {
                account.put("cameWithMergeOf", a.getMergedVia());
            }
            ObjectNode received = account.putObject("received");
            received.put("lastOwnActivityAt", a.getLastActivityAt() == null ? null : iso(a.getLastActivityAt()));
            received.put("countersAsOf", iso(a.getAt()));
            received.put("ownActivity", a.getActivity());
            received.put("sharesReceived", a.getShares());
            received.put("mentionsReceived", a.getMentions());
            received.put("repliesReceived", a.getReplies());
            received.put("likesReceived", a.getLikes());
            received.put("followsReceived", a.getFollows());
            received.put("distinctEngagers", a.getEngagers());
            received.put("followers", a.getFollowers());
            received.put("followersAt", a.getFollowersAt() <= 0 ? null : iso(a.getFollowersAt()));
            ObjectNode contexts = received.putObject("contexts");
            new TreeMap<>(a.getContexts()).forEach((k, v) -> contexts.put(k, v));
            received.put("contextsAsOf", iso(a.getContextsAt()));
            ObjectNode hours = received.putObject("activityByHourOfWeek");
            HourHistogram.forEach(a, (hour, weight) -> hours.put(Integer.toString(hour), weight));
        }
        doc.set("profile", PlainJson.write(built.profile()));
        addHours(doc.putArray("hoursOfWeek"), hoursOfWeek);
        ArrayNode live = doc.putArray("memberships");
        ArrayNode shadow = doc.putArray("shadowMemberships");
        for (Membership m : state.getMemberships()) {
            boolean isShadow = Segment.isShadowKey(m.getSegmentId());
            addMembership(isShadow ? shadow : live, m, isShadow ? null : index.apply(m.getSegmentId()));
        }
        ObjectNode contact = doc.putObject("contactOpportunities");
        contact.put("lastContactAt", contactPlan == null || contactPlan.getLastContactAt() == null ? null
                : iso(contactPlan.getLastContactAt()));
        ContactOpportunity o = contactPlan == null ? null : contactPlan.getOpportunity();
        contact.set("current", o == null ? null : PlainJson.write(o));
        contact.put("where", "opportunities written, due or cancelled, are on the topic contact-opportunities for its retention");
        doc.putObject("segmentHistory").put("where", "every entry and exit is on the topics segment-changes and segment-shadow-changes "
                + "for their retention (7 days by default); GET /customers/{id}/export and replay add them here as live and shadow");
        return doc;
    }

    /**
     * Adds a membership to {@code list}: segment, since, definition version, the reason (the live
     * entry's from {@code indexed}, the segment index; a shadow's from the state) and a held exit.
     */
    public static void addMembership(ArrayNode list, Membership m, SegmentMembership indexed) {
        ObjectNode entry = list.addObject();
        entry.put("segmentId", Segment.idOf(m.getSegmentId()));
        entry.put("since", iso(m.getSince()));
        entry.put("definitionVersion", m.getDefinitionVersion());
        entry.put("reason", indexed != null ? indexed.getReason() : m.getReason());
        if (m.getExitDueSince() != null) {
            entry.put("exitDueSince", iso(m.getExitDueSince()));
        }
    }

    /** Adds the 168 hour-of-week weights to {@code list}, rounded to thousandths. */
    public static void addHours(ArrayNode list, double[] hoursOfWeek) {
        for (double h : hoursOfWeek) {
            list.add(Math.round(h * 1000) / 1000.0);
        }
    }

    /** The report of a customer about whom nothing is held here (never consented, erased; or merged into {@code mergedInto}). */
    public static ObjectNode nothingHeld(String customerId, String mergedInto, long asOf) {
        ObjectNode doc = header(customerId, false, asOf);
        doc.put("why", mergedInto != null ? "this id was merged into customer " + mergedInto + ": ask for that id's report"
                : "nothing is held about this customer: no consent in force, or erased");
        if (mergedInto != null) {
            doc.put("mergedInto", mergedInto);
        }
        return doc;
    }

    private static ObjectNode header(String customerId, boolean held, long asOf) {
        ObjectNode doc = PlainJson.MAPPER.createObjectNode();
        doc.put("customerId", customerId);
        doc.put("held", held);
        doc.put("asOf", iso(asOf));
        ArrayNode never = doc.putArray("neverHeld");
        never.add("the text of posts, replies and messages (only the contexts found in them)");
        never.add("who engaged with the customer (only a salted, hashed sketch of how many)");
        never.add("anything from accounts without a consent in force");
        return doc;
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
