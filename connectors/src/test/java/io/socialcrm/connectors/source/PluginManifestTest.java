package io.socialcrm.connectors.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

/**
 * A Connect worker finds the plugin's connectors through its service manifest (with
 * {@code plugin.discovery=service_load}, and to list them at all): every source connector is in it.
 */
class PluginManifestTest {
    @Test
    void everySourceConnectorIsInTheServiceManifest() {
        Set<String> listed = new TreeSet<>();
        ServiceLoader.load(SourceConnector.class).stream().forEach(p -> listed.add(p.type().getSimpleName()));
        assertEquals(Set.of("BlueskySourceConnector", "MastodonSourceConnector", "ReplaySourceConnector", "TwitterSourceConnector"),
                listed);
    }
}
