package io.socialcrm.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.config.AppConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compose files (single broker, and the three-broker override) checked as compose would check
 * them, and against what the other files of the deployment expect. No Docker engine runs here: the
 * entry point and the Connect worker configuration are also run for real, by DeploymentIT and ConnectIT.
 */
class DockerComposeTest {
    private static final Map<String, String> ENV = Map.of("SOCIALCRM_ENGAGERS_SALT", "0123456789abcdef0123456789abcdef",
            "POSTGRES_PASSWORD", "compose-test-password");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Z0-9_]+)}");

    @Test
    void everyServiceIsBuiltOrPulledAndWaitsOnlyForHealthChecks() throws Exception {
        for (String[] files : List.of(new String[] {"docker-compose.yml"},
                new String[] {"docker-compose.yml", "docker-compose.cluster.yml"})) {
            JsonNode compose = Compose.load(ENV, files);
            Set<String> services = new TreeSet<>();
            compose.path("services").fieldNames().forEachRemaining(services::add);
            Set<String> volumes = new HashSet<>();
            compose.path("volumes").fieldNames().forEachRemaining(volumes::add);
            for (String name : services) {
                JsonNode service = compose.path("services").path(name);
                assertTrue(service.has("image") || service.has("build"), name + " has an image or a build");
                assertTrue(service.has("healthcheck") || service.path("build").path("target").asText().equals("app"),
                        name + " has a health check (the app's is in its image)");
                service.path("depends_on").fields().forEachRemaining(dep -> {
                    assertTrue(services.contains(dep.getKey()), name + " depends on a service that exists: " + dep.getKey());
                    if (dep.getValue().path("condition").asText().equals("service_healthy")) {
                        assertTrue(compose.path("services").path(dep.getKey()).has("healthcheck"),
                                name + " waits for the health of " + dep.getKey() + ", which has a check");
                    }
                });
                for (JsonNode volume : service.path("volumes")) {
                    String source = volume.asText().split(":")[0];
                    if (source.startsWith(".") || source.startsWith("/")) {
                        assertTrue(source.contains("replay") || Files.exists(Compose.DOCKER.resolve(source)),
                                name + " mounts a path of the repository: " + source);
                    } else {
                        assertTrue(volumes.contains(source), name + " mounts a declared volume: " + source);
                    }
                }
                JsonNode build = service.path("build");
                if (build.has("target")) {
                    String dockerfile = Files.readString(Compose.DOCKER.resolve("..").resolve(build.path("dockerfile").asText()));
                    assertTrue(dockerfile.contains(" AS " + build.path("target").asText() + "\n"),
                            name + " builds a stage of the Dockerfile: " + build.path("target").asText());
                }
            }
        }
    }

    @Test
    void theApplicationsEnvironmentNamesOnlySettingsItKnows() throws Exception {
        JsonNode compose = Compose.load(ENV, "docker-compose.yml", "docker-compose.cluster.yml");
        List<String> unknown = new ArrayList<>();
        Compose.environment(compose, "socialcrm").keySet().forEach(variable -> {
            assertTrue(variable.startsWith("SOCIALCRM_"), variable);
            if (AppConfig.NOT_SETTINGS_ENV.contains(variable)) {
                return;
            }
            String key = variable.substring("SOCIALCRM_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
            if (!AppConfig.isPassThrough(key) && !AppConfig.isOwn(key)) {
                unknown.add(variable + " (" + key + ")");
            }
        });
        assertEquals(List.of(), unknown, "environment variables that would be ignored (typos)");
    }

    @Test
    void theConnectWorkerGetsEveryValueItsConfigurationReadsFromTheEnvironment() throws Exception {
        String properties = String.join("\n", Files.readAllLines(Compose.DOCKER.resolve("connect/connect-distributed.properties"))
                .stream().filter(l -> !l.trim().startsWith("#")).toList());
        Set<String> read = new TreeSet<>();
        Matcher m = ENV_REFERENCE.matcher(properties);
        while (m.find()) {
            read.add(m.group(1));
        }
        for (String[] files : List.of(new String[] {"docker-compose.yml"},
                new String[] {"docker-compose.yml", "docker-compose.cluster.yml"})) {
            Map<String, String> env = Compose.environment(Compose.load(ENV, files), "connect");
            for (String variable : read) {
                assertFalse(env.getOrDefault(variable, "").isBlank(), variable + " is set for the worker by " + String.join(" + ", files));
            }
        }
    }

    @Test
    void theConnectWorkersProducersKeepOneRequestInFlightAgainstTheNewPartitionWindow() throws Exception {
        java.util.Properties worker = new java.util.Properties();
        try (var in = Files.newBufferedReader(Compose.DOCKER.resolve("connect/connect-distributed.properties"))) {
            worker.load(in);
        }
        assertEquals("1", worker.getProperty("producer.max.in.flight.requests.per.connection"));
        assertEquals("true", worker.getProperty("producer.enable.idempotence"));
        assertEquals("all", worker.getProperty("producer.acks"));
    }

    @Test
    void replicationAndExactlyOnceSettingsFitTheNumberOfBrokers() throws Exception {
        checkReplication(Compose.load(ENV, "docker-compose.yml"), 1);
        checkReplication(Compose.load(ENV, "docker-compose.yml", "docker-compose.cluster.yml"), 3);
    }

    private static void checkReplication(JsonNode compose, int expectedBrokers) {
        List<String> brokers = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(s -> {
            if (s.getValue().path("environment").has("KAFKA_NODE_ID")) {
                brokers.add(s.getKey());
            }
        });
        assertEquals(expectedBrokers, brokers.size(), "brokers: " + brokers);
        for (String broker : brokers) {
            Map<String, String> env = Compose.environment(compose, broker);
            int transactions = Integer.parseInt(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"));
            int transactionsIsr = Integer.parseInt(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"));
            assertEquals(expectedBrokers, transactions, broker + ": the transaction log (exactly-once) on every broker");
            assertEquals(expectedBrokers, Integer.parseInt(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR")), broker);
            assertTrue(transactionsIsr <= transactions && (expectedBrokers == 1 || transactionsIsr < transactions),
                    broker + ": one broker can fail and transactions go on");
            assertEquals(expectedBrokers, env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",").length, broker + ": the quorum");
        }
        Map<String, String> app = Compose.environment(compose, "socialcrm");
        assertEquals(Integer.toString(expectedBrokers), app.get("SOCIALCRM_REPLICATION_FACTOR"), "Streams' internal topics");
        assertEquals(Integer.toString(expectedBrokers), app.get("SOCIALCRM_TOPICS_REPLICATION_FACTOR"), "the contract's topics");
        assertEquals("exactly_once_v2", app.get("SOCIALCRM_PROCESSING_GUARANTEE"));
        assertEquals(Integer.toString(expectedBrokers), Compose.environment(compose, "connect").get("CONNECT_REPLICATION_FACTOR"));
        assertEquals(expectedBrokers, app.get("SOCIALCRM_BOOTSTRAP_SERVERS").split(",").length, "the app knows every broker");
    }

    @Test
    void theSaltAndTheDatabasePasswordMustBeGivenAndEveryOtherVariableHasADefault() throws Exception {
        Map<String, String> variables = Compose.variables("docker-compose.yml", "docker-compose.cluster.yml");
        assertEquals("?", variables.get("SOCIALCRM_ENGAGERS_SALT"), "compose stops with a message when the salt is missing");
        assertEquals("?", variables.get("POSTGRES_PASSWORD"), "... and when the database's password is");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> Compose.load(Map.of("POSTGRES_PASSWORD", "p"), "docker-compose.yml"));
        assertTrue(missing.getMessage().contains("openssl rand -hex 16"), missing.getMessage());
        IllegalStateException noPassword = assertThrows(IllegalStateException.class,
                () -> Compose.load(Map.of("SOCIALCRM_ENGAGERS_SALT", "0123456789abcdef"), "docker-compose.yml"));
        assertTrue(noPassword.getMessage().contains("set POSTGRES_PASSWORD"), noPassword.getMessage());
        variables.forEach((name, fallback) -> {
            if (!name.equals("SOCIALCRM_ENGAGERS_SALT") && !name.equals("SOCIALCRM_HTTP_TOKEN") && !name.equals("POSTGRES_PASSWORD")) {
                assertFalse(fallback.isEmpty(), name + " has a default");
            }
        });
    }
}
