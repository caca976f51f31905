package io.socialcrm.stack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.SocialActivity;
import io.socialcrm.bench.ChildJvm;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.Producers;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.testing.SampleRecords;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The embedded stack: starts, holds the contract's topics, carries records, and leaves nothing behind. */
class LocalStackIT {

    @Test
    void startsCarriesAnAvroRecordAndLeavesNoProcessOrFileBehind() throws Exception {
        Path workDir;
        long registryPid;
        String bootstrap;
        // the demo's way: back once the broker and topics are ready, the registry still starting
        try (LocalStack stack = LocalStack.startRegistryInBackground(LocalStack.Options.defaults().withPartitions(3))) {
            workDir = stack.workDir();
            registryPid = stack.registryPid();
            bootstrap = stack.bootstrapServers();
            assertTrue(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false), "registry runs");

            try (Admin admin = stack.admin()) {
                List<TopicAdmin.TopicState> states = new TopicAdmin(admin, stack.topics()).describe();
                for (TopicAdmin.TopicState state : states) {
                    assertTrue(state.exists(), state.name());
                }
                Map<String, TopicAdmin.TopicState> byName = states.stream()
                        .collect(java.util.stream.Collectors.toMap(TopicAdmin.TopicState::name, s -> s));
                assertEquals(3, byName.get("social-activity").partitions());
                assertEquals("delete", byName.get("social-activity").cleanupPolicy());
                assertEquals("-1", byName.get("social-activity").retentionMs(),
                        "the embedded stack keeps replayed history for the life of the run");
                assertEquals("compact", byName.get("consents").cleanupPolicy());
                assertEquals("compact", byName.get("customer-profiles").cleanupPolicy());
                assertEquals("compact", byName.get("segment-members").cleanupPolicy());
            }

            stack.awaitRegistry();
            Topic<SocialActivity> topic = stack.topics().socialActivity;
            Serde<SocialActivity> serde = Topics.valueSerde(topic, SchemaRegistryConfig.of(stack.schemaRegistryUrl()));
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<String, SocialActivity> producer = Producers.create(bootstrap, producerProps,
                    Topics.keySerde().serializer(), serde.serializer())) {
                producer.send(new ProducerRecord<>(topic.name(), "twitter:783214", SampleRecords.activity())).get();
            }
            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "round-trip");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, SocialActivity> consumer = new KafkaConsumer<>(consumerProps,
                    Topics.keySerde().deserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(topic.name()));
                ConsumerRecord<String, SocialActivity> received = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (received == null && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, SocialActivity> r : consumer.poll(Duration.ofMillis(200))) {
                        received = r;
                    }
                }
                assertEquals("twitter:783214", received.key());
                assertEquals(SampleRecords.activity(), received.value());
            }
        }
        assertFalse(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false), "registry process stopped");
        assertFalse(Files.exists(workDir), "temporary folder removed");
        String[] hostPort = bootstrap.split(":");
        assertFalse(listening(hostPort[0], Integer.parseInt(hostPort[1])), "broker port closed");
    }

    @Test
    void theRegistryDiesWithItsParentEvenOnKillMinusNine() throws Exception {
        // A child JVM starts a stack and is killed with SIGKILL: no shutdown hook runs, yet the
        // registry's supervisor notices the missing parent and stops the registry.
        Path marker = Files.createTempFile("stack-child", ".pid");
        ChildJvm child = ChildJvm.of(StackChild.class.getName(), marker.toString())
                .jvmOptions("-D" + EmbeddedSchemaRegistry.HOME_PROPERTY + "=" + System.getProperty(EmbeddedSchemaRegistry.HOME_PROPERTY, ""))
                .logTo(Files.createTempFile("stack-child", ".log")).start();
        List<String> lines = await("the child's stack up").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readAllLines(marker), l -> l.size() == 2);
        long supervisor = Long.parseLong(lines.get(0).trim());
        Path childWorkDir = Path.of(lines.get(1).trim());
        List<ProcessHandle> registryTree = ProcessHandle.of(supervisor).map(p -> p.descendants().toList()).orElse(List.of());
        assertTrue(ProcessHandle.of(supervisor).isPresent() && !registryTree.isEmpty(), "the registry runs under its supervisor");
        assertEquals(137, child.kill());
        await("the registry gone after its parent").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> ProcessHandle.of(supervisor).isEmpty() && registryTree.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(ProcessHandle.of(supervisor).map(ProcessHandle::isAlive).orElse(false), "supervisor gone");
        assertTrue(registryTree.stream().noneMatch(ProcessHandle::isAlive), "registry JVM gone");
        assertTrue(Files.exists(childWorkDir), "a killed JVM cannot clean up after itself...");
        assertTrue(LocalStack.removeStaleWorkDirs() >= 1);
        assertFalse(Files.exists(childWorkDir), "...so the next stack removes its folder");
        Files.deleteIfExists(marker);
    }

    /** Started in a child JVM by the test above. */
    public static final class StackChild {
        public static void main(String[] args) throws Exception {
            LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPartitions(1));
            Files.writeString(Path.of(args[0]), stack.registryPid() + "\n" + stack.workDir());
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
