package io.socialcrm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The benchmark's baseline: a Kafka Streams application that reads the activity topic and writes
 * every record, unchanged, to another topic, with the same guarantee (exactly-once) and threads as
 * socialcrm. What it reaches is the engine's limit on this machine and broker; socialcrm's figure is
 * reported as a fraction of it. Runs in a JVM of its own: {@code PassThrough <properties file>}.
 */
public final class PassThrough {
    public static final String INPUT = "bench.input.topic";
    public static final String OUTPUT = "bench.output.topic";

    private PassThrough() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        String input = (String) props.remove(INPUT);
        String output = (String) props.remove(OUTPUT);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.Bytes(), Serdes.Bytes()).withName("passthrough-source"))
                .to(output, Produced.with(Serdes.Bytes(), Serdes.Bytes()).withName("passthrough-sink"));
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
