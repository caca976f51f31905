package io.socialcrm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the code, as {@code docs/architecture.md} draws it, checked on the compiled
 * classes of every module (this test lives in {@code app}, the one module that sees them all): a
 * dependency that points upward or closes a circle fails the build.
 *
 * <pre>
 *   layer       module      packages
 *   outer       app, bench  app, http, bench, generator   (CLI, HTTP API, benchmarks, generated data)
 *   stack       stack       stack                         (the embedded broker and registry)
 *   topology    core        topology                      (assembles the processors into a Kafka Streams topology)
 *   processors  core        consent, customers, segments, metrics, privacy
 *   base        core        common (names, routing types, settings, counters), config, context,
 *                           influence, time, errors, ops
 * </pre>
 */
class ArchitectureTest {
    private static final String[] PROCESSORS = {"io.socialcrm.consent..", "io.socialcrm.customers..",
            "io.socialcrm.segments..", "io.socialcrm.metrics..", "io.socialcrm.privacy.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the other modules' test jars
                .importPackages("io.socialcrm");
    }

    @Test
    void layersDependOnlyDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("base").definedBy("io.socialcrm.common..", "io.socialcrm.config..", "io.socialcrm.context..",
                        "io.socialcrm.influence..", "io.socialcrm.time..", "io.socialcrm.errors..", "io.socialcrm.ops..")
                .layer("processors").definedBy(PROCESSORS)
                .layer("topology").definedBy("io.socialcrm.topology..")
                .layer("stack").definedBy("io.socialcrm.stack..")
                .layer("outer").definedBy("io.socialcrm.app..", "io.socialcrm.http..", "io.socialcrm.bench..",
                        "io.socialcrm.generator..")
                .whereLayer("outer").mayNotBeAccessedByAnyLayer()
                .whereLayer("stack").mayOnlyBeAccessedByLayers("outer")
                .whereLayer("topology").mayOnlyBeAccessedByLayers("outer")
                .whereLayer("processors").mayOnlyBeAccessedByLayers("topology", "outer")
                .check(classes);
    }

    @Test
    void noPackagesDependOnEachOtherInACircle() {
        slices().matching("io.socialcrm.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void processorsReadTimeFromTheirContextOrAGivenClock() {
        noClasses().that().resideInAnyPackage(PROCESSORS)
                .should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Instant.class, "now")
                .because("a processor tested with a mock context or the test driver must not see the real clock")
                .check(classes);
    }

    @Test
    void countersBelongToAnInstanceNotTheJvm() {
        noFields().that().areStatic().should().haveRawType(AtomicLong.class).orShould().haveRawType(LongAdder.class)
                .because("two instances in one JVM count apart: counters live in AppCounters, one per instance")
                .check(classes);
    }
}
