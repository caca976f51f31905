package io.socialcrm.app;

import io.socialcrm.common.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far an application is through its input, seen from outside: the consumer group's lag on the
 * input topics, and whether every topic the application writes has stopped growing.
 */
public final class Progress {
    private final Admin admin;
    private final String groupId;

    /** How many records of some topics the group has committed, of how many there are. */
    public record Position(long committed, long end) {
        public boolean atEnd() {
            return committed >= end;
        }
    }

    public Progress(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** Records of {@code topics} the group has not committed yet. */
    public long lag(Collection<String> topics) {
        Map<TopicPartition, Long> end = endOffsets(topics);
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets();
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    /**
     * Records of {@code inputs} and of the application's own repartition topics (the group is its
     * {@code application.id}) the group has not committed yet: what the application has still to process.
     */
    public long applicationLag(Collection<String> inputs) {
        List<String> consumed = new ArrayList<>(inputs);
        consumed.addAll(Names.repartitionTopics(groupId));
        return lag(consumed);
    }

    /** The group's committed records of {@code topics}, and their end offsets, summed over partitions. */
    public Position position(Collection<String> topics) {
        Map<TopicPartition, Long> end = endOffsets(topics);
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets();
        long done = 0;
        for (TopicPartition partition : end.keySet()) {
            OffsetAndMetadata c = committed.get(partition);
            done += c == null ? 0 : c.offset();
        }
        return new Position(done, end.values().stream().mapToLong(Long::longValue).sum());
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets() {
        try {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the progress of " + groupId + ": " + e.getMessage(), e);
        }
    }

    private Set<String> topicNames() {
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot list the topics: " + e.getMessage(), e);
        }
    }

    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> end = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
                end.put(e.getKey(), e.getValue().offset());
            }
            return end;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read end offsets: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the application (the group is its {@code application.id}) has committed every record
     * of {@code inputs} and of its own repartition topics, and none of {@code written} or of those
     * repartition topics has grown for {@code quiet}; reports the lag as it goes.
     *
     * <p>The repartition topics count: the input committed says only that the first stage is through.
     * A customer task that stops for a while with records of its repartition topic still to process
     * (moving to another instance, restoring, a long commit) writes nothing meanwhile, so outputs that
     * have not grown for a few seconds do not show that it is done; a test read answers that changed
     * again seconds later. Until the application has made its repartition topics (at its first
     * rebalance) it is not idle either.
     */
    void awaitIdle(Collection<String> inputs, Collection<String> written, Duration quiet, Duration timeout, LongConsumer lagReport) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> last = null;
        long stableSince = 0;
        List<String> repartitions = Names.repartitionTopics(groupId);
        List<String> all = new ArrayList<>(written);
        all.addAll(repartitions);
        boolean created = false;
        while (System.nanoTime() < deadline) {
            // an application that has just started may not have made its repartition topics yet: not idle
            created = created || topicNames().containsAll(repartitions);
            if (!created) {
                lagReport.accept(lag(inputs));
                last = null;
                Pipeline.sleep(250);
                continue;
            }
            long lag = applicationLag(inputs);
            lagReport.accept(lag);
            Map<TopicPartition, Long> now = endOffsets(all);
            if (lag == 0 && now.equals(last)) {
                if (System.nanoTime() - stableSince >= quiet.toNanos()) {
                    return;
                }
            } else {
                stableSince = System.nanoTime();
            }
            last = now;
            Pipeline.sleep(250);
        }
        throw new IllegalStateException("The application did not finish within " + timeout.toSeconds() + " s");
    }
}
