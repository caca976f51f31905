package io.socialcrm.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.bench.besthour.BestHourEvaluation;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.influence.Decay;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code socialcrm evaluate best-hour}: how good the estimates are, on real data anyone can rerun. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate an estimate of the pipeline on real recorded data.",
        subcommands = {EvaluateCommand.BestHour.class})
public final class EvaluateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "best-hour", mixinStandardHelpOptions = true,
            description = {"How well the best hour of the week (bestHourOfWeek, the customer stage's own estimator) predicts when "
                    + "a person's audience acts, against one global best hour and a random hour, on the Klout when-to-post "
                    + "samples (KDD 2015; bundled) or your own file of the same columns.",
                "Leave-one-out: each reaction to a user's posts is predicted from the user's other reactions (users with two "
                    + "or more); a hit is a reaction in the chosen hour, the window counts one within an hour of it."})
    static final class BestHour implements Callable<Integer> {
        @Option(names = "--file", paramLabel = "PLATFORM=TSV", description = "A file of the same columns (user, actor, post, "
                + "post time ms, action time ms, ...) instead of the bundled samples, e.g. twitter=reactions.tsv. Repeatable.")
        List<String> files = new ArrayList<>();

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the random-hour draw (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "Print the figures as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintStream out = System.out;
            Decay contexts = Decay.halfLife(Settings.parseDuration(AppConfig.CONTEXT_HALFLIFE.defaultValue()));
            BestHourEvaluation evaluation = new BestHourEvaluation(contexts);
            List<BestHourEvaluation.Result> results = new ArrayList<>();
            if (files.isEmpty()) {
                for (Map.Entry<String, String> sample : BestHourEvaluation.bundled().entrySet()) {
                    results.add(evaluation.evaluate(sample.getValue() + " (Klout sample)", sample.getValue(),
                            BestHourEvaluation.readBundled(sample.getKey()), seed));
                }
            } else {
                for (String file : files) {
                    int eq = file.indexOf('=');
                    if (eq <= 0) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--file takes PLATFORM=TSV, e.g. twitter=reactions.tsv");
                    }
                    try (InputStream in = Files.newInputStream(Path.of(file.substring(eq + 1)))) {
                        results.add(evaluation.evaluate(file.substring(eq + 1), file.substring(0, eq), BestHourEvaluation.read(in), seed));
                    }
                }
            }
            if (json) {
                ArrayNode list = PlainJson.MAPPER.createArrayNode();
                for (BestHourEvaluation.Result r : results) {
                    ObjectNode o = list.addObject().put("sample", r.name()).put("users", r.users()).put("reactions", r.reactions());
                    o.putObject("perUser").put("hour", r.perUser()).put("window", r.perUserWindow());
                    o.putObject("global").put("hour", r.global()).put("window", r.globalWindow());
                    o.putObject("randomDrawn").put("hour", r.randomDrawn()).put("window", r.randomWindowDrawn());
                    o.putObject("randomExpected").put("hour", r.randomExpected()).put("window", r.randomWindowExpected());
                }
                out.println(PlainJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list));
                return 0;
            }
            out.println("Reactions in the chosen hour of the week (and within an hour of it):");
            out.printf("%-24s %6s %9s %17s %17s %17s %17s%n", "sample", "users", "reactions", "per-user best", "global best",
                    "random (drawn)", "random (expected)");
            for (BestHourEvaluation.Result r : results) {
                out.printf("%-24s %6d %9d %17s %17s %17s %17s%n", r.name(), r.users(), r.reactions(), pair(r.perUser(), r.perUserWindow()),
                        pair(r.global(), r.globalWindow()), pair(r.randomDrawn(), r.randomWindowDrawn()),
                        pair(r.randomExpected(), r.randomWindowExpected()));
            }
            return 0;
        }

        private static String pair(double hour, double window) {
            return String.format("%5.1f%% (%5.1f%%)", hour * 100, window * 100);
        }
    }
}
