package io.socialcrm.testing;

import io.socialcrm.ops.ClientWarnings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * For a test that waited in vain on a pipeline: which partitions of a broker hold a transaction that is still
 * open (their last stable offset behind their end: a read-committed reader, such as the next stage of the
 * pipeline, waits there), whether they are stuck (the same a few seconds later) or only in flight, which
 * producers hold them since when, and the Kafka clients' latest distinct
 * warnings with how often each came ({@link ClientWarnings} shows each only once in 30 s).
 */
public final class StuckTransactions {
    /** How long after the first look the second one is taken. */
    private static final long SECOND_LOOK_MS = 3_000;
    /** Open partitions listed at most (stuck ones first); the rest are counted. */
    private static final int MAX_LISTED = 16;

    private StuckTransactions() {
    }

    /** A report, never an exception: a broker that does not answer says so. */
    public static String of(String bootstrapServers) {
        StringBuilder report = new StringBuilder("Open transactions on ").append(bootstrapServers).append(":\n");
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(admin.listTopics().names().get(10, TimeUnit.SECONDS)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .forEach((name, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            var end = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : latest.keySet()) {
                if (stable.get(tp).offset() < end.get(tp).offset()) {
                    open.add(tp);
                }
            }
            // a second look a few seconds later (when anything is open) tells a transaction that is stuck (its
            // stable offset has not moved) from one that was only in flight at the first
            Map<TopicPartition, ListOffsetsResultInfo> later = new HashMap<>();
            if (!open.isEmpty()) {
                Map<TopicPartition, OffsetSpec> again = new HashMap<>();
                open.forEach(tp -> again.put(tp, OffsetSpec.latest()));
                Thread.sleep(SECOND_LOOK_MS);
                later.putAll(admin.listOffsets(again, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS));
            }
            Predicate<TopicPartition> stuck = tp -> later.containsKey(tp) && later.get(tp).offset() == stable.get(tp).offset();
            open.sort(Comparator.comparing((TopicPartition tp) -> !stuck.test(tp)).thenComparing(TopicPartition::toString));
            var producers = open.isEmpty() ? Map.<TopicPartition, org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState>of()
                    : admin.describeProducers(open).all().get(10, TimeUnit.SECONDS);
            for (TopicPartition tp : open.subList(0, Math.min(open.size(), MAX_LISTED))) {
                report.append("  ").append(tp).append(": stable ").append(stable.get(tp).offset()).append(", end ")
                        .append(end.get(tp).offset()).append(stuck.test(tp) ? ", STUCK (stable offset the same "
                                + SECOND_LOOK_MS / 1000 + " s later)" : ", moving");
                var state = producers.get(tp);
                if (state != null) {
                    state.activeProducers().stream().filter(s -> s.currentTransactionStartOffset().isPresent()).forEach(s ->
                            report.append("; producer ").append(s.producerId()).append(" epoch ").append(s.producerEpoch())
                                    .append(" since offset ").append(s.currentTransactionStartOffset().getAsLong()));
                }
                report.append('\n');
            }
            if (open.isEmpty()) {
                report.append("  none\n");
            } else if (open.size() > MAX_LISTED) {
                report.append("  ... and ").append(open.size() - MAX_LISTED).append(" more\n");
            }
        } catch (Exception e) {
            report.append("  (the broker did not answer: ").append(e);
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                report.append("; ").append(cause);
            }
            report.append(")\n");
        }
        report.append("The Kafka clients' latest distinct warnings (count: how often since first seen):\n");
        for (ClientWarnings.Recent r : ClientWarnings.recent(0).stream().limit(12).toList()) {
            report.append("  ").append(r.count()).append(" x ").append(r.message()).append('\n');
        }
        return report.toString();
    }
}
