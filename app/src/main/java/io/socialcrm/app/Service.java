package io.socialcrm.app;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topics;
import io.socialcrm.http.KafkaConsoleBackend;
import io.socialcrm.http.QueryApi;
import io.socialcrm.segments.SegmentFile;
import io.socialcrm.topology.StreamsProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running socialcrm instance as {@code run} and {@code demo} start it: the default segments
 * seeded into an empty definitions topic, the topology, and the HTTP query API advertised as this
 * instance's {@code application.server}.
 */
public final class Service implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);
    private final Pipeline pipeline;
    private final QueryApi api;
    private final HostInfo advertised;

    private Service(Pipeline pipeline, QueryApi api, HostInfo advertised) {
        this.pipeline = pipeline;
        this.api = api;
        this.advertised = advertised;
    }

    public static Service start(Settings settings) {
        return start(settings, () -> { });
    }

    /**
     * Like {@link #start(Settings)}; {@code beforeFirstRecord} runs once Kafka Streams has started
     * (its first rebalance under way) and before anything is written, e.g. waiting for a schema
     * registry that is still starting.
     */
    public static Service start(Settings settings, Runnable beforeFirstRecord) {
        boolean http = settings.bool(AppConfig.HTTP_ENABLED.name());
        HostInfo advertised = null;
        if (http) {
            String bindHost = settings.require(AppConfig.HTTP_HOST.name(), "the address to bind the HTTP API to");
            int port = settings.intValue(AppConfig.HTTP_PORT.name(), 0, 65_535);
            if (port == 0) {
                port = freePort(bindHost);
            }
            String host = settings.get(AppConfig.HTTP_ADVERTISED.name()).orElseGet(() -> defaultAdvertisedHost(bindHost));
            advertised = new HostInfo(host, port);
            settings = settings.with(Map.of(AppConfig.HTTP_PORT.name(), Integer.toString(port),
                    StreamsConfig.APPLICATION_SERVER_CONFIG, host + ":" + port), "computed");
        }
        Topics topics = Topics.withPrefix(settings.string(AppConfig.TOPICS_PREFIX.name()));
        Pipeline pipeline = Pipeline.create(settings);
        try {
            // started first: its rebalance overlaps the seeding, whose records it reads like any other
            pipeline.start();
            beforeFirstRecord.run();
            seedSegments(settings, topics);
            QueryApi api = null;
            if (http) {
                KafkaConsoleBackend console = new KafkaConsoleBackend(settings.require(AppConfig.BOOTSTRAP_SERVERS.name(), "the Kafka brokers"),
                        AppConfig.adminClient(settings, "broker:9092"), topics, pipeline.registry());
                api = QueryApi.start(pipeline.streams(), pipeline.topology(), settings.string(AppConfig.HTTP_HOST.name()),
                        advertised.port(), advertised, settings.string(AppConfig.HTTP_TOKEN.name()), console);
            }
            return new Service(pipeline, api, advertised);
        } catch (IOException e) {
            pipeline.close();
            throw new UncheckedIOException("Cannot start the HTTP API on port " + advertised.port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    private static void seedSegments(Settings settings, Topics topics) {
        if (!settings.bool(AppConfig.SEGMENTS_SEED.name())) {
            return;
        }
        String bootstrap = settings.require(AppConfig.BOOTSTRAP_SERVERS.name(), "the Kafka brokers");
        if (!SegmentSeeder.isEmpty(bootstrap, topics.segmentDefinitions)) {
            return;
        }
        String file = settings.string(AppConfig.SEGMENTS_FILE.name());
        List<SegmentDefinition> definitions = file == null ? SegmentFile.builtIn() : SegmentFile.load(Path.of(file));
        SegmentSeeder.write(bootstrap, AppConfig.adminClient(settings, "broker:9092"), topics,
                StreamsProperties.registry(settings), definitions);
    }

    /** A port free on {@code bindHost} now. */
    static int freePort(String bindHost) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(bindHost))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + bindHost, e);
        }
    }

    private static String defaultAdvertisedHost(String bindHost) {
        if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Base URL of this instance's API, or null. */
    public String url() {
        return advertised == null ? null : "http://" + advertised.host() + ":" + advertised.port();
    }

    public void awaitRunning(Duration timeout) {
        pipeline.awaitRunning(timeout);
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        pipeline.close();
        LOG.info("Stopped");
    }
}
