package io.socialcrm.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The language of segment rules: CEL (the Common Expression Language, https://cel.dev, Google's
 * cel-java), a side-effect-free, non-Turing-complete language: no I/O, no reflection, no loops
 * beyond bounded comprehensions. Expressions are type-checked against the variables below when a
 * definition arrives, so a typo is refused then, not when a customer is evaluated.
 *
 * <p>Variables: see {@link #VARIABLES}. Function {@code context("id")}: the customer's decayed score
 * in a context of the taxonomy, 0 if none. Numbers of different types compare ({@code score >= 90}).
 */
public final class SegmentLanguage {
    /** Every variable a rule may use, with its type and meaning. */
    public static final Map<String, Variable> VARIABLES = variables();
    static final String CONTEXT_FUNCTION = "context";
    static final String CONTEXT_OVERLOAD = "context_string";
    private static final int MAX_LENGTH = 2_000;

    /** A variable of the language. */
    public record Variable(String name, CelType type, String doc) {
    }

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .maxExpressionCodePointSize(MAX_LENGTH)
            .maxParseRecursionDepth(64)
            .comprehensionMaxIterations(1_000)
            .build();
    private static final CelCompiler COMPILER = compiler();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder()
            .setOptions(OPTIONS)
            .addLateBoundFunctions(CONTEXT_FUNCTION)
            .build();

    private SegmentLanguage() {
    }

    private static Map<String, Variable> variables() {
        Map<String, Variable> v = new LinkedHashMap<>();
        add(v, "influence.score", SimpleType.DOUBLE, "0-100 rank of influence among all customers");
        add(v, "influence.percentile", SimpleType.DOUBLE, "0-1 fraction of customers with lower influence");
        add(v, "influence.raw", SimpleType.DOUBLE, "weighted sum of logs of the counters (README, Influence)");
        add(v, "influence.followers", SimpleType.INT, "followers (PROFILE scope)");
        add(v, "influence.shares", SimpleType.DOUBLE, "decayed shares and quotes received");
        add(v, "influence.mentions", SimpleType.DOUBLE, "decayed mentions received");
        add(v, "influence.replies", SimpleType.DOUBLE, "decayed replies and comments received");
        add(v, "influence.likes", SimpleType.DOUBLE, "decayed likes received");
        add(v, "influence.engagers", SimpleType.DOUBLE, "decayed distinct engagers");
        add(v, "influence.follows", SimpleType.DOUBLE, "decayed new follows received");
        add(v, "influence.momentum", SimpleType.DOUBLE, "recent engagement rate / usual rate (1 = steady)");
        add(v, "activity.level", SimpleType.DOUBLE, "decayed count of the customer's own actions");
        add(v, "daysSinceActivity", SimpleType.DOUBLE, "days since the customer's last own action (or since linking)");
        add(v, "bestHourOfWeek", SimpleType.INT, "0-167 UTC, Monday 00:00 = 0; -1 before any activity");
        add(v, "contactable", SimpleType.BOOL, "MESSAGING scope granted on some account");
        add(v, "accounts", SimpleType.INT, "number of linked accounts");
        add(v, "platforms", ListType.create(SimpleType.STRING), "platforms of the linked accounts");
        add(v, "contexts", MapType.create(SimpleType.STRING, SimpleType.DOUBLE), "context id to decayed score");
        return Map.copyOf(v);
    }

    private static void add(Map<String, Variable> map, String name, CelType type, String doc) {
        map.put(name, new Variable(name, type, doc));
    }

    private static CelCompiler compiler() {
        var builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setResultType(SimpleType.BOOL)
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration(CONTEXT_FUNCTION,
                        CelOverloadDecl.newGlobalOverload(CONTEXT_OVERLOAD, SimpleType.DOUBLE, SimpleType.STRING)));
        for (Variable variable : variables().values()) {
            builder.addVar(variable.name(), variable.type());
        }
        return builder.build();
    }

    /**
     * Compiles and type-checks an expression.
     *
     * @param what names the expression in messages, e.g. {@code "segment 'vip' enterWhen"}
     */
    public static Rule compile(String expression, String what) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidRuleException(what + " is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new InvalidRuleException(what + " is longer than " + MAX_LENGTH + " characters");
        }
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            throw new InvalidRuleException(what + " does not compile: " + result.getErrorString().trim());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return new Rule(expression, ast, RUNTIME.createProgram(ast));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new InvalidRuleException(what + " cannot be used: " + e.getMessage());
        }
    }
}
