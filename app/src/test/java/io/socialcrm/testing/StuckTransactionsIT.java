package io.socialcrm.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.stack.LocalStack;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hang report of {@code DemoIT} and {@code TwoInstancesIT} names a transaction left open, as stuck,
 * with its producer, on a real broker; and says none once it is committed.
 */
class StuckTransactionsIT {
    @Test
    void anOpenTransactionIsReportedAsStuckUntilItCommits() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withRegistry(LocalStack.RegistryKind.MOCK));
             Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic("held", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "stuck-transactions-it");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("held", 1, "k", "v")).get(30, TimeUnit.SECONDS);

                String open = StuckTransactions.of(stack.bootstrapServers());
                assertTrue(open.contains("held-1: stable 0, end 1, STUCK"), open);
                assertTrue(open.contains("since offset 0"), "the producer holding it: " + open);
                assertFalse(open.contains("held-0"), "a partition without an open transaction is not listed: " + open);

                producer.commitTransaction();
                String committed = StuckTransactions.of(stack.bootstrapServers());
                assertFalse(committed.contains("held-"), committed);
            }
        }
    }
}
