package io.socialcrm.consent;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.Credit;
import io.socialcrm.avro.internal.CreditKind;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.context.ContextAnalyzer;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.metrics.MetricsBuffer;
import io.socialcrm.time.EventTimeExtractor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where consent is enforced on activity (rule 1 of docs/processing-rules.md). Each activity is checked against
 * the contract, dropped if its event id was seen within {@code dedupe.window}, and then:
 * <ul>
 *   <li>if its actor's account has a GRANTED consent with ACTIVITY scope, its own-activity summary
 *       goes to the actor's customer: type, time, contexts found in the text (only with CONTENT scope;
 *       the text itself goes nowhere), followers (only with PROFILE scope);</li>
 *   <li>otherwise nothing about the actor is kept: the activity is only counted, anonymously.</li>
 * </ul>
 * Either way the accounts it acted on are credited (rule 2): a share, quote, reply, comment, like or
 * follow credits its target; each mention credits the mentioned account; not the actor itself, and a
 * mention of the action's own target is not credited twice. Credits carry only a salted hash of the
 * actor, and go to the target's partition, where only consented targets keep them.
 */
public final class ConsentGate extends ContextualProcessor<String, SocialActivity, String, Routed> {
    private final TopologySettings settings;
    private LiveCommits live;
    private final EventTimeExtractor eventTime;
    private final ContextAnalyzer contexts;
    private final long dedupeMs;
    private KeyValueStore<String, AccountConsent> consents;
    private AccountDirectory directory;
    private SeenEvents seen;
    private MetricsBuffer metrics;

