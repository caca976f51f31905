package io.socialcrm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The benchmark's baseline: a Kafka Streams application that reads the activity topic and writes
 * every record, unchanged, to another topic, with the same guarantee (exactly-once) and threads as
 * socialcrm. What it reaches is the engine's limit on this machine and broker; socialcrm's figure is
 * reported as a fraction of it. Runs in a JVM of its own: {@code PassThrough <properties file>}.
 *
 * <p>With {@value #HOP} set to {@code true} each record also crosses one repartition topic on its
 * way (read, written to the repartition topic, read back by a second sub-topology, written out):
 * the least any topology does that keeps state under two keys, as socialcrm does (the consent gate
 * by account, the customer stage by customer). Records keep their key and partition: a re-key would
 * cost the same.
 */
public final class PassThrough {
    public static final String INPUT = "bench.input.topic";
    public static final String OUTPUT = "bench.output.topic";
    public static final String HOP = "bench.hop";
    /** The name of the repartition topic of the one-hop variant, after the application id and '-'. */
    public static final String HOP_TOPIC = "hop-repartition";

    private PassThrough() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        String input = (String) props.remove(INPUT);
        String output = (String) props.remove(OUTPUT);
        boolean hop = Boolean.parseBoolean((String) props.remove(HOP));
        StreamsBuilder builder = new StreamsBuilder();
        KStream<Bytes, Bytes> records = builder.stream(input, Consumed.with(Serdes.Bytes(), Serdes.Bytes()).withName("passthrough-source"));
        if (hop) {
            records = records.repartition(Repartitioned.<Bytes, Bytes>as("hop").withKeySerde(Serdes.Bytes()).withValueSerde(Serdes.Bytes()));
        }
        records.to(output, Produced.with(Serdes.Bytes(), Serdes.Bytes()).withName("passthrough-sink"));
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        CountDownLatch stopped = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.setStateListener((now, before) -> {
                System.out.println("Kafka Streams " + before + " -> " + now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(streams::close, "passthrough-stop"));
            streams.start();
            stopped.await();
        }
    }
}
