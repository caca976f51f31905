package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.socialcrm.common.Names;
import io.socialcrm.ops.Producers;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What "idle" means to {@link Progress#awaitIdle} (the wait of {@code replay}, of {@code demo}'s
 * warm-up and of the integration tests), on a real broker: the application's own repartition topics
 * count. A group that has committed all its input but not a record of {@code customer-events} is
 * not idle (an integration test once compared answers while a customer task still had activity to
 * process, its outputs quiet for two seconds), nor is an application that has not made its
 * repartition topics yet.
 */
class ProgressIT {
    private static final String APP = "progress-app";
    private static final String INPUT = "progress.input";
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration SHORT = Duration.ofSeconds(3);

    @Test
    void idleOnlyOnceTheRepartitionTopicsAreMadeAndProcessedToo() throws Exception {
        LocalStack stack = TestStacks.shared();
        List<String> repartitions = Names.repartitionTopics(APP);
        String customerEvents = Names.repartitionTopic(APP, Names.CUSTOMER_EVENTS);
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            send(stack, INPUT, 5);
            commit(admin, Map.of(new TopicPartition(INPUT, 0), 5L));
            Progress progress = new Progress(admin, APP);

            // the input is all committed, but the application has not made its repartition topics yet
            assertThrows(IllegalStateException.class, () -> progress.awaitIdle(List.of(INPUT), List.of(), QUIET, SHORT, lag -> { }),
                    "not idle before the repartition topics exist");

            List<NewTopic> internal = new ArrayList<>();
            repartitions.forEach(name -> internal.add(new NewTopic(name, 1, (short) 1)));
            admin.createTopics(internal).all().get(30, TimeUnit.SECONDS);
            send(stack, customerEvents, 3);
            assertThrows(IllegalStateException.class, () -> progress.awaitIdle(List.of(INPUT), List.of(), QUIET, SHORT, lag -> { }),
                    "not idle while the customer stage has three records of customer-events to process");

            commit(admin, Map.of(new TopicPartition(customerEvents, 0), 3L));
            assertDoesNotThrow(() -> progress.awaitIdle(List.of(INPUT), List.of(), QUIET, Duration.ofSeconds(30), lag -> { }),
                    "idle once every record of the input and of the repartition topics is committed");
        }
    }

    private static void send(LocalStack stack, String topic, int records) {
        try (KafkaProducer<String, String> producer = Producers.create(stack.bootstrapServers(), new Properties(),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    /** Commits offsets for the application's group, as its stream threads would after processing. */
    private static void commit(Admin admin, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        offsets.forEach((partition, offset) -> committed.put(partition, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(APP, committed).all().get(30, TimeUnit.SECONDS);
    }
}