    public ConsentGate(TopologySettings settings) {
        this.settings = settings;
        this.eventTime = new EventTimeExtractor(settings.maxFuture());
        this.contexts = new ContextAnalyzer(settings.taxonomy());
        this.dedupeMs = settings.dedupeWindow().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        live = LiveCommits.of(context, settings);
        consents = context.getStateStore(Names.ACCOUNT_CONSENTS);
        directory = AccountDirectory.of(context, settings);
        seen = SeenEvents.of(context, dedupeMs);
        metrics = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "consent-gate", settings.metricsFlush(),
                Names.METRICS_BUFFER_MARKS);
    }

    @Override
    public void process(Record<String, SocialActivity> record) {
        live.seen(record.timestamp());
        SocialActivity activity = record.value();
        String key = record.key();
        check(key, activity, record.timestamp());
        long time = activity.getOccurredAt().toEpochMilli();
        String platform = activity.getPlatform();

        byte[] eventHash = settings.hasher().event(platform, activity.getEventId());
        if (seen.contains(eventHash, time, context().currentStreamTimeMs())) {
            settings.counters().increment(Counter.DUPLICATES_DROPPED);
            return;
        }
        seen.add(eventHash, time);
        settings.counters().increment(Counter.ACTIVITIES_SEEN);

        AccountConsent actor = consents.get(key);
        if (ConsentRecorder.isGranted(actor) && actor.getScopes().contains(ConsentScope.ACTIVITY)) {
            metrics.count(platform, time, MetricsBuffer.Count.SEEN, MetricsBuffer.Count.ACCEPTED);
            settings.counters().increment(Counter.ACTIVITIES_ACCEPTED);
            OwnActivity own = new OwnActivity(key, activity.getType(), time, contextsOf(activity, actor),
                    actor.getScopes().contains(ConsentScope.PROFILE) ? activity.getActorFollowers() : null);
            context().forward(new Record<>(actor.getCustomerId(),
                    new Routed.ToCustomers(new CustomerEvent(own)), record.timestamp()));
        } else {
            metrics.count(platform, time, MetricsBuffer.Count.SEEN, MetricsBuffer.Count.DROPPED_NO_CONSENT);
            settings.counters().increment(Counter.ACTIVITIES_DROPPED_NO_CONSENT);
        }
        credit(activity, key, time, record.timestamp());
    }

    private void check(String key, SocialActivity activity, long recordTime) {
        if (activity == null) {
            throw new InvalidRecordException("activity has no value (a tombstone on an append-only topic)");
        }
        AccountKeys.check(key, activity.getPlatform(), activity.getActorId(), "actorId", settings.platforms());
        if (activity.getEventId() == null || activity.getEventId().isBlank()) {
            throw new InvalidRecordException("eventId is missing");
        }
        if (activity.getType() == ActivityType.UNKNOWN) {
            throw new InvalidRecordException("activity type is UNKNOWN (a type this version does not know)");
        }
        if (activity.getType() != ActivityType.POST && blank(activity.getTargetUserId())) {
            throw new InvalidRecordException(activity.getType() + " without targetUserId");
        }
        String timeProblem = eventTime.problem(activity.getOccurredAt().toEpochMilli(), recordTime);
        if (timeProblem != null) {
            throw new InvalidRecordException("occurredAt: " + timeProblem);
        }
        if (activity.getText() != null && activity.getText().length() > TopologySettings.MAX_TEXT_CHARS) {
            throw new InvalidRecordException("text is longer than " + TopologySettings.MAX_TEXT_CHARS + " characters");
        }
        if (activity.getMentionedUserIds().size() > TopologySettings.MAX_LIST_ITEMS
                || activity.getHashtags().size() > TopologySettings.MAX_LIST_ITEMS
                || activity.getLinkDomains().size() > TopologySettings.MAX_LIST_ITEMS) {
            throw new InvalidRecordException("more than " + TopologySettings.MAX_LIST_ITEMS
                    + " mentions, hashtags or link domains");
        }
    }

    private List<String> contextsOf(SocialActivity activity, AccountConsent actor) {
        Set<String> found = new LinkedHashSet<>();
        if (actor.getScopes().contains(ConsentScope.CONTENT)) {
            found.addAll(contexts.ofContent(activity.getText(), activity.getHashtags(), activity.getLinkDomains()));
        }
        if (activity.getType() == ActivityType.FOLLOW) {
            found.addAll(contexts.ofFollowed(AccountKeys.of(activity.getPlatform(), activity.getTargetUserId())));
        }
        return new ArrayList<>(found);
    }

    private void credit(SocialActivity activity, String actorKey, long time, long recordTime) {
        String actorId = activity.getActorId();
        String target = activity.getTargetUserId();
        CreditKind kind = switch (activity.getType()) {
            case SHARE, QUOTE -> CreditKind.SHARE;
            case REPLY, COMMENT -> CreditKind.REPLY;
            case LIKE -> CreditKind.LIKE;
            case FOLLOW -> CreditKind.FOLLOW;
            default -> null;
        };
        long engager = settings.hasher().engager(actorKey);
        if (kind != null && !target.equals(actorId)) {
            send(activity.getPlatform(), target, kind, time, engager, recordTime);
        }
        Set<String> mentioned = new LinkedHashSet<>(activity.getMentionedUserIds());
        for (String id : mentioned) {
            if (!blank(id) && !id.equals(actorId) && !(kind != null && id.equals(target))) {
                send(activity.getPlatform(), id, CreditKind.MENTION, time, engager, recordTime);
            }
        }
    }

    /**
     * A credit goes straight to the customer the directory names for the target (the customer stage
     * keeps it only for an account it holds linked with ACTIVITY scope), else to the target
     * account's partition, where its consent decides.
     */
    private void send(String platform, String userId, CreditKind kind, long time, long engager, long recordTime) {
        String target = AccountKeys.of(platform, userId);
        String customer = directory.customerOf(target);
        if (customer != null) {
            CreditReceived credit = new CreditReceived(target, kind, time, engager);
            context().forward(new Record<>(customer, new Routed.ToCustomers(new CustomerEvent(credit)), recordTime));
        } else {
            AccountCommand command = new AccountCommand(new Credit(kind, time, engager));
            context().forward(new Record<>(target, new Routed.ToAccounts(command), recordTime));
        }
    }

    @Override
    public void close() {
        if (seen != null) {
            seen.close();
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
