package io.socialcrm.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.serde.PlainJson;
import java.io.PrintStream;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** {@code socialcrm bench --micro}: the JMH benchmarks of {@code io.socialcrm.bench.micro}, one forked JVM, one thread. */
public final class Microbenchmarks {
    private Microbenchmarks() {
    }

    /** Runs them; prints a table on {@code console} and, if {@code json} is given, the results as JSON there. */
    public static int run(PrintStream console, PrintStream json) throws RunnerException, java.io.IOException {
        Options options = new OptionsBuilder()
                .include("io\\.socialcrm\\.bench\\.micro\\..*")
                .forks(1).threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(3))
                .jvmArgsAppend("-Xmx1g")
                .build();
        // JMH's own progress goes to the console too: with --json, stdout carries the JSON alone
        Collection<RunResult> results = new Runner(options, OutputFormatFactory.createFormatInstance(console, VerboseMode.NORMAL)).run();
        ArrayNode list = PlainJson.MAPPER.createArrayNode();
        console.println();
        console.println("socialcrm microbenchmarks (JMH, one thread; ops/s, 99.9% confidence interval):");
        for (RunResult r : results) {
            var score = r.getPrimaryResult();
            String name = r.getParams().getBenchmark().replace("io.socialcrm.bench.micro.", "");
            console.printf("  %-34s %,14.0f ops/s  +- %,.0f%n", name, score.getScore(), score.getScoreError());
            ObjectNode node = list.addObject();
            node.put("benchmark", name);
            node.put("opsPerSecond", Math.round(score.getScore()));
            node.put("error", Math.round(score.getScoreError()));
        }
        if (json != null) {
            json.println(PlainJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list));
        }
        return 0;
    }
}
